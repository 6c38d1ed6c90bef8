package lookahead

import (
	"fmt"
	"strings"
	"testing"
)

// tt is a Tree under test: lanes keyed by a name, what it wrote (rows by
// id, forced lanes as "!name").
type tt struct {
	Tree[row, string]
	out []string
}

func newTT(maxHeld int, maxAge int64) *tt {
	t := &tt{Tree: Tree[row, string]{MaxHeld: maxHeld, MaxAge: maxAge}}
	t.Write = func(rows []row) {
		for _, r := range rows {
			t.out = append(t.out, fmt.Sprint(r.id))
		}
	}
	t.Forced = func(l *Lane[row, string]) { t.out = append(t.out, "!"+l.Key) }
	return t
}

// push pushes row id to l, or writes it as the caller does when no lane
// holds it.
func (t *tt) push(l *Lane[row, string], id int) {
	if !t.Push(l, row{id: id}) {
		t.out = append(t.out, fmt.Sprint(id))
	}
}

// nested opens n lanes named a, b, ..., each in the one before (the first
// top-level), with one row each, 1 to n.
func (t *tt) nested(n int) []*Lane[row, string] {
	var l []*Lane[row, string]
	var in *Lane[row, string]
	for i := range n {
		in = t.Open(in, string(rune('a'+i)), int64(i))
		t.push(in, i+1)
		l = append(l, in)
	}
	return l
}

// written returns what was written, and forgets it.
func (t *tt) written() string {
	s := strings.Join(t.out, " ")
	t.out = nil
	return s
}

func (t *tt) tops() string {
	var b []string
	for _, l := range t.Tops() {
		b = append(b, l.Key)
	}
	return strings.Join(b, " ")
}

// Rows pushed to no lane are not held; a lane holds its rows, and only
// them, until it finishes, then writes them in order.
func TestLaneHoldsItsRows(t *testing.T) {
	tr := newTT(100, 0)
	tr.push(nil, 1)
	a := tr.Open(nil, "a", 0)
	tr.push(a, 2)
	tr.push(nil, 3)
	tr.push(a, 4)
	b := tr.Open(nil, "b", 0)
	tr.push(b, 5)
	if got := tr.written(); got != "1 3" || tr.Held() != 3 || tr.tops() != "a b" {
		t.Fatalf("wrote %q, held %d, tops %q; want 1 3, 3, a b", got, tr.Held(), tr.tops())
	}
	tr.Finish(b)
	tr.Finish(a)
	tr.Finish(a) // nothing more
	if got := tr.written(); got != "5 2 4" || tr.Held() != 0 || tr.tops() != "" || !a.Finished() {
		t.Fatalf("wrote %q, held %d, tops %q; want 5 2 4, 0, none", got, tr.Held(), tr.tops())
	}
	tr.push(a, 6) // a finished top-level lane holds nothing
	if got := tr.written(); got != "6" || tr.Held() != 0 {
		t.Fatalf("pushed to a written lane: wrote %q, held %d", got, tr.Held())
	}
}

// A lane opened in a held lane is its sub-lane: written with its parent
// once finished; rows pushed to it once finished go to the end of the
// parent; an unfinished one becomes top-level when its parent is written.
func TestLaneNested(t *testing.T) {
	tr := newTT(100, 0)
	l := tr.nested(2)
	a, b := l[0], l[1]
	tr.push(a, 3)
	if b.Holder() != b || tr.tops() != "a" {
		t.Fatalf("sub-lane: holder %v, tops %q", b.Holder() == b, tr.tops())
	}
	tr.Finish(b)
	if got := tr.written(); got != "" || b.Holder() != a {
		t.Fatalf("a finished sub-lane of a held lane: wrote %q", got)
	}
	tr.push(b, 4) // after 3, not after 2
	c := tr.Open(b, "c", 2)
	tr.push(c, 5)
	d := tr.Open(c, "d", 3) // a creation in a held child's lane
	tr.push(d, 6)
	tr.Finish(d)
	tr.Finish(a)
	if got := tr.written(); got != "1 2 3 4" || tr.tops() != "c" || tr.Held() != 2 {
		t.Fatalf("parent written: wrote %q, tops %q, held %d; want 1 2 3 4, c, 2", got, tr.tops(), tr.Held())
	}
	tr.push(a, 7)
	tr.Finish(c)
	if got := tr.written(); got != "7 5 6" || tr.tops() != "" || tr.Held() != 0 {
		t.Fatalf("inner lane, now top-level: wrote %q, tops %q, held %d", got, tr.tops(), tr.Held())
	}
	// Two unfinished sub-lanes become top-level in order, after the
	// top-level lanes there were.
	a = tr.Open(nil, "a", 0)
	e := tr.Open(nil, "e", 0)
	b = tr.Open(a, "b", 0)
	c = tr.Open(a, "c", 0)
	tr.Open(b, "x", 0) // inside b: stays inside it
	tr.Finish(a)
	if tr.tops() != "e b c" {
		t.Fatalf("tops %q, want e b c", tr.tops())
	}
	tr.Finish(e)
	tr.Finish(b)
	if tr.tops() != "c x" {
		t.Fatalf("tops %q, want c x", tr.tops())
	}
}

