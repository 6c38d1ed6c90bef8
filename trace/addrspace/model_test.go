package addrspace

import (
	"fmt"
	"slices"
	"testing"

	"github.com/forkcost/forkcost/internal/fuzzbound"
)

// model is a Space as the package kept it before blocks, by the simplest
// means: one sorted slice, each call applied at once, searched by a scan
// and changed by slices.Replace. FuzzModel checks Space against it.
type model struct {
	ivs              []Interval
	pageSize         uint64
	brkStart, brkEnd uint64
	calls            int64
}

func (m *model) round(addr, length uint64) (uint64, uint64, bool) {
	start := addr &^ (m.pageSize - 1)
	end := addr + length
	if end < addr {
		return 0, 0, false
	}
	end = (end + m.pageSize - 1) &^ (m.pageSize - 1)
	if end == 0 && addr != 0 || end <= start {
		return 0, 0, false
	}
	return start, end, true
}

// put removes [start, end), splitting the intervals it cuts, and puts ins
// in its place.
func (m *model) put(start, end uint64, ins ...Interval) {
	i := 0
	for i < len(m.ivs) && m.ivs[i].End <= start {
		i++
	}
	j := i
	for j < len(m.ivs) && m.ivs[j].Start < end {
		j++
	}
	var pieces []Interval
	if j > i && m.ivs[i].Start < start {
		l := m.ivs[i]
		l.End = start
		pieces = append(pieces, l)
	}
	pieces = append(pieces, ins...)
	if j > i && m.ivs[j-1].End > end {
		r := m.ivs[j-1]
		r.Start = end
		pieces = append(pieces, r)
	}
	m.ivs = slices.Replace(m.ivs, i, j, pieces...)
}

func (m *model) Map(addr, length uint64, prot, flags uint8) {
	if start, end, ok := m.round(addr, length); ok {
		m.calls++
		m.put(start, end, Interval{Start: start, End: end, Prot: prot, Flags: flags})
	}
}

func (m *model) Unmap(addr, length uint64) {
	start, end, ok := m.round(addr, length)
	if !ok {
		return
	}
	m.calls++
	m.put(start, end)
	if m.brkStart != 0 && start <= m.brkStart && end >= m.brkEnd {
		m.brkStart, m.brkEnd = 0, 0
	}
}

func (m *model) Protect(addr, length uint64, prot uint8) {
	start, end, ok := m.round(addr, length)
	if !ok {
		return
	}
	m.calls++
	var pieces []Interval
	for _, iv := range m.ivs {
		if iv.End > start && iv.Start < end {
			iv.Start, iv.End, iv.Prot = max(iv.Start, start), min(iv.End, end), prot
			pieces = append(pieces, iv)
		}
	}
	if len(pieces) > 0 {
		m.put(start, end, pieces...)
	}
}

func (m *model) Remap(old, oldLen, newLen, newAddr uint64) {
	os, oe, ok := m.round(old, oldLen)
	if !ok {
		os, oe = old&^(m.pageSize-1), old&^(m.pageSize-1)
	}
	ns, ne, ok := m.round(newAddr, newLen)
	if !ok {
		return
	}
	m.calls++
	tmpl := Interval{Prot: ProtRead | ProtWrite, Flags: Private | Anonymous}
	for _, iv := range m.ivs {
		if iv.End > os && iv.Start < oe || iv.Start <= os && os < iv.End {
			tmpl = iv
			break
		}
	}
	if oe > os {
		m.put(os, oe)
	}
	tmpl.Start, tmpl.End = ns, ne
	m.put(ns, ne, tmpl)
}

func (m *model) Brk(req, ret uint64) {
	if ret == 0 {
		return
	}
	if m.brkStart == 0 {
		m.brkStart, m.brkEnd = ret, ret
		return
	}
	if req == 0 || ret == m.brkEnd {
		return
	}
	m.calls++
	up := func(a uint64) uint64 { return (a + m.pageSize - 1) &^ (m.pageSize - 1) }
	start, oldEnd, newEnd := up(m.brkStart), up(m.brkEnd), up(ret)
	if newEnd > oldEnd {
		m.put(oldEnd, newEnd, Interval{Start: oldEnd, End: newEnd, Prot: ProtRead | ProtWrite, Flags: Private | Anonymous | Heap})
	} else if newEnd < oldEnd && newEnd >= start {
		m.put(newEnd, oldEnd)
	}
	m.brkEnd = ret
}

func (m *model) Exec() {
	m.ivs = nil
	m.brkStart, m.brkEnd, m.calls = 0, 0, 0
}

func (m *model) Clone() *model {
	c := *m
	c.ivs = slices.Clone(m.ivs)
	return &c
}

// Stats counts as Space.Stats does, from the model's intervals.
func (m *model) Stats(base Baseline) Stats {
	st := Stats{VirtBytes: base.VirtBytes, WritableBytes: base.WritableBytes, MapEntries: base.MapEntries}
	for k, iv := range m.ivs {
		sz := int64(iv.End - iv.Start)
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
		if prev := m.ivs[max(k-1, 0)]; k > 0 && prev.End == iv.Start && prev.Prot == iv.Prot && prev.Flags == iv.Flags && iv.Flags&Anonymous != 0 {
			continue
		}
		st.MapEntries++
	}
	return st
}

