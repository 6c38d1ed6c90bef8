package addrspace

import (
	"slices"
	"testing"

	"github.com/forkcost/forkcost/internal/fuzzbound"
)

const pg = 4096

func TestMapUnmapRounding(t *testing.T) {
	s := New(pg)
	s.Map(0x10000, 33519, ProtRead, Private) // 9 pages after rounding
	if st := s.Stats(Baseline{}); st.VirtBytes != 9*pg || st.MapEntries != 1 || st.WritableBytes != 0 {
		t.Fatalf("%+v", st)
	}
	s.Unmap(0x10000+pg, 1) // one page out of the middle
	st := s.Stats(Baseline{})
	if st.VirtBytes != 8*pg || st.MapEntries != 2 {
		t.Fatalf("after hole: %+v %v", st, s.Intervals())
	}
	s.Unmap(0, 1<<40)
	if st := s.Stats(Baseline{}); st.VirtBytes != 0 || st.MapEntries != 0 {
		t.Fatalf("after unmapping everything: %+v", st)
	}
}

func TestMapFixedReplaces(t *testing.T) {
	s := New(pg)
	// ld.so maps a library's whole span, then MAP_FIXED pieces over it.
	s.Map(0x7000_0000, 1974096, ProtRead, Private)
	s.Map(0x7000_0000+0x26000, 1400832, ProtRead|ProtExec, Private)
	s.Map(0x7000_0000+0x17c000, 339968, ProtRead, Private)
	s.Map(0x7000_0000+0x1cf000, 24576, ProtRead|ProtWrite, Private)
	st := s.Stats(Baseline{})
	if want := int64((1974096 + pg - 1) / pg * pg); st.VirtBytes != want {
		t.Fatalf("virt %d, want %d (replacement must not add up lengths)", st.VirtBytes, want)
	}
	if st.WritableBytes != 24576 {
		t.Fatalf("writable %d", st.WritableBytes)
	}
	if st.MapEntries != 5 {
		t.Fatalf("entries %d: %v", st.MapEntries, s.Intervals())
	}
}

func TestProtectRemapBrk(t *testing.T) {
	s := New(pg)
	s.Map(0x100000, 8<<20, ProtRead|ProtWrite, Private|Anonymous)
	s.Remap(0x100000, 8<<20, 16<<20, 0x4000000)
	st := s.Stats(Baseline{})
	if st.VirtBytes != 16<<20 || st.AnonBytes != 16<<20 {
		t.Fatalf("after mremap: %+v", st)
	}
	s.Protect(0x4000000, pg, ProtRead)
	st = s.Stats(Baseline{})
	if st.WritableBytes != 16<<20-pg || st.MapEntries != 2 {
		t.Fatalf("after mprotect: %+v", st)
	}
	// mprotect over a hole does not map it.
	s.Protect(0x9000000, 10*pg, ProtRead)
	if s.Stats(Baseline{}).VirtBytes != 16<<20 {
		t.Fatal("mprotect of unmapped space mapped it")
	}
	s.Brk(0, 0x55f052de8000)
	s.Brk(0x55f052df8000, 0x55f052df8000)
	s.Brk(0x55f052e19000, 0x55f052e19000)
	st = s.Stats(Baseline{})
	if st.VirtBytes != 16<<20+0x31000 {
		t.Fatalf("after brk: %+v", st)
	}
	s.Brk(0x55f052df8000, 0x55f052df8000) // shrink
	if st := s.Stats(Baseline{}); st.VirtBytes != 16<<20+0x10000 {
		t.Fatalf("after brk shrink: %+v", st)
	}
	c := s.Clone()
	c.Exec()
	if s.Stats(Baseline{}).VirtBytes == 0 || c.Stats(Baseline{}).VirtBytes != 0 {
		t.Fatal("Clone must copy, Exec must empty only the copy")
	}
	if st := c.Stats(DefaultBaseline); st.VirtBytes != DefaultBaseline.VirtBytes || st.MapEntries != DefaultBaseline.MapEntries {
		t.Fatalf("baseline: %+v", st)
	}
}

