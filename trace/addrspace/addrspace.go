// Package addrspace rebuilds a process's address space from the memory
// system calls a tracer saw (mmap, munmap, mremap, mprotect, brk), for
// converters of system call logs (strace, kdump, truss) that must
// fill the trace schema's address-space columns at every process creation.
//
// A Space is a sorted set of disjoint page-aligned intervals, each with its
// protection and whether it is private, anonymous or a stack. The
// operations follow the kernel's rules closely enough for sizing:
//
//   - lengths are rounded up to whole pages, addresses down;
//   - a new mapping replaces whatever it overlaps (MAP_FIXED);
//   - munmap and mprotect split the intervals they cut;
//   - mremap moves or resizes the pages it covers, keeping their protection;
//   - brk grows or shrinks one anonymous read-write interval starting at the
//     first brk(NULL) answer;
//   - failed calls must not be applied (the caller checks the return);
//   - Exec empties the space, Clone copies it (fork), and sharing (CLONE_VM)
//     is the caller's business: it keeps one *Space for both processes.
//
// What a tracer cannot see is the mappings the kernel makes at execve: the
// program's own segments, the dynamic loader, the stack, vdso and vvar.
// Stats adds a per-exec Baseline for them (DefaultBaseline, measured from
// /proc/PID/maps of small dynamically linked programs on Linux x86-64), so
// sizes are never below what any real process has; consumers should mark
// such sizes as estimated.
//
// A Space records the memory calls it is told and applies them only when
// it is read (Stats, Clone, Intervals, Calls): most processes of a build
// (compilers, assemblers, the shell of one command) exec or exit without
// creating a child, and the calls a Space never applies before Exec, or
// before it is dropped, cost only their recording. Once MaxDeferred calls
// have waited, the process is taken for a long-lived one: they are
// applied, and so is every later call at once, until the next Exec. The
// intervals are the same at every read as if each call had been applied
// at once.
//
// Resident memory cannot be seen at all in a system call log. Estimate
// derives it from the mapped sizes with a fixed fraction; the rule is
// documented there and the fraction is the caller's to choose.
package addrspace

import "slices"

// Protection bits.
const (
	ProtRead  = 1
	ProtWrite = 2
	ProtExec  = 4
)

// Mapping flags.
const (
	Private   = 1 << 0
	Anonymous = 1 << 1
	Stack     = 1 << 2
	Heap      = 1 << 3 // the brk area
)

// Interval is one mapping [Start, End).
type Interval struct {
	Start, End uint64
	Prot       uint8
	Flags      uint8
}

func (iv Interval) size() uint64 { return iv.End - iv.Start }

// Baseline is what the kernel maps at execve, invisible to a tracer.
type Baseline struct {
	VirtBytes     int64 // program + loader + stack + vdso/vvar
	WritableBytes int64 // data/bss of program and loader, stack
	MapEntries    int64
}

// DefaultBaseline is measured from /proc/PID/maps of /bin/true and similar
// small dynamically linked programs stopped right after execve on Linux 6.x
// x86-64 (before ld.so maps any library): the program's 4 to 5 segments
// (taken as 1 MiB, of which 64 KiB writable), ld.so's 5 segments (232 KiB, 16
// KiB writable), the 132 KiB stack, vvar (16 KiB) and vdso (8 KiB): 13
// entries. Large programs (cc1, the Go compiler) have far larger segments,
// which a log does not reveal; this baseline is a floor, not a measurement.
var DefaultBaseline = Baseline{
	VirtBytes:     (1024 + 232 + 132 + 16 + 8) << 10,
	WritableBytes: (64 + 16 + 132) << 10,
	MapEntries:    13,
}

// Space is one address space.
type Space struct {
	ivs      []Interval
	pageSize uint64
	brkStart uint64 // 0: unknown
	brkEnd   uint64
	hint     int // the result of the last search (first)
	calls    int64
	// deferred holds the calls recorded but not yet applied, in order.
	deferred []call
	// eager: MaxDeferred calls have waited since the last Exec; the
	// process lives long, and its calls are applied at once (applying
	// them in runs cost more per call than one at a time).
	eager bool
}

// MaxDeferred is the most calls a Space holds unapplied (40 bytes each):
// once that many have waited, they are applied, and so is every later
// call until the next Exec.
const MaxDeferred = 1024

// maxDeferred is MaxDeferred; tests lower it.
var maxDeferred = MaxDeferred

// call is a memory call waiting to be applied.
type call struct {
	op          callOp
	prot, flags uint8
	a, b, c, d  uint64
}

type callOp uint8

