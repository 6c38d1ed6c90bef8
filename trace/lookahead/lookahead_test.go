package lookahead

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// row is the tests' row: an id, and a time the owner copies from At (as
// the recorder does, for Clamp).
type row struct {
	id int
	t  int64
}

// tq is a Queue under test with what it wrote.
type tq struct {
	Queue[row]
	out    []row
	forced int64
}

func (q *tq) write(r *row) { q.out = append(q.out, *r) }

// push adds a row (id, at) that waits for n outcomes.
func (q *tq) push(id int, at int64, n int) *Slot[row] {
	s := q.Get()
	s.Row, s.Has, s.Waits, s.Keep = row{id: id}, true, int32(n), true
	q.Push(s, at)
	s.Row.t = s.At
	return s
}

func (q *tq) flush(now int64) { q.forced += q.Flush(now, q.write) }

// ids returns the ids written, and forgets them.
func (q *tq) ids() string {
	var b []string
	for _, r := range q.out {
		b = append(b, fmt.Sprint(r.id))
	}
	q.out = nil
	return strings.Join(b, " ")
}

// Rows leave in the order they were pushed; a waiting slot holds back the
// slots behind it, not those before it.
func TestOrderedRelease(t *testing.T) {
	var q tq
	q.push(1, 1, 0)
	w := q.push(2, 2, 1)
	q.push(3, 3, 0)
	v := q.push(4, 4, 1)
	q.push(5, 5, 0)
	q.flush(5)
	if got := q.ids(); got != "1" || q.Len() != 4 {
		t.Fatalf("wrote %q with %d held, want 1 with 4 held", got, q.Len())
	}
	v.Waits = 0 // the later one first: still behind 2
	q.flush(6)
	if got := q.ids(); got != "" {
		t.Fatalf("wrote %q behind a waiting slot", got)
	}
	w.Waits = 0
	q.flush(7)
	if got := q.ids(); got != "2 3 4 5" || q.Len() != 0 || !w.Done || q.forced != 0 {
		t.Fatalf("wrote %q, %d held, done %v, forced %d", got, q.Len(), w.Done, q.forced)
	}
}

// A slot awaiting several outcomes leaves only after the last.
func TestWaitsOutcomes(t *testing.T) {
	var q tq
	w := q.push(1, 0, 3)
	q.push(2, 1, 0)
	for i := range 3 {
		q.flush(int64(10 + i))
		if got := q.ids(); got != "" {
			t.Fatalf("with %d outcomes awaited, wrote %q", w.Waits, got)
		}
		w.Row.t = 100 + int64(i) // outcomes fill the row in place
		w.Waits--
	}
	q.flush(20)
	if got := q.out; len(got) != 2 || got[0] != (row{1, 102}) {
		t.Fatalf("wrote %v, want row 1 as last filled in, then 2", got)
	}
}

// Beyond MaxHeld slots, the waiting head is forced out as it is, and
// counted; at MaxHeld it stays.
func TestForcedByMaxHeld(t *testing.T) {
	q := tq{Queue: Queue[row]{MaxHeld: 3}}
	w := q.push(1, 0, 1)
	q.push(2, 1, 0)
	q.push(3, 2, 0)
	q.flush(2)
	if len(q.out) != 0 || w.Forced {
		t.Fatalf("forced at MaxHeld: wrote %v", q.out)
	}
	q.push(4, 3, 0)
	q.flush(3)
	if got := q.ids(); got != "1 2 3 4" || !w.Forced || q.forced != 1 || w.Row.t != 0 {
		t.Fatalf("beyond MaxHeld: wrote %q, forced %v (%d)", got, w.Forced, q.forced)
	}
	// A negative MaxHeld holds none while the head waits.
	q = tq{Queue: Queue[row]{MaxHeld: -1}}
	q.push(1, 0, 1)
	if q.flush(0); q.ids() != "1" || q.forced != 1 {
		t.Fatalf("MaxHeld -1: the waiting row stayed")
	}
	// The zero Queue holds DefaultMaxHeld slots.
	var z tq
	z.push(0, 0, 1)
	for i := 1; i < DefaultMaxHeld; i++ {
		z.push(i, 0, 0)
	}
	if z.flush(0); len(z.out) != 0 {
		t.Fatalf("the zero Queue forced its head at %d slots", z.Len())
	}
	z.push(DefaultMaxHeld, 0, 0)
	if z.flush(0); len(z.out) != DefaultMaxHeld+1 || z.forced != 1 {
		t.Fatalf("the zero Queue at %d slots: wrote %d rows", DefaultMaxHeld+1, len(z.out))
	}
}