// Beyond MaxHeld rows across all lanes (not at it), Fit forces the
// oldest top-level lane out, telling Forced before its rows are written;
// Push alone forces nothing.
func TestLaneFit(t *testing.T) {
	tr := newTT(3, 0)
	a := tr.Open(nil, "a", 0)
	b := tr.Open(nil, "b", 0)
	tr.push(a, 1)
	tr.push(b, 2)
	inner := tr.Open(a, "i", 0)
	tr.push(inner, 3)
	tr.Fit()
	if got := tr.written(); got != "" {
		t.Fatalf("forced at MaxHeld: %q", got)
	}
	tr.push(b, 4)
	if got := tr.written(); got != "" || tr.Held() != 4 {
		t.Fatalf("Push forced: %q", got)
	}
	tr.Fit()
	if got := tr.written(); got != "!a 1" || tr.tops() != "b i" || tr.Held() != 3 || !a.Finished() || inner.Finished() {
		t.Fatalf("beyond MaxHeld: wrote %q, tops %q, held %d; want !a 1, b i, 3", got, tr.tops(), tr.Held())
	}
	// Several lanes, until the rows fit.
	tr.MaxHeld = 1
	tr.Fit()
	if got := tr.written(); got != "!b 2 4" || tr.Held() != 1 {
		t.Fatalf("MaxHeld 1: wrote %q, held %d", got, tr.Held())
	}
	tr.MaxHeld = -1
	tr.Fit()
	if got := tr.written(); got != "!i 3" || tr.Held() != 0 {
		t.Fatalf("MaxHeld -1: wrote %q", got)
	}
	// The zero Tree holds DefaultMaxHeld rows.
	z := newTT(0, 0)
	l := z.Open(nil, "z", 0)
	for i := range DefaultMaxHeld {
		z.push(l, i)
	}
	if z.Fit(); len(z.out) != 0 {
		t.Fatalf("the zero Tree forced at %d rows", z.Held())
	}
	z.push(l, DefaultMaxHeld)
	if z.Fit(); len(z.out) != DefaultMaxHeld+2 || z.out[0] != "!z" {
		t.Fatalf("the zero Tree at %d rows: wrote %d", DefaultMaxHeld+1, len(z.out))
	}
}