const (
	opMap callOp = iota
	opUnmap
	opProtect
	opRemap
	opBrk
)

// record defers c; when MaxDeferred calls wait, it applies them and makes
// the space eager.
func (s *Space) record(c call) {
	if s.deferred == nil {
		// Room for the calls of most processes (about 40 an exec on
		// average on the Go build shape of scripts/bench-convert.sh):
		// growing from one call by doubling was half the cost of
		// recording in the profiles of BenchmarkConvert.
		s.deferred = make([]call, 0, 64)
	}
	s.deferred = append(s.deferred, c)
	if len(s.deferred) >= maxDeferred {
		s.apply()
		s.deferred, s.eager = nil, true
	}
}

// apply applies the deferred calls, in the order they were made.
func (s *Space) apply() {
	for _, c := range s.deferred {
		switch c.op {
		case opMap:
			s.mapNow(c.a, c.b, c.prot, c.flags)
		case opUnmap:
			s.unmapNow(c.a, c.b)
		case opProtect:
			s.protectNow(c.a, c.b, c.prot)
		case opRemap:
			s.remapNow(c.a, c.b, c.c, c.d)
		case opBrk:
			s.brkNow(c.a, c.b)
		}
	}
	s.deferred = s.deferred[:0]
}

// Calls returns the memory calls applied since the last Exec (brk queries
// and calls of no page are not counted).
func (s *Space) Calls() int64 {
	s.apply()
	return s.calls
}

// New returns an empty space with the given page size (4096 if 0).
func New(pageSize int) *Space {
	if pageSize <= 0 {
		pageSize = 4096
	}
	return &Space{pageSize: uint64(pageSize)}
}

// PageSize returns the page size.
func (s *Space) PageSize() int { return int(s.pageSize) }

// Clone returns a copy (the child's space after fork).
func (s *Space) Clone() *Space {
	s.apply()
	c := *s
	c.deferred = nil
	// Room for the child's first mappings: an exact copy was copied
	// again by the first one.
	c.ivs = append(make([]Interval, 0, len(s.ivs)+len(s.ivs)/4+8), s.ivs...)
	return &c
}

// Exec empties the space (execve replaced the image).
func (s *Space) Exec() {
	// The calls not yet applied would change nothing that Exec keeps.
	s.deferred, s.eager = s.deferred[:0], false
	s.ivs = s.ivs[:0]
	s.brkStart, s.brkEnd = 0, 0
	s.calls = 0
}

func (s *Space) round(addr, length uint64) (uint64, uint64, bool) {
	start := addr &^ (s.pageSize - 1)
	end := addr + length
	if end < addr { // overflow
		return 0, 0, false
	}
	end = (end + s.pageSize - 1) &^ (s.pageSize - 1)
	if end == 0 && addr != 0 || end <= start {
		return 0, 0, false
	}
	return start, end, true
}

// cut removes [start, end) from the space, splitting intervals.
func (s *Space) cut(start, end uint64) { s.put(start, end) }

// put removes [start, end) from the space, splitting intervals, and puts
// ins (sorted intervals within [start, end)) in its place, moving the
// intervals after it once: a cut followed by an insertion moved them twice.
func (s *Space) put(start, end uint64, ins ...Interval) {
	i := s.first(start)
	j := i
	for j < len(s.ivs) && s.ivs[j].Start < end {
		j++
	}
	if j == i && len(ins) == 0 {
		return
	}
	// Only the first interval covered can begin before start, and only
	// the last can end after end.
	var buf [8]Interval
	pieces := buf[:0]
	if j > i && s.ivs[i].Start < start {
		l := s.ivs[i]
		l.End = start
		pieces = append(pieces, l)
	}
	pieces = append(pieces, ins...)
	if j > i && s.ivs[j-1].End > end {
		r := s.ivs[j-1]
		r.Start = end
		pieces = append(pieces, r)
	}
	s.replace(i, j, pieces)
}

// replace is slices.Replace(s.ivs, i, j, pieces...) by hand, growing the
// slice by at least 32 intervals: every exec makes a new space, which grew
// by doubling from one interval, five allocations and copies before its
// first few dozen mappings (a space holds 18 to 29 on average on the
// three bench shapes of scripts/bench-convert.sh).
func (s *Space) replace(i, j int, pieces []Interval) {
	ivs := s.ivs
	n := len(ivs)
	if d := len(pieces) - (j - i); d > 0 {
		if n+d > cap(ivs) {
			ivs = slices.Grow(ivs, max(d, 32))
		}
		ivs = ivs[:n+d]
		copy(ivs[j+d:], ivs[j:n])
	} else if d < 0 {
		copy(ivs[i+len(pieces):], ivs[j:n])
		ivs = ivs[:n+d]
	}
	copy(ivs[i:], pieces)
	s.ivs = ivs
}