func TestAdjacentAnonMerge(t *testing.T) {
	s := New(pg)
	s.Map(0x10000, pg, ProtRead|ProtWrite, Private|Anonymous)
	s.Map(0x11000, pg, ProtRead|ProtWrite, Private|Anonymous)
	s.Map(0x12000, pg, ProtRead, Private) // file mapping: separate
	if st := s.Stats(Baseline{}); st.MapEntries != 2 {
		t.Fatalf("entries %d", st.MapEntries)
	}
}

func TestEstimate(t *testing.T) {
	st := Stats{VirtBytes: 100 << 20, WritableBytes: 40 << 20, AnonBytes: 30 << 20, NoneBytes: 20 << 20}
	r := Estimate(st, 0.5, pg)
	if r.ResidentBytes != 40<<20 || r.WritableResidentBytes != 20<<20 || r.AnonResidentBytes != 15<<20 {
		t.Fatalf("%+v", r)
	}
	if r.PageTableBytes != (40<<20)/pg*8+40*4096 {
		t.Fatalf("page tables %d", r.PageTableBytes)
	}
}

func FuzzSpace(f *testing.F) {
	fuzzbound.Setup(f)
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, ops []byte) { fuzzbound.Run(t, func(t *testing.T) { fuzzSpace(t, ops) }) })
}

func fuzzSpace(t *testing.T, ops []byte) {
	s := New(pg)
	for i := 0; i+3 < len(ops); i += 4 {
		fuzzCall(s, ops[i]%5, ops[i:i+4])
		ivs := s.Intervals()
		var total uint64
		for k, iv := range ivs {
			if iv.End <= iv.Start || iv.Start%pg != 0 || iv.End%pg != 0 || k > 0 && ivs[k-1].End > iv.Start {
				t.Fatalf("bad intervals after op %d: %v", i/4, ivs)
			}
			total += iv.End - iv.Start
		}
		if st := s.Stats(Baseline{}); uint64(st.VirtBytes) != total {
			t.Fatalf("virt %d != %d", st.VirtBytes, total)
		}
	}
}

// memCalls is what fuzzCall calls: a Space, or the model of one.
type memCalls interface {
	Map(addr, length uint64, prot, flags uint8)
	Unmap(addr, length uint64)
	Protect(addr, length uint64, prot uint8)
	Remap(old, oldLen, newLen, newAddr uint64)
	Brk(req, ret uint64)
}

// fuzzCall makes the memory call that code (0 to 4) and the bytes of op
// after the first encode.
func fuzzCall(s memCalls, code byte, op []byte) {
	addr := uint64(op[1]) * pg
	n := uint64(op[2]) * 1000
	switch code {
	case 0:
		s.Map(addr, n, op[3]&7, op[3]>>3&3)
	case 1:
		s.Unmap(addr, n)
	case 2:
		s.Protect(addr, n, op[3]&7)
	case 3:
		s.Remap(addr, n, uint64(op[3])*pg, uint64(op[3])*pg*3)
	case 4:
		s.Brk(addr*uint64(op[3]&1), addr) // an even op[3]: a query
	}
}

// FuzzDeferred checks that a Space read now and then (calls deferred)
// holds what one read after every call holds (each applied at once), at
// every read, across Exec and Clone.
func FuzzDeferred(f *testing.F) {
	fuzzbound.Setup(f)
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(3))
	f.Add([]byte{0, 10, 8, 3, 2, 11, 1, 2, 5, 0, 0, 0, 1, 10, 2, 0, 6, 4, 4, 4, 0, 3, 3, 3}, uint8(2))
	f.Fuzz(func(t *testing.T, ops []byte, every uint8) {
		// A small bound, so that runs of applied calls, and spaces that
		// apply every call at once, are fuzzed too.
		defer func(m int) { maxDeferred = m }(maxDeferred)
		maxDeferred = int(every)%5 + 2
		fuzzbound.Run(t, func(t *testing.T) { fuzzDeferred(t, ops, int(every)%7+1) })
	})
}

