package lookahead

import (
	"fmt"
	"slices"
	"testing"
)

// treeModel is the reference FuzzTree checks Tree against: the rules of
// "Lanes" in the package documentation on plain nodes, without recycled
// slices, with the held rows counted afresh by walking every lane.
type treeModel struct {
	maxHeld int
	maxAge  int64
	tops    []*mlane
	out     []row // rows written; forced lanes as row{id: -lane}
}

type mlane struct {
	id     int
	at     int64
	parent *mlane
	items  []mitem
	done   bool
}

type mitem struct {
	r   *row
	sub *mlane
}

func (m *treeModel) held() int {
	var count func(l *mlane) int
	count = func(l *mlane) int {
		n := 0
		for _, it := range l.items {
			if it.sub != nil {
				n += count(it.sub)
			} else {
				n++
			}
		}
		return n
	}
	n := 0
	for _, l := range m.tops {
		n += count(l)
	}
	return n
}

// holder is the lane a row pushed to l waits in.
func (m *treeModel) holder(l *mlane) *mlane {
	if l == nil || !l.done {
		return l
	}
	return m.holder(l.parent)
}

func (m *treeModel) open(in *mlane, id int, at int64) *mlane {
	l := &mlane{id: id, at: at}
	if h := m.holder(in); h != nil {
		l.parent = h
		h.items = append(h.items, mitem{sub: l})
	} else {
		m.tops = append(m.tops, l)
	}
	return l
}

// push holds r, or writes it when no lane holds it (as the owner does).
func (m *treeModel) push(l *mlane, r row) {
	if h := m.holder(l); h != nil {
		h.items = append(h.items, mitem{r: &r})
		return
	}
	m.out = append(m.out, r)
}

func (m *treeModel) dropTop(l *mlane) {
	m.tops = slices.DeleteFunc(m.tops, func(x *mlane) bool { return x == l })
}

func (m *treeModel) finish(l *mlane) {
	if l.done {
		return
	}
	l.done = true
	if l.parent == nil {
		m.dropTop(l)
		m.write(l)
	}
}

func (m *treeModel) write(l *mlane) {
	for _, it := range l.items {
		switch {
		case it.sub == nil:
			m.out = append(m.out, *it.r)
		case it.sub.done:
			m.write(it.sub)
		default:
			it.sub.parent = nil
			m.tops = append(m.tops, it.sub)
		}
	}
	l.items = nil
}

func (m *treeModel) force(l *mlane) {
	m.out = append(m.out, row{id: -l.id})
	m.finish(l)
}

func (m *treeModel) fit() {
	for m.held() > m.maxHeld && len(m.tops) > 0 {
		m.force(m.tops[0])
	}
}

func (m *treeModel) expire(now int64) {
	for m.maxAge != 0 && len(m.tops) > 0 && m.tops[0].at != Ageless && now-m.tops[0].at > m.maxAge {
		m.force(m.tops[0])
	}
}

func (m *treeModel) adopt(l, sub *mlane) bool {
	if l.done || sub.done || sub.parent != nil {
		return false
	}
	for a := l; a != nil; a = a.parent {
		if a == sub {
			return false
		}
	}
	m.dropTop(sub)
	sub.parent, sub.done = l, true
	l.items = append(l.items, mitem{sub: sub})
	return true
}

// rows returns the rows of l (and of its sub-lanes if deep), in order.
func (m *treeModel) rows(l *mlane, deep bool) []*row {
	var r []*row
	for _, it := range l.items {
		if it.sub == nil {
			r = append(r, it.r)
		} else if deep {
			r = append(r, m.rows(it.sub, true)...)
		}
	}
	return r
}

// FuzzTree drives a Tree and the model with the same operations (one a
// byte, after two bytes of bounds) and checks that the same rows leave in
// the same order, the same lanes are forced, and the same rows are held
// and iterated, after every operation.
func FuzzTree(f *testing.F) {
	fuzzOps(f, 2, 300, fuzzTree,
		"\x02\x00\x00\x01\x09\x08\x11\x03\x06",
		"\x00\x05\x00\x08\x10\x01\x09\x11\x1c\x04\x0b\x05\x2d\x03",
		"\x03\x03\x00\x00\x08\x08\x01\x09\x19\x21\x0c\x14\x07\x0f\x17\x23")
}