// FuzzModel makes the same memory calls on Spaces and on models (a
// parent and, after a Clone, its child, each changed on its own) and
// compares their intervals, sizes and call counts after every call, with
// a Space's calls deferred or applied at once (maxDeferred from 1 to 16).
// An op can map a comb of up to 64 one-page mappings, so that spaces of
// several blocks, and changes across blocks, are reached quickly.
func FuzzModel(f *testing.F) {
	fuzzbound.Setup(f)
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(3))
	// Combs, then cuts, protections and remaps across them.
	f.Add([]byte{
		7, 0, 63, 0, 7, 130, 40, 9, 1, 10, 100, 0, 2, 60, 120, 1,
		6, 0, 0, 0, 1, 3, 20, 0, 3, 140, 30, 20, 2, 0, 255, 3,
		7, 4, 63, 1, 1, 0, 255, 0, 5, 0, 0, 0, 7, 1, 50, 3,
	}, uint8(0))
	f.Add([]byte{
		7, 0, 63, 3, 7, 128, 63, 5, 1, 2, 4, 0, 1, 10, 4, 0,
		1, 30, 4, 0, 1, 50, 4, 0, 1, 70, 4, 0, 1, 90, 4, 0,
		1, 110, 4, 0, 0, 5, 3, 7, 2, 40, 9, 1, 6, 0, 0, 1,
		1, 0, 200, 0, 4, 64, 8, 1, 4, 70, 9, 1, 4, 66, 7, 1,
	}, uint8(15))
	// A comb of 63 and a mapping of three pages fill the last block;
	// then the last two pages and the first two are protected.
	f.Add([]byte{7, 0, 62, 0, 0, 200, 12, 1, 2, 201, 5, 3}, uint8(0))
	f.Add([]byte{7, 0, 62, 0, 0, 200, 12, 1, 2, 200, 5, 3}, uint8(0))
	f.Fuzz(func(t *testing.T, ops []byte, every uint8) {
		defer func(m int) { maxDeferred = m }(maxDeferred)
		maxDeferred = int(every)%16 + 1
		fuzzbound.Run(t, func(t *testing.T) { fuzzModel(t, ops) })
	})
}

func fuzzModel(t *testing.T, ops []byte) {
	spaces := []*Space{New(pg), nil}
	models := []*model{{pageSize: pg}, nil}
	cur := 0
	for i := 0; i+3 < len(ops); i += 4 {
		op := ops[i : i+4]
		s, m := spaces[cur], models[cur]
		switch code := op[0] % 8; code {
		default:
			fuzzCall(s, code, op)
			fuzzCall(m, code, op)
		case 5:
			s.Exec()
			m.Exec()
		case 6:
			// Clone into the other slot; go on with the child or not.
			spaces[1-cur], models[1-cur] = s.Clone(), m.Clone()
			cur ^= int(op[3] & 1)
		case 7:
			// A comb: op[2]%64+1 one-page mappings, a page apart.
			for k := range uint64(op[2]%64 + 1) {
				addr := (uint64(op[1]) + 2*k) * pg
				s.Map(addr, pg, op[3]&7, op[3]>>3&3)
				m.Map(addr, pg, op[3]&7, op[3]>>3&3)
			}
		}
		for k, s := range spaces {
			if s != nil {
				checkModel(t, i/4, s, models[k])
			}
		}
	}
}

// checkModel compares s with m and checks the blocks' invariants.
func checkModel(t *testing.T, at int, s *Space, m *model) {
	t.Helper()
	if got, want := s.Intervals(), m.ivs; !slices.Equal(got, want) {
		t.Fatalf("after op %d: intervals\n%v\nwant\n%v", at, got, want)
	}
	if got, want := s.Stats(DefaultBaseline), m.Stats(DefaultBaseline); got != want {
		t.Fatalf("after op %d: stats %+v, want %+v", at, got, want)
	}
	if got, want := s.Calls(), m.calls; got != want {
		t.Fatalf("after op %d: %d calls, want %d", at, got, want)
	}
	if err := s.check(); err != nil {
		t.Fatalf("after op %d: %v", at, err)
	}
}

// check returns what is wrong with the blocks of s, if anything.
func (s *Space) check() error {
	for i, b := range s.blocks {
		switch {
		case b.ivs == nil || b.n < 0 || b.n > blockCap:
			return fmt.Errorf("block %d of %d holds %d intervals", i, len(s.blocks), b.n)
		case len(s.blocks) > 1 && b.n < blockCap/4:
			return fmt.Errorf("block %d of %d holds %d intervals, under a quarter of %d", i, len(s.blocks), b.n, blockCap)
		case b.n > 0 && b.end != b.ivs[b.n-1].End || b.n == 0 && b.end != 0:
			return fmt.Errorf("block %d ends at %#x, its last interval at %#x", i, b.end, b.ivs[max(b.n-1, 0)].End)
		}
		for k := b.n; k < blockCap; k++ {
			if b.ivs[k].End != noEnd {
				return fmt.Errorf("block %d: free slot %d ends at %#x, not noEnd", i, k, b.ivs[k].End)
			}
		}
		for j, c := range s.blocks[:i] {
			if c.ivs == b.ivs {
				return fmt.Errorf("blocks %d and %d share an array", j, i)
			}
		}
	}
	return nil
}

// TestCloneOwnsBlocks checks that a clone and its parent change apart.
func TestCloneOwnsBlocks(t *testing.T) {
	s := New(pg)
	for k := range uint64(100) {
		s.Map(2*k*pg, pg, ProtRead, Private)
	}
	c := s.Clone()
	want := s.Intervals()
	c.Unmap(0, 50*pg)
	c.Map(pg, pg, ProtRead, Private)
	c.Protect(100*pg, 10*pg, 0)
	if got := s.Intervals(); !slices.Equal(got, want) {
		t.Fatalf("the parent changed with its clone:\n%v\nwant\n%v", got, want)
	}
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
}