// first returns the index of the first interval that ends after addr
// (by hand: slices.BinarySearchFunc's closure call per step showed in the
// profiles of memory-heavy logs).
func (s *Space) first(addr uint64) int {
	// The answer of the last search first (right for 40% of the searches
	// of the three bench shapes: mappings are often made, protected and
	// unmapped next to the last one). A hint made stale by a change is
	// only a wrong guess, checked before it is used.
	ivs := s.ivs
	if h := s.hint; h <= len(ivs) && (h == 0 || ivs[h-1].End <= addr) && (h == len(ivs) || ivs[h].End > addr) {
		return h
	}
	lo, hi := 0, len(ivs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ivs[m].End <= addr {
			lo = m + 1
		} else {
			hi = m
		}
	}
	s.hint = lo
	return lo
}

// Map records a successful mmap that returned addr.
func (s *Space) Map(addr, length uint64, prot, flags uint8) {
	if s.eager {
		s.mapNow(addr, length, prot, flags)
		return
	}
	s.record(call{op: opMap, a: addr, b: length, prot: prot, flags: flags})
}

func (s *Space) mapNow(addr, length uint64, prot, flags uint8) {
	start, end, ok := s.round(addr, length)
	if !ok {
		return
	}
	s.calls++
	s.put(start, end, Interval{Start: start, End: end, Prot: prot, Flags: flags})
}

// Unmap records a successful munmap.
func (s *Space) Unmap(addr, length uint64) {
	if s.eager {
		s.unmapNow(addr, length)
		return
	}
	s.record(call{op: opUnmap, a: addr, b: length})
}

func (s *Space) unmapNow(addr, length uint64) {
	start, end, ok := s.round(addr, length)
	if !ok {
		return
	}
	s.calls++
	s.cut(start, end)
	if s.brkStart != 0 && start <= s.brkStart && end >= s.brkEnd {
		s.brkStart, s.brkEnd = 0, 0
	}
}

// Protect records a successful mprotect.
func (s *Space) Protect(addr, length uint64, prot uint8) {
	if s.eager {
		s.protectNow(addr, length, prot)
		return
	}
	s.record(call{op: opProtect, a: addr, b: length, prot: prot})
}

func (s *Space) protectNow(addr, length uint64, prot uint8) {
	start, end, ok := s.round(addr, length)
	if !ok {
		return
	}
	s.calls++
	// Collect the covered pieces, cut them out and put them back with the
	// new protection: unmapped holes stay holes.
	// The intervals are sorted and disjoint: the covered ones are a run
	// found by binary search, and usually one or two (no allocation).
	var buf [8]Interval
	pieces := buf[:0]
	for _, iv := range s.ivs[s.first(start):] {
		if iv.Start >= end {
			break
		}
		p := iv
		p.Start, p.End = max(iv.Start, start), min(iv.End, end)
		p.Prot = prot
		pieces = append(pieces, p)
	}
	if len(pieces) == 0 {
		return
	}
	s.put(start, end, pieces...)
}

// Remap records a successful mremap(old, oldLen, newLen) that returned
// newAddr.
func (s *Space) Remap(old, oldLen, newLen, newAddr uint64) {
	if s.eager {
		s.remapNow(old, oldLen, newLen, newAddr)
		return
	}
	s.record(call{op: opRemap, a: old, b: oldLen, c: newLen, d: newAddr})
}

func (s *Space) remapNow(old, oldLen, newLen, newAddr uint64) {
	os, oe, ok := s.round(old, oldLen)
	if !ok {
		// oldLen 0 duplicates a shared mapping: treat as a new mapping.
		os, oe = old&^(s.pageSize-1), old&^(s.pageSize-1)
	}
	ns, ne, ok := s.round(newAddr, newLen)
	if !ok {
		return
	}
	s.calls++
	tmpl := s.remapped(os, oe)
	if oe > os {
		s.cut(os, oe)
	}
	tmpl.Start, tmpl.End = ns, ne
	s.put(ns, ne, tmpl)
}

// remapped returns the mapping whose protection and flags a mapping
// remapped from [os, oe) keeps: the first the range overlaps, or that holds
// os when the range is empty; else private anonymous read-write memory.
// As the intervals are sorted and disjoint, it can only be the first that
// ends after os (a search: a scan of the whole space was a fiftieth of
// converting a log of memory calls).
func (s *Space) remapped(os, oe uint64) Interval {
	if i := s.first(os); i < len(s.ivs) && (s.ivs[i].Start < oe || s.ivs[i].Start <= os) {
		return s.ivs[i]
	}
	return Interval{Prot: ProtRead | ProtWrite, Flags: Private | Anonymous}
}