// A waiting head older than MaxAge (from its At) is forced out at the next
// Flush; at MaxAge it stays. A negative MaxAge forces at once; 0 never.
func TestForcedByMaxAge(t *testing.T) {
	q := tq{Queue: Queue[row]{MaxAge: 10}}
	w := q.push(1, 5, 1)
	q.push(2, 6, 0)
	q.flush(15)
	if len(q.out) != 0 {
		t.Fatalf("forced at MaxAge: %v", q.out)
	}
	q.flush(16)
	if got := q.ids(); got != "1 2" || !w.Forced || q.forced != 1 {
		t.Fatalf("past MaxAge: wrote %q, forced %d", got, q.forced)
	}
	q = tq{Queue: Queue[row]{MaxAge: -1}}
	q.push(1, 5, 1)
	q.flush(5)
	if got := q.ids(); got != "1" {
		t.Fatalf("MaxAge -1: wrote %q, want the waiting row at once", got)
	}
	q = tq{}
	q.push(1, 5, 1)
	q.flush(1 << 62)
	if len(q.out) != 0 {
		t.Fatalf("MaxAge 0 forced a row out: %v", q.out)
	}
}

// A slot without a row leaves without being written, but holds its
// place (and counts towards MaxHeld) while it waits; Drain's keep drops
// rows too.
func TestDrop(t *testing.T) {
	q := tq{Queue: Queue[row]{MaxHeld: 2}}
	p := q.push(1, 0, 1)
	p.Has = false // a place given up while it still waits
	q.push(2, 1, 0)
	q.flush(1)
	if len(q.out) != 0 || q.Len() != 2 {
		t.Fatalf("wrote %v, %d held", q.out, q.Len())
	}
	q.push(3, 2, 0)
	q.flush(2) // three slots: forced out, yet nothing to write for it
	if got := q.ids(); got != "2 3" || q.forced != 1 {
		t.Fatalf("wrote %q, forced %d", got, q.forced)
	}
	q.push(4, 3, 1)
	q.push(5, 4, 0)
	q.Drain(q.write, func(r *row) bool { return r.id != 5 })
	if got := q.ids(); got != "4" || q.Len() != 0 {
		t.Fatalf("Drain wrote %q", got)
	}
}

// An attempt forced out is not written, nor counted: it is set aside,
// written when Settle says so (stamped then, at the end), and listed by
// Unsettled if Settle never comes.
func TestLateAttempt(t *testing.T) {
	q := tq{Queue: Queue[row]{MaxAge: 10}}
	attempt := func(id int, at int64) *Slot[row] {
		s := q.push(id, at, 1)
		s.Attempt = true
		return s
	}
	failed, succeeded, unknown := attempt(1, 0), attempt(2, 1), attempt(3, 2)
	kept, dropped := attempt(4, 30), attempt(5, 31)
	q.push(6, 32, 0)
	q.flush(32)
	if len(q.out) != 0 || q.forced != 0 || !failed.Late || !unknown.Late || q.Len() != 3 {
		t.Fatalf("after forcing attempts: wrote %v, forced %d, %d held", q.out, q.forced, q.Len())
	}
	if !q.Settle(kept, true, 33) || q.Settle(dropped, false, 33) {
		t.Fatalf("Settle of queued attempts")
	}
	q.push(7, 34, 0)
	if !q.Settle(failed, true, 35) || q.Settle(succeeded, false, 35) {
		t.Fatalf("Settle of attempts set aside")
	}
	failed.Row.t = failed.At
	q.flush(35)
	if got := q.out; fmt.Sprint(got) != "[{4 30} {6 32} {7 34} {1 35}]" {
		t.Fatalf("wrote %v: want 5 dropped, and 1 last, at the time it failed", got)
	}
	if q.Settle(failed, true, 40) || q.Settle(kept, true, 40) {
		t.Fatalf("Settle again said a row was written")
	}
	// At the end, an attempt still waiting is set aside too, and a
	// waiting row written as it is, counted.
	pending := attempt(8, 41)
	q.push(9, 42, 1)
	if n := q.Drain(q.write, nil); n != 1 {
		t.Errorf("Drain forced %d rows out, want 1", n)
	}
	u := q.Unsettled()
	slices.SortFunc(u, func(a, b *Slot[row]) int { return a.Row.id - b.Row.id })
	if len(u) != 2 || u[0] != unknown || u[1] != pending || len(q.Unsettled()) != 0 {
		t.Fatalf("Unsettled %v", u)
	}
	if got := fmt.Sprint(q.out[4:]); got != "[{9 42}]" {
		t.Fatalf("Drain wrote %s", got)
	}
}

