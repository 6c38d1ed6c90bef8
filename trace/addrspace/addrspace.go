// Package addrspace rebuilds a process's address space from the memory
// system calls a tracer saw (mmap, munmap, mremap, mprotect, brk), for
// converters of system call logs (strace, kdump, truss) that must
// fill the trace schema's address-space columns at every process creation.
//
// A Space is a sorted set of disjoint page-aligned intervals, each with its
// protection and whether it is private, anonymous or a stack, kept in
// blocks of at most 32 so that a change moves the rest of one block, not
// of the whole space. The operations follow the kernel's rules closely
// enough for sizing:
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

import (
	"slices"
	"sync"
)

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
	// blocks holds the intervals in order, in blocks of at most
	// blockCap: a mapping made or unmapped moves the rest of its block,
	// not every interval after it (a worker of the memory-heavy shape of
	// scripts/bench-convert.sh holds about 150 mappings in random order,
	// and each of its calls moved a third of them). No block is empty and
	// none holds fewer than blockCap/4 intervals, unless it is the only
	// one.
	blocks []block
	// scratch is putSlow's buffer.
	scratch  []Interval
	pageSize uint64
	brkStart uint64 // 0: unknown
	brkEnd   uint64
	calls    int64
	// deferred holds the calls recorded but not yet applied, in order.
	deferred []call
	// eager: MaxDeferred calls have waited since the last Exec; the
	// process lives long, and its calls are applied at once (applying
	// them in runs cost more per call than one at a time).
	eager bool
	// shared: Share was called (see Recycle).
	shared bool
	// gen counts the calls that may change the intervals (Map, Unmap,
	// Protect, Remap, Brk, Exec); sums is what Stats summed of them at
	// generation sumsGen, if sumsOK.
	gen, sumsGen uint64
	sums         Stats
	sumsOK       bool
}

// block is a run of intervals of a Space.
type block struct {
	// ivs[:n] are the intervals; every slot after them ends at noEnd,
	// so that find searches the whole array in a fixed number of steps.
	ivs *[blockCap]Interval
	n   int
	end uint64 // ivs[n-1].End: find searches the blocks by it
}

// noEnd is the End of the slots of a block that hold no interval.
const noEnd = ^uint64(0)

// newArray returns an array for a block, of free slots.
func newArray() *[blockCap]Interval {
	a := new([blockCap]Interval)
	for i := range a {
		a[i].End = noEnd
	}
	return a
}

func (b *block) list() []Interval { return b.ivs[:b.n] }

// set makes ivs[:n] the block's intervals, of the block's ivs[:b.n].
func (b *block) set(n int) {
	for i := n; i < b.n; i++ {
		b.ivs[i].End = noEnd
	}
	b.n = n
	b.end = 0
	if n > 0 {
		b.end = b.ivs[n-1].End
	}
}

// insert puts iv at ivs[k], in a block with room for it.
func (b *block) insert(k int, iv Interval) {
	copy(b.ivs[k+1:b.n+1], b.ivs[k:b.n])
	b.ivs[k] = iv
	b.n++
	b.end = b.ivs[b.n-1].End
}

// blockCap is the most intervals a block holds. putSlow fills the blocks
// it rebuilds to at most three quarters of it, so that the next few
// insertions fit. find's search is written for 32 (16 cost 3% more
// instructions on the mem shape, 64 no fewer).
const blockCap = 32

var _ = [1]int{}[blockCap-32] // find's search takes 32

// MaxDeferred is the most calls a Space holds unapplied (40 bytes each):
// once that many have waited, they are applied, and so is every later
// call until the next Exec. It trades memory for work: at most 320 KiB
// per live process, for the calls of a process that makes up to 8192 and
// then execs or exits without a child never being applied (the workers
// of the memory-heavy shape of scripts/bench-convert.sh, from a real
// recording, make about 4,100 each; with 1024, applying them was 7% of
// the conversion's instructions, scripts/ir-convert).
const MaxDeferred = 8192

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
		s.deferred = freeCalls.get()
	}
	s.deferred = append(s.deferred, c)
	if len(s.deferred) >= maxDeferred {
		s.apply()
		freeCalls.put(s.deferred)
		s.deferred, s.eager = nil, true
	}
}

// freeCalls holds the deferred slices of spaces recycled (Recycle), for
// new spaces to record into: they were half the bytes a build log's
// conversion allocated, and growing them a tenth of its allocations.
var freeCalls callPool

// callPool is a bounded stack of empty call slices.
type callPool struct {
	mu   sync.Mutex
	free [][]call
}