// Expire forces the oldest top-level lane out once older than MaxAge (not
// at it); an Ageless one holds back the lanes behind it; 0 never.
func TestLaneExpire(t *testing.T) {
	tr := newTT(100, 10)
	a := tr.Open(nil, "a", 5)
	tr.push(a, 1)
	o := tr.Open(nil, "o", Ageless)
	tr.push(o, 2)
	c := tr.Open(nil, "c", 6)
	tr.push(c, 3)
	tr.Expire(15)
	if got := tr.written(); got != "" {
		t.Fatalf("forced at MaxAge: %q", got)
	}
	tr.Expire(16)
	if got := tr.written(); got != "!a 1" || tr.tops() != "o c" {
		t.Fatalf("past MaxAge: wrote %q, tops %q", got, tr.tops())
	}
	tr.Expire(1000)
	if got := tr.written(); got != "" {
		t.Fatalf("behind an Ageless lane: wrote %q", got)
	}
	tr.Finish(o)
	tr.Expire(1000)
	if got := tr.written(); got != "2 !c 3" {
		t.Fatalf("once the Ageless lane finished: wrote %q", got)
	}
	tr = newTT(100, 0)
	tr.push(tr.Open(nil, "a", 0), 1)
	if tr.Expire(1 << 60); len(tr.out) != 0 {
		t.Fatalf("MaxAge 0 forced %v", tr.out)
	}
	// A negative MaxAge forces every lane up to the first Ageless one.
	tr = newTT(100, -1)
	tr.push(tr.Open(nil, "a", 7), 1)
	tr.push(tr.Open(nil, "b", 7), 2)
	tr.Open(nil, "o", Ageless)
	tr.push(tr.Open(nil, "c", 7), 3)
	if tr.Expire(7); tr.written() != "!a 1 !b 2" || tr.tops() != "o c" {
		t.Fatalf("MaxAge -1: tops %q", tr.tops())
	}
}

// Adopt moves an unfinished top-level lane to the end of another, where
// its rows, and rows pushed to it later, then wait; it refuses a finished
// or inner lane, and one that holds the adopter.
func TestLaneAdopt(t *testing.T) {
	tr := newTT(100, 0)
	o := tr.Open(nil, "o", Ageless) // rows seen before their creation
	tr.push(o, 2)
	s := tr.Open(o, "s", 0)
	tr.push(s, 3)
	p := tr.Open(nil, "p", 0)
	h := tr.Open(p, "h", 0)
	tr.push(h, 1)
	if tr.Adopt(s, o) || tr.Adopt(o, s) {
		t.Fatalf("adopted a lane that holds the adopter, or an inner one")
	}
	if !tr.Adopt(h, o) || !o.Finished() || tr.tops() != "p" {
		t.Fatalf("Adopt: finished %v, tops %q", o.Finished(), tr.tops())
	}
	if tr.Adopt(p, o) {
		t.Fatalf("adopted a finished lane")
	}
	tr.push(o, 4)
	tr.push(h, 5)
	tr.Finish(h)
	tr.Finish(p)
	if got := tr.written(); got != "1 2 4 5" || tr.tops() != "s" {
		t.Fatalf("wrote %q, tops %q; want 1 2 4 5, s", got, tr.tops())
	}
	if tr.Adopt(p, s) || s.Finished() {
		t.Fatalf("adopted into a written lane")
	}
}

// Rows iterates over a lane's own rows, All over its sub-lanes' too, in
// lane order; both let the owner change the rows before they are written.
func TestLaneRows(t *testing.T) {
	tr := newTT(100, 0)
	l := tr.nested(3)
	a, b, c := l[0], l[1], l[2]
	tr.Finish(b)
	tr.push(a, 4)
	ids := func(seq func(func(*row) bool)) string {
		var s []string
		for r := range seq {
			s = append(s, fmt.Sprint(r.id))
		}
		return strings.Join(s, " ")
	}
	if got := ids(a.Rows()); got != "1 4" {
		t.Fatalf("Rows: %q", got)
	}
	if got := ids(a.All()); got != "1 2 3 4" {
		t.Fatalf("All: %q", got)
	}
	for r := range a.All() {
		if r.id == 3 {
			break // stops early
		}
		r.id *= 10
	}
	for r := range a.Rows() {
		r.id++
	}
	tr.Finish(c)
	tr.Finish(a)
	if got := tr.written(); got != "11 20 3 5" {
		t.Fatalf("changed rows written as %q, want 11 20 3 5", got)
	}
}

// Drain writes every lane left, finished or not, in order, and forces
// nothing.
func TestLaneDrain(t *testing.T) {
	tr := newTT(100, 0)
	l := tr.nested(3)
	x := tr.Open(nil, "x", 0)
	tr.push(x, 4)
	tr.Finish(l[2])
	tr.push(l[0], 5)
	tr.Drain()
	if got := tr.written(); got != "1 5 4 2 3" || tr.Held() != 0 || tr.tops() != "" {
		t.Fatalf("Drain wrote %q, held %d, tops %q; want 1 5 4 2 3", got, tr.Held(), tr.tops())
	}
}