func fuzzDeferred(t *testing.T, ops []byte, every int) {
	eager, lazy := New(pg), New(pg)
	var eagerKid, lazyKid *Space
	check := func(at int) {
		t.Helper()
		if got, want := lazy.Intervals(), eager.Intervals(); !slices.Equal(got, want) {
			t.Fatalf("after op %d: deferred %v, applied at once %v", at, got, want)
		}
		if got, want := lazy.Stats(DefaultBaseline), eager.Stats(DefaultBaseline); got != want {
			t.Fatalf("after op %d: stats %+v, want %+v", at, got, want)
		}
		if got, want := lazy.Calls(), eager.Calls(); got != want {
			t.Fatalf("after op %d: %d calls, want %d", at, got, want)
		}
		if eagerKid != nil && !slices.Equal(lazyKid.Intervals(), eagerKid.Intervals()) {
			t.Fatalf("after op %d: clone %v, want %v", at, lazyKid.Intervals(), eagerKid.Intervals())
		}
	}
	for i := 0; i+3 < len(ops); i += 4 {
		for _, s := range []*Space{eager, lazy} {
			switch code := ops[i] % 7; code {
			default:
				fuzzCall(s, code, ops[i:i+4])
			case 5:
				s.Exec()
			case 6:
				if s == eager {
					eagerKid = s.Clone()
				} else {
					lazyKid = s.Clone()
				}
			}
		}
		eager.Intervals() // apply at once
		if len(lazy.deferred) > maxDeferred {
			t.Fatalf("%d calls deferred, at most %d", len(lazy.deferred), maxDeferred)
		}
		if i/4%every == 0 {
			check(i / 4)
		}
	}
	check(len(ops) / 4)
}

// TestDeferredUntilRead checks that calls wait until the space is read,
// that Exec drops the calls that wait, and that a space applies every call
// at once from its MaxDeferred-th call to its next Exec.
func TestDeferredUntilRead(t *testing.T) {
	s := New(pg)
	s.Map(0x10000, 2*pg, ProtRead, Private)
	s.Protect(0x10000, pg, ProtRead|ProtWrite)
	if s.stored() != 0 || len(s.deferred) != 2 {
		t.Fatalf("before a read: %d intervals, %d calls waiting; want 0 and 2", s.stored(), len(s.deferred))
	}
	if ivs := s.Intervals(); len(ivs) != 2 || len(s.deferred) != 0 {
		t.Fatalf("after a read: %v, %d calls waiting", ivs, len(s.deferred))
	}
	s.Map(0x40000, pg, ProtRead, Private)
	s.Exec()
	if len(s.deferred) != 0 || len(s.Intervals()) != 0 || s.Calls() != 0 {
		t.Fatalf("after Exec: %d calls waiting, %v, %d calls", len(s.deferred), s.Intervals(), s.Calls())
	}
	for i := 0; i < MaxDeferred; i++ {
		s.Map(uint64(i)*2*pg, pg, ProtRead, Private)
	}
	if len(s.deferred) != 0 || s.stored() != MaxDeferred {
		t.Fatalf("after %d calls: %d waiting, %d intervals; want them applied", MaxDeferred, len(s.deferred), s.stored())
	}
	// A process that lives that long has its calls applied at once,
	// until it execs.
	s.Unmap(0, pg)
	if len(s.deferred) != 0 || s.stored() != MaxDeferred-1 {
		t.Fatalf("a call after %d: %d waiting, %d intervals; want it applied", MaxDeferred, len(s.deferred), s.stored())
	}
	s.Exec()
	s.Map(0x10000, pg, ProtRead, Private)
	if len(s.deferred) != 1 || s.stored() != 0 {
		t.Fatalf("a call after Exec: %d waiting, %d intervals; want it deferred", len(s.deferred), s.stored())
	}
}

// FuzzRemapped checks remapped's search against a scan of every mapping
// for the first that the old range overlaps or that holds its start.
func FuzzRemapped(f *testing.F) {
	fuzzbound.Setup(f)
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(3), uint16(2))
	f.Fuzz(func(t *testing.T, ops []byte, start, pages uint16) {
		fuzzbound.Run(t, func(t *testing.T) {
			s := New(pg)
			for i := 0; i+3 < len(ops); i += 4 {
				fuzzCall(s, ops[i]%5, ops[i:i+4])
			}
			os := uint64(start%512) * pg
			oe := os + uint64(pages%64)*pg
			want := Interval{Prot: ProtRead | ProtWrite, Flags: Private | Anonymous}
			for _, iv := range s.Intervals() {
				if iv.End > os && iv.Start < oe || iv.Start <= os && os < iv.End {
					want = iv
					break
				}
			}
			if got := s.remapped(os, oe); got != want {
				t.Fatalf("remapped(%#x, %#x) = %+v, the scan finds %+v in %v", os, oe, got, want, s.Intervals())
			}
		})
	})
}