// With Delay, rows pushed out of order leave in At order (pushes at one
// time in push order), and only once Delay old.
func TestDelayInsertion(t *testing.T) {
	q := tq{Queue: Queue[row]{Delay: 10}}
	for i, at := range []int64{5, 3, 9, 3, 1, 12} {
		q.push(i, at, 0)
	}
	q.flush(12)
	if got := q.ids(); got != "4" {
		t.Fatalf("at 12 wrote %q, want the row of time 1 alone", got)
	}
	q.flush(13)
	if got := q.ids(); got != "1 3" {
		t.Fatalf("at 13 wrote %q, want the rows of time 3 in push order", got)
	}
	q.flush(100)
	if got := q.ids(); got != "0 2 5" {
		t.Fatalf("wrote %q", got)
	}
	// A late row goes before the queued rows it precedes, and leaves
	// when it is Delay old even if they are not.
	q.push(6, 50, 0)
	q.push(7, 40, 0)
	q.flush(55)
	if got := q.ids(); got != "7" {
		t.Fatalf("wrote %q", got)
	}
}

// With Clamp, a row is never stamped earlier than the last row written;
// without, it keeps its time.
func TestClamp(t *testing.T) {
	for _, clamp := range []bool{false, true} {
		q := tq{Queue: Queue[row]{Clamp: clamp}}
		q.push(1, 50, 0)
		q.flush(50)
		q.push(2, 30, 0)
		q.push(4, 60, 0)
		w := q.push(3, 70, 1)
		w.Has = false // left without a row: not the last row written
		w.Waits = 0
		q.flush(70)
		q.push(5, 55, 0) // the last row written is 4, at 60
		q.flush(70)
		want := "[{1 50} {2 30} {4 60} {5 55}]"
		if clamp {
			want = "[{1 50} {2 50} {4 60} {5 60}]"
		}
		if got := fmt.Sprint(q.out); got != want {
			t.Errorf("clamp %v: wrote %s, want %s", clamp, got, want)
		}
	}
}

// Slots kept are never handed out again; others are, cleared. Many rows
// through the queue do not change its order (compaction).
func TestRecycle(t *testing.T) {
	var q Queue[*int]
	var out []int
	write := func(p **int) { out = append(out, **p) }
	kept, free := q.Get(), q.Get()
	kept.Keep = true
	for _, s := range []*Slot[*int]{kept, free} {
		v := len(out) + 1
		s.Row, s.Has = &v, true
		q.Push(s, 0)
	}
	q.Flush(0, write)
	if kept.Row == nil || !kept.Done {
		t.Fatalf("after leaving: kept row %v", kept.Row)
	}
	if s := q.Get(); s == kept || s != free || s.Done || s.Has || s.Row != nil {
		t.Fatalf("Get returned %p (kept %p, free %p), done %v, row %v", s, kept, free, s.Done, s.Row)
	}
	w := q.Get()
	w.Waits = 1
	q.Push(w, 0)
	for i := range 20000 {
		s := q.Get()
		v := i
		s.Row, s.Has = &v, true
		q.Push(s, 0)
		if i%3 == 0 {
			q.Flush(0, write)
		}
	}
	w.Waits = 0
	out = out[:0]
	q.Flush(0, write)
	if len(out) != 20000 || !slices.IsSorted(out) {
		t.Fatalf("wrote %d rows, sorted %v", len(out), slices.IsSorted(out))
	}
	// A waiting slot always at the tail: the head moves on, the queue is
	// compacted.
	out = out[:0]
	for i := range 20000 {
		s := q.Get()
		v := i
		s.Row, s.Has = &v, true
		q.Push(s, 0)
		next := q.Get()
		next.Waits, next.Keep = 1, true
		q.Push(next, 0)
		w.Waits = 0
		q.Flush(0, write)
		w = next
	}
	if len(out) != 20000 || !slices.IsSorted(out) || q.Len() != 1 || len(q.q) > 8194 {
		t.Fatalf("wrote %d rows (sorted %v), %d held in %d", len(out), slices.IsSorted(out), q.Len(), len(q.q))
	}
}