// maxFreeCalls bounds freeCalls (up to 320 KiB a slice).
const maxFreeCalls = 16

func (p *callPool) get() []call {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		d := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return d
	}
	p.mu.Unlock()
	// Room for the calls of most processes (about 40 an exec on
	// average on the Go build shape of scripts/bench-convert.sh):
	// growing from one call by doubling was half the cost of recording
	// in the profiles of BenchmarkConvert.
	return make([]call, 0, 64)
}

func (p *callPool) put(d []call) {
	if cap(d) == 0 {
		return
	}
	p.mu.Lock()
	if len(p.free) < maxFreeCalls {
		p.free = append(p.free, d[:0])
	}
	p.mu.Unlock()
}

// Share marks the space as used by more than one process (CLONE_VM, a
// vfork child): Recycle leaves it alone from then on.
func (s *Space) Share() { s.shared = true }

// Recycle tells that the space is no longer used (its process exec'd or
// exited): unless it is shared (Share), its buffers go to spaces made
// later. It must not be used again.
func (s *Space) Recycle() {
	if s.shared {
		return
	}
	freeCalls.put(s.deferred)
	s.deferred = nil
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
	c.deferred, c.scratch = nil, nil
	c.blocks = make([]block, len(s.blocks))
	arr := make([][blockCap]Interval, len(s.blocks)) // one allocation
	for i, b := range s.blocks {
		c.blocks[i] = block{ivs: &arr[i], n: b.n, end: b.end}
		arr[i] = *b.ivs
	}
	return &c
}