func fuzzTree(t *testing.T, ops []byte) {
	if len(ops) < 2 {
		return
	}
	if len(ops) > 1000 {
		ops = ops[:1000]
	}
	m := &treeModel{maxHeld: 1 + int(ops[0]%8)}
	if ops[0]%9 == 8 {
		m.maxHeld = -1
	}
	if ops[1]%3 != 0 {
		m.maxAge = int64(ops[1] % 32)
	}
	var out []row
	tr := Tree[row, int]{MaxHeld: m.maxHeld, MaxAge: m.maxAge}
	tr.Write = func(r []row) { out = append(out, r...) }
	tr.Forced = func(l *Lane[row, int]) { out = append(out, row{id: -l.Key}) }
	var lanes []*Lane[row, int]
	var mlanes []*mlane
	var now int64
	id := 0
	pick := func(arg int, orNil bool) (*Lane[row, int], *mlane) {
		n := len(lanes)
		if orNil {
			n++
		}
		if n == 0 || arg%n == len(lanes) {
			return nil, nil
		}
		return lanes[arg%n], mlanes[arg%n]
	}
	for i, b := range ops[2:] {
		arg := int(b / 8)
		switch b % 8 {
		case 0: // a lane, in one or top-level
			in, mIn := pick(arg, true)
			at := now
			if arg%5 == 0 {
				at = Ageless
			}
			lanes = append(lanes, tr.Open(in, len(lanes)+1, at))
			mlanes = append(mlanes, m.open(mIn, len(mlanes)+1, at))
		case 1, 2: // a row, pushed as the owner does
			l, ml := pick(arg, true)
			id++
			r := row{id: id, t: now}
			if !tr.Push(l, r) {
				out = append(out, r)
			}
			m.push(ml, r)
			tr.Fit()
			m.fit()
		case 3:
			if l, ml := pick(arg, false); l != nil {
				tr.Finish(l)
				m.finish(ml)
			}
		case 4:
			l, ml := pick(arg, false)
			s, ms := pick(arg/3, false)
			if l != nil {
				if got, want := tr.Adopt(l, s), m.adopt(ml, ms); got != want {
					t.Fatalf("op %d: Adopt(%d, %d) = %v, model %v", i, l.Key, s.Key, got, want)
				}
			}
		case 5:
			now += int64(arg)
			tr.Expire(now)
			m.expire(now)
		case 6:
			tr.Fit()
			m.fit()
		case 7: // rows changed in place, as the owner patches pids
			l, ml := pick(arg, false)
			if l == nil {
				break
			}
			deep := arg%2 == 0
			seq := l.Rows()
			if deep {
				seq = l.All()
			}
			var got []row
			for r := range seq {
				r.t += 1000
				got = append(got, *r)
			}
			var want []row
			for _, r := range m.rows(ml, deep) {
				r.t += 1000
				want = append(want, *r)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("op %d: rows of lane %d (deep %v): %v, model %v", i, l.Key, deep, got, want)
			}
		}
		if tr.Held() != m.held() || !slices.Equal(out, m.out) {
			t.Fatalf("op %d (%d): held %d, wrote %v\nmodel held %d, wrote %v", i, b, tr.Held(), out, m.held(), m.out)
		}
		var tops, mtops []int
		for _, l := range tr.Tops() {
			tops = append(tops, l.Key)
		}
		for _, l := range m.tops {
			mtops = append(mtops, l.id)
		}
		if !slices.Equal(tops, mtops) {
			t.Fatalf("op %d: tops %v, model %v", i, tops, mtops)
		}
		for k, l := range lanes {
			if l.Finished() != mlanes[k].done {
				t.Fatalf("op %d: lane %d finished %v, model %v", i, l.Key, l.Finished(), mlanes[k].done)
			}
		}
	}
	tr.Drain()
	for len(m.tops) > 0 {
		m.finish(m.tops[0])
	}
	if !slices.Equal(out, m.out) || tr.Held() != 0 {
		t.Fatalf("drained: wrote %v (held %d)\nmodel %v", out, tr.Held(), m.out)
	}
	// Every row leaves once.
	seen := map[int]bool{}
	for _, r := range out {
		if r.id > 0 {
			if seen[r.id] {
				t.Fatalf("row %d written twice: %v", r.id, out)
			}
			seen[r.id] = true
		}
	}
	if len(seen) != id {
		t.Fatalf("%d rows written of %d: %v", len(seen), id, fmt.Sprint(out))
	}
}