// stored is the number of intervals stored, without applying the calls
// that wait.
func (s *Space) stored() int {
	n := 0
	for _, b := range s.blocks {
		n += b.n
	}
	return n
}

// TestRecycle: spaces made after others were recycled record into their
// buffers and read the same as spaces that never met one; a shared space
// keeps its calls when recycled.
func TestRecycle(t *testing.T) {
	apply := func(s *Space, k int) {
		for i := 0; i < 100+k*37; i++ {
			a := uint64(0x10000000 + (i*7919+k)%512*pg)
			switch i % 4 {
			case 0, 1:
				s.Map(a, uint64(1+i%3)*pg, ProtRead|ProtWrite, Private|Anonymous)
			case 2:
				s.Unmap(a, pg)
			case 3:
				s.Protect(a, 2*pg, ProtRead)
			}
		}
	}
	shared := New(pg)
	shared.Share()
	apply(shared, 99)
	want99 := New(pg)
	apply(want99, 99)
	for k := 0; k < 40; k++ {
		s := New(pg)
		apply(s, k)
		ref := New(pg)
		apply(ref, k)
		if k%3 == 0 {
			ref.Recycle() // its buffer, full, goes to the next spaces
			ref = New(pg)
			apply(ref, k)
		}
		if got, want := s.Intervals(), ref.Intervals(); !slices.Equal(got, want) {
			t.Fatalf("space %d: %d intervals, want %d", k, len(got), len(want))
		}
		s.Recycle()
		shared.Recycle()
	}
	if got, want := shared.Intervals(), want99.Intervals(); !slices.Equal(got, want) {
		t.Fatalf("shared space: %d intervals, want %d", len(got), len(want))
	}
}

// FuzzStatsCache: Stats, which keeps the sums of its last walk while no
// call changed the space, returns what a walk of the intervals returns
// after every call, of a space and of its clones.
func FuzzStatsCache(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 9, 9, 4, 5, 6, 7, 8, 9, 0, 9, 10, 9})
	f.Add([]byte("\x00\x10\x09\x09\x01\x10\x09\x02\x30\x09\x0a\x09\x08\x09"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		base := Baseline{VirtBytes: 7 * pg, WritableBytes: 3 * pg, MapEntries: 2}
		spaces := []*Space{New(pg)}
		for i, op := range ops {
			s := spaces[int(op>>4)%len(spaces)]
			a := uint64(0x10000000 + uint64(op>>4)*pg)
			switch op % 12 {
			case 0:
				s.Map(a, 3*pg, ProtRead|ProtWrite, Private|Anonymous)
			case 1:
				s.Map(a+pg, pg, ProtRead, Private)
			case 2:
				s.Unmap(a, pg)
			case 3:
				s.Protect(a, 2*pg, ProtRead)
			case 4:
				s.Remap(a, pg, 2*pg, a+8*pg)
			case 5:
				s.Brk(0, 0x20000000)
			case 6:
				s.Brk(0x20000000+uint64(op)*pg, 0x20000000+uint64(op)*pg)
			case 7:
				s.Exec()
			case 8:
				if len(spaces) < 4 {
					spaces = append(spaces, s.Clone())
				}
			default:
				// Stats, twice, between the calls.
			}
			for k, sp := range spaces {
				want := sp.sum()
				want.VirtBytes += base.VirtBytes
				want.WritableBytes += base.WritableBytes
				want.MapEntries += base.MapEntries
				if got := sp.Stats(base); got != want {
					t.Fatalf("op %d: space %d: Stats = %+v, want %+v", i, k, got, want)
				}
			}
		}
	})
}