// Exec empties the space (execve replaced the image).
func (s *Space) Exec() {
	s.gen++
	// The calls not yet applied would change nothing that Exec keeps.
	s.deferred, s.eager = s.deferred[:0], false
	if len(s.blocks) > 0 {
		clear(s.blocks[1:])
		s.blocks = s.blocks[:1]
		s.blocks[0].set(0)
	}
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
func (s *Space) cut(start, end uint64) {
	// Most calls unmap whole mappings, in one block that keeps enough
	// of them: a shift of the rest of the block.
	b, k := s.find(start)
	if b < len(s.blocks) {
		blk := &s.blocks[b]
		ivs := blk.list()
		j := k
		for j < len(ivs) && ivs[j].End <= end {
			j++
		}
		// ivs[k:j] end within [start, end): whole mappings, unless the
		// first begins before start or the next one begins before end.
		next := ^uint64(0)
		if j < len(ivs) {
			next = ivs[j].Start
		} else if b < len(s.blocks)-1 {
			next = s.blocks[b+1].ivs[0].Start
		}
		if (j == k || ivs[k].Start >= start) && next >= end {
			if n := len(ivs) - (j - k); n >= blockCap/4 || len(s.blocks) == 1 {
				if j > k {
					copy(blk.ivs[k:], ivs[j:])
					blk.set(n)
				}
				return
			}
		}
	}
	s.put(start, end)
}

// add puts iv in the space, replacing what it overlaps.
func (s *Space) add(iv Interval) {
	// Most mappings fill a hole of a block with room for them: a shift
	// of the rest of the block.
	if len(s.blocks) == 0 {
		s.blocks = append(s.blocks, block{ivs: newArray()})
	}
	b, k := s.find(iv.Start)
	if b < len(s.blocks) {
		if blk := &s.blocks[b]; blk.n < blockCap && (k == blk.n || blk.ivs[k].Start >= iv.End) {
			blk.insert(k, iv)
			return
		}
	}
	s.put(iv.Start, iv.End, iv)
}

// put removes [start, end) from the space, splitting intervals, and puts
// ins (sorted intervals within [start, end)) in its place. When that
// changes one block only, and leaves it neither over blockCap nor under a
// quarter of it, it is done here, moving the rest of the block once;
// putSlow does the rest.
func (s *Space) put(start, end uint64, ins ...Interval) {
	b, k := s.find(start)
	if b < len(s.blocks) {
		blk := &s.blocks[b]
		ivs := blk.list()
		j := k
		for j < len(ivs) && ivs[j].Start < end {
			j++
		}
		if j == k && len(ins) == 0 {
			return
		}
		// Unless the run of covered intervals goes on in the next block.
		if j < len(ivs) || b == len(s.blocks)-1 || s.blocks[b+1].ivs[0].Start >= end {
			// Only the first interval covered can begin before start,
			// and only the last can end after end.
			m := len(ins)
			var l, r Interval
			hasL := j > k && ivs[k].Start < start
			if hasL {
				l = ivs[k]
				l.End = start
				m++
			}
			hasR := j > k && ivs[j-1].End > end
			if hasR {
				r = ivs[j-1]
				r.Start = end
				m++
			}
			n := len(ivs) - (j - k) + m
			if n <= blockCap && (n >= blockCap/4 || len(s.blocks) == 1) {
				if n != len(ivs) {
					copy(blk.ivs[k+m:n], ivs[j:])
				}
				if hasL {
					blk.ivs[k] = l
					k++
				}
				for _, iv := range ins {
					blk.ivs[k] = iv
					k++
				}
				if hasR {
					blk.ivs[k] = r
				}
				blk.set(n)
				return
			}
		}
	}
	s.putSlow(b, k, start, end, ins)
}

// putSlow is put for a change of more than one block, or one that
// overfills a block or leaves it under a quarter full: it gathers the
// blocks the change touches (and a neighbour, if they would hold too few
// intervals) with the change made, and spreads them over blocks filled
// to three quarters of blockCap at most. (b, k) is find(start).
func (s *Space) putSlow(b, k int, start, end uint64, ins []Interval) {
	bs := s.blocks
	r := s.scratch[:0]
	lo, hi := b, b // r replaces bs[lo:hi]
	var tail []Interval
	var last Interval
	covered := false
	if b < len(bs) {
		r = append(r, bs[b].ivs[:k]...)
		for {
			ivs := bs[hi].list()
			for ; k < len(ivs) && ivs[k].Start < end; k++ {
				if !covered && ivs[k].Start < start {
					l := ivs[k]
					l.End = start
					r = append(r, l)
				}
				covered, last = true, ivs[k]
			}
			hi++
			if k < len(ivs) || hi == len(bs) {
				tail = ivs[k:]
				break
			}
			k = 0
		}
	}
	r = append(r, ins...)
	if covered && last.End > end {
		last.Start = end
		r = append(r, last)
	}
	r = append(r, tail...)
	if len(r) < blockCap/4 {
		if hi < len(bs) {
			r = append(r, bs[hi].list()...)
			hi++
		} else if lo > 0 {
			lo--
			left := bs[lo].list()
			r = append(r, left...) // rotated into place below
			copy(r[len(left):], r[:len(r)-len(left)])
			copy(r, left)
		}
	}
	s.scratch = r[:0]
	s.spread(lo, hi, r)
}

// spread replaces the blocks bs[lo:hi] with r (sorted intervals), in
// blocks of at most three quarters of blockCap, reusing their arrays.
func (s *Space) spread(lo, hi int, r []Interval) {
	const fill = blockCap * 3 / 4
	bs := s.blocks
	c := (len(r) + fill - 1) / fill
	if c == 0 && lo == 0 && hi == len(bs) {
		c = 1 // an empty space keeps a block, to refill
	}
	if d := c - (hi - lo); d > 0 {
		bs = slices.Insert(bs, hi, make([]block, d)...)
	} else if d < 0 {
		bs = slices.Delete(bs, lo+c, hi)
	}
	for i := lo; i < lo+c; i++ {
		n := len(r) / (lo + c - i)
		if bs[i].ivs == nil {
			bs[i].ivs = newArray()
		}
		copy(bs[i].ivs[:], r[:n])
		bs[i].set(n)
		r = r[n:]
	}
	s.blocks = bs
}

// find returns the position (block, index in it) of the first interval
// that ends after addr: past the last interval, the end of the last
// block; in a space of no block, (0, 0). The search of the blocks is by
// hand: slices.BinarySearchFunc's closure call per step showed in the
// profiles of memory-heavy logs.
func (s *Space) find(addr uint64) (int, int) {
	bs := s.blocks
	if len(bs) == 0 {
		return 0, 0
	}
	lo, hi := 0, len(bs)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bs[m].end <= addr {
			lo = m + 1
		} else {
			hi = m
		}
	}
	b := lo
	// The free slots end at noEnd, after addr: the search can take the
	// whole array, in six steps without a loop or a bounds check (the
	// masks), which took half the instructions of a binary search of
	// ivs[:n] and of a check of the last search's answer before it.
	ivs := bs[b].ivs
	k := 0
	if ivs[15].End <= addr {
		k = 16
	}
	if ivs[(k+7)&31].End <= addr {
		k += 8
	}
	if ivs[(k+3)&31].End <= addr {
		k += 4
	}
	if ivs[(k+1)&31].End <= addr {
		k += 2
	}
	if ivs[k&31].End <= addr {
		k++
	}
	if ivs[k&31].End <= addr {
		k++
	}
	return b, k
}