// Brk records brk(req) returning ret. brk(NULL) (req 0) only learns where
// the heap starts.
func (s *Space) Brk(req, ret uint64) {
	if s.eager {
		s.brkNow(req, ret)
		return
	}
	s.record(call{op: opBrk, a: req, b: ret})
}

func (s *Space) brkNow(req, ret uint64) {
	if ret == 0 {
		return
	}
	if s.brkStart == 0 {
		s.brkStart, s.brkEnd = ret, ret
		if req == 0 {
			return
		}
		// The first brk we see already moved the break: we do not know
		// where the heap started, take the answer as both.
		return
	}
	if req == 0 || ret == s.brkEnd {
		return
	}
	s.calls++
	start := (s.brkStart + s.pageSize - 1) &^ (s.pageSize - 1)
	oldEnd := (s.brkEnd + s.pageSize - 1) &^ (s.pageSize - 1)
	newEnd := (ret + s.pageSize - 1) &^ (s.pageSize - 1)
	if newEnd > oldEnd {
		s.put(oldEnd, newEnd, Interval{Start: oldEnd, End: newEnd, Prot: ProtRead | ProtWrite, Flags: Private | Anonymous | Heap})
	} else if newEnd < oldEnd && newEnd >= start {
		s.cut(newEnd, oldEnd)
	}
	s.brkEnd = ret
}

// Stats are the sizes of a space, in bytes.
type Stats struct {
	VirtBytes     int64 // all mapped space
	WritableBytes int64 // private writable mappings
	AnonBytes     int64 // private writable anonymous mappings (heap, stacks, malloc arenas)
	NoneBytes     int64 // PROT_NONE reservations (guard pages, Go arenas)
	MapEntries    int64 // mappings, adjacent compatible ones counted once as the kernel merges them
}

// Stats returns the sizes of the mappings seen, plus base.
func (s *Space) Stats(base Baseline) Stats {
	s.apply()
	st := Stats{VirtBytes: base.VirtBytes, WritableBytes: base.WritableBytes, MapEntries: base.MapEntries}
	var prev Interval
	for k, iv := range s.ivs {
		sz := int64(iv.size())
		st.VirtBytes += sz
		if iv.Prot == 0 {
			st.NoneBytes += sz
		}
		if iv.Prot&ProtWrite != 0 && iv.Flags&Private != 0 {
			st.WritableBytes += sz
			if iv.Flags&Anonymous != 0 {
				st.AnonBytes += sz
			}
		}
		// The kernel merges adjacent anonymous mappings with equal
		// protection and flags into one vm_area.
		if k > 0 && prev.End == iv.Start && prev.Prot == iv.Prot && prev.Flags == iv.Flags && iv.Flags&Anonymous != 0 {
			prev = iv
			continue
		}
		st.MapEntries++
		prev = iv
	}
	return st
}

// Intervals returns the mappings (for tests); the slice is the space's own.
func (s *Space) Intervals() []Interval {
	s.apply()
	return s.ivs
}

// Resident is an estimate of resident memory.
type Resident struct {
	ResidentBytes         int64
	WritableResidentBytes int64
	AnonResidentBytes     int64
	PageTableBytes        int64
}

// Estimate derives resident sizes from mapped sizes, which is all a system
// call log allows: fraction (0 to 1) of the accessible space (all mappings
// but PROT_NONE reservations) is taken as resident, and the same fraction of
// the private writable and anonymous parts. Page tables are estimated as one
// 8-byte entry per resident page plus one 4 KiB page-table page per 2 MiB of
// accessible space (the last level of the x86-64 4-level tables).
func Estimate(st Stats, fraction float64, pageSize int) Resident {
	if fraction < 0 {
		fraction = 0
	}
	if fraction > 1 {
		fraction = 1
	}
	if pageSize <= 0 {
		pageSize = 4096
	}
	access := st.VirtBytes - st.NoneBytes
	round := func(v float64) int64 {
		p := int64(pageSize)
		return (int64(v) + p - 1) / p * p
	}
	r := Resident{
		ResidentBytes:         round(float64(access) * fraction),
		WritableResidentBytes: round(float64(st.WritableBytes) * fraction),
		AnonResidentBytes:     round(float64(st.AnonBytes) * fraction),
	}
	r.PageTableBytes = r.ResidentBytes/int64(pageSize)*8 + (access+(2<<20)-1)/(2<<20)*4096
	return r
}