// Map records a successful mmap that returned addr.
func (s *Space) Map(addr, length uint64, prot, flags uint8) {
	s.gen++
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
	s.add(Interval{Start: start, End: end, Prot: prot, Flags: flags})
}

// Unmap records a successful munmap.
func (s *Space) Unmap(addr, length uint64) {
	s.gen++
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
	s.gen++
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
	// found by binary search, and usually one (no allocation).
	b, k := s.find(start)
	if b == len(s.blocks) {
		return
	}
	if blk := &s.blocks[b]; k < blk.n && blk.ivs[k].Start <= start && blk.ivs[k].End >= end {
		// Within one mapping, usually all of it or a page at one end.
		// (Split even when the protection does not change, as it
		// always has.)
		iv := blk.ivs[k]
		p := iv
		p.Start, p.End, p.Prot = start, end, prot
		switch {
		case start == iv.Start && end == iv.End:
			blk.ivs[k].Prot = prot
		case start == iv.Start && blk.n < blockCap:
			blk.ivs[k] = p
			iv.Start = end
			blk.insert(k+1, iv)
		case end == iv.End && blk.n < blockCap:
			blk.ivs[k].End = start
			blk.insert(k+1, p)
		default:
			s.put(start, end, p)
		}
		return
	}
	var buf [8]Interval
	pieces := buf[:0]
	for ; b < len(s.blocks); b, k = b+1, 0 {
		ivs := s.blocks[b].list()
		for ; k < len(ivs) && ivs[k].Start < end; k++ {
			p := ivs[k]
			p.Start, p.End = max(p.Start, start), min(p.End, end)
			p.Prot = prot
			pieces = append(pieces, p)
		}
		if k < len(ivs) {
			break
		}
	}
	if len(pieces) == 0 {
		return
	}
	s.put(start, end, pieces...)
}

// Remap records a successful mremap(old, oldLen, newLen) that returned
// newAddr.
func (s *Space) Remap(old, oldLen, newLen, newAddr uint64) {
	s.gen++
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
	s.add(tmpl)
}

// remapped returns the mapping whose protection and flags a mapping
// remapped from [os, oe) keeps: the first the range overlaps, or that holds
// os when the range is empty; else private anonymous read-write memory.
// As the intervals are sorted and disjoint, it can only be the first that
// ends after os (a search: a scan of the whole space was a fiftieth of
// converting a log of memory calls).
func (s *Space) remapped(os, oe uint64) Interval {
	if b, k := s.find(os); b < len(s.blocks) && k < s.blocks[b].n {
		if iv := s.blocks[b].ivs[k]; iv.Start < oe || iv.Start <= os {
			return iv
		}
	}
	return Interval{Prot: ProtRead | ProtWrite, Flags: Private | Anonymous}
}

// Brk records brk(req) returning ret. brk(NULL) (req 0) only learns where
// the heap starts.
func (s *Space) Brk(req, ret uint64) {
	s.gen++
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
		s.add(Interval{Start: oldEnd, End: newEnd, Prot: ProtRead | ProtWrite, Flags: Private | Anonymous | Heap})
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
	// A process that creates children one after another (a build's
	// driver, a shell) often changed nothing between two: the sums of
	// the last Stats, which walked every interval, serve again.
	if !s.sumsOK || s.sumsGen != s.gen {
		s.sums, s.sumsGen, s.sumsOK = s.sum(), s.gen, true
	}
	st := s.sums
	st.VirtBytes += base.VirtBytes
	st.WritableBytes += base.WritableBytes
	st.MapEntries += base.MapEntries
	return st
}

// sum is Stats of the intervals alone.
func (s *Space) sum() Stats {
	s.apply()
	var st Stats
	var prev Interval
	for i := range s.blocks {
		for _, iv := range s.blocks[i].list() {
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
			// protection and flags into one vm_area. (The zero prev is
			// not anonymous: it merges with none.)
			if prev.End != iv.Start || prev.Prot != iv.Prot || prev.Flags != iv.Flags || iv.Flags&Anonymous == 0 {
				st.MapEntries++
			}
			prev = iv
		}
	}
	return st
}

// Intervals returns the mappings (for tests).
func (s *Space) Intervals() []Interval {
	s.apply()
	var ivs []Interval
	for _, b := range s.blocks {
		ivs = append(ivs, b.list()...)
	}
	return ivs
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
