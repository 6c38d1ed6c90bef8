package lookahead

import (
	"iter"
	"math"
	"slices"
)

// Ageless is the At of a lane that MaxAge never forces out.
const Ageless = math.MaxInt64

// Tree holds rows of type R in lanes, each with a key of type K that is
// its owner's (what the lane waits for); see "Lanes" in the package
// documentation. Write must be set before a row can leave. The zero Tree
// holds DefaultMaxHeld rows and bounds no age.
type Tree[R, K any] struct {
	// MaxHeld is the most rows held in all lanes (DefaultMaxHeld if 0);
	// beyond, Fit forces the oldest top-level lanes out. A negative MaxHeld
	// forces every lane out at the next Fit.
	MaxHeld int
	// MaxAge, if not 0, is the longest the oldest top-level lane is held,
	// in log time (ns from its At): Expire forces it out once older. A
	// negative MaxAge makes the next Expire force out every top-level lane
	// up to the first Ageless one.
	MaxAge int64
	// Write writes rows that leave the tree, a run of one lane's rows at
	// a time, in order; the slice is valid during the call only. (A run
	// rather than a row: strace holds every row of a child that does not
	// exec, and a call for each of them cost more than the row's writing.)
	Write func([]R)
	// Forced, if set, is called for each lane Fit or Expire forces out,
	// before its rows are written: its owner counts it, and gives up what
	// it waited for.
	Forced func(*Lane[R, K])

	tops []*Lane[R, K] // top-level lanes, in the order they became so
	held int
	free [][]R // see newRows
}

// Lane is a run of held rows and sub-lanes, in the order they were
// pushed and opened.
type Lane[R, K any] struct {
	// Key is the owner's: what the lane waits for.
	Key K
	// At is the log time the lane opened, which MaxAge counts from
	// (Ageless for a lane that does not age).
	At int64

	// The rows, and the sub-lanes in the order they came, each with the
	// number of rows before it: most lanes have no sub-lane, and a row
	// pushed is a row appended.
	rows   []R
	subs   []subLane[R, K]
	parent *Lane[R, K] // nil for a top-level lane
	done   bool
}

// subLane is a sub-lane, after the first at rows of its lane.
type subLane[R, K any] struct {
	at  int
	sub *Lane[R, K]
}

// Held returns the number of rows held in all lanes.
func (t *Tree[R, K]) Held() int { return t.held }

// Tops returns the top-level lanes, in the order they became top-level
// (the oldest first). The slice is the tree's: valid until the tree
// changes.
func (t *Tree[R, K]) Tops() []*Lane[R, K] { return t.tops }

// Finished reports whether l was finished (by Finish, a force, Adopt or
// Drain): its rows no longer wait for it.
func (l *Lane[R, K]) Finished() bool { return l.done }

// Holder returns the lane that holds the rows pushed to l: l while it is
// not finished, else its nearest unfinished ancestor; nil if there is none
// (then such rows are not held). l may be nil.
func (l *Lane[R, K]) Holder() *Lane[R, K] {
	for l != nil && l.done {
		l = l.parent
	}
	return l
}

// Open returns a new lane, with key and log time at, after what in's
// Holder holds, or, if in has no Holder (or is nil), a new top-level lane,
// the youngest.
func (t *Tree[R, K]) Open(in *Lane[R, K], key K, at int64) *Lane[R, K] {
	l := &Lane[R, K]{Key: key, At: at, rows: t.newRows()}
	if p := in.Holder(); p != nil {
		l.parent = p
		p.subs = append(p.subs, subLane[R, K]{len(p.rows), l})
	} else {
		t.tops = append(t.tops, l)
	}
	return l
}

// Push holds r at the end of l's Holder and returns true, or returns false
// if l has none: then r is not held, and the caller writes it. Push forces
// nothing out (Fit does), so that the owner can settle what it knows first.
func (t *Tree[R, K]) Push(l *Lane[R, K], r R) bool {
	if l = l.Holder(); l == nil {
		return false
	}
	l.rows = append(l.rows, r)
	t.held++
	return true
}

// Fit forces the oldest top-level lanes out while more than MaxHeld rows
// are held.
func (t *Tree[R, K]) Fit() {
	if t.held > t.MaxHeld { // inlined: most calls end here
		t.fit()
	}
}

func (t *Tree[R, K]) fit() {
	maxHeld := t.MaxHeld
	if maxHeld == 0 {
		maxHeld = DefaultMaxHeld
	}
	for t.held > maxHeld && len(t.tops) > 0 {
		t.force(t.tops[0])
	}
}

// Expire forces out, with MaxAge, the oldest top-level lane while it is
// older than MaxAge at log time now. Like the Queue's head, only the
// oldest top-level lane is looked at: an Ageless one holds back the age of
// those behind it until it finishes.
func (t *Tree[R, K]) Expire(now int64) {
	if t.MaxAge != 0 && len(t.tops) > 0 { // inlined: the converter calls it for every record
		t.expire(now)
	}
}

func (t *Tree[R, K]) expire(now int64) {
	for len(t.tops) > 0 {
		l := t.tops[0]
		if l.At == Ageless || now-l.At <= t.MaxAge {
			return
		}
		t.force(l)
	}
}

// force finishes the top-level lane l before it is known: Forced, then
// written.
func (t *Tree[R, K]) force(l *Lane[R, K]) {
	if t.Forced != nil {
		t.Forced(l)
	}
	t.Finish(l)
}

// Finish says that l no longer waits. A top-level lane is then written
// with its finished sub-lanes (nested ones included), each in its place;
// its unfinished sub-lanes become top-level lanes, the youngest, in order.
// A finished lane inside an unfinished one is written with it. Finishing
// a finished lane does nothing.
func (t *Tree[R, K]) Finish(l *Lane[R, K]) {
	if l.done {
		return
	}
	l.done = true
	if l.parent != nil {
		return // written with its parent
	}
	if i := slices.Index(t.tops, l); i >= 0 {
		t.tops = slices.Delete(t.tops, i, i+1)
	}
	t.write(l)
}

// write writes the rows of the finished lane l, which is leaving the tree.
func (t *Tree[R, K]) write(l *Lane[R, K]) {
	i := 0
	for _, s := range l.subs {
		t.writeRows(l.rows[i:s.at])
		i = s.at
		if s.sub.done {
			t.write(s.sub)
		} else {
			s.sub.parent = nil
			t.tops = append(t.tops, s.sub)
		}
	}
	t.writeRows(l.rows[i:])
	if len(t.free) < maxFreeRows {
		clear(l.rows)
		t.free = append(t.free, l.rows[:0])
	}
	l.rows, l.subs = nil, nil
}

func (t *Tree[R, K]) writeRows(rows []R) {
	if len(rows) > 0 {
		t.held -= len(rows)
		t.Write(rows)
	}
}

// maxFreeRows bounds the written lanes' row slices kept for new lanes:
// a strace child that runs without exec (a forked worker) has all its rows
// held until it exits or MaxHeld forces them out, and growing a fresh
// slice to that size for every such child was most of a memory-heavy log's
// holding cost.
const maxFreeRows = 4

// newRows returns an empty row slice for a new lane, recycled when
// possible.
func (t *Tree[R, K]) newRows() []R {
	if n := len(t.free); n > 0 {
		it := t.free[n-1]
		t.free = t.free[:n-1]
		return it
	}
	return nil
}

// Adopt moves the unfinished top-level lane sub to the end of l: its rows
// (and sub-lanes) then follow l's, it is finished, and rows pushed to it go
// to l's Holder. It reports whether it did: not into a finished lane, not
// a finished or inner lane, nor one that holds l (which would hold itself).
func (t *Tree[R, K]) Adopt(l, sub *Lane[R, K]) bool {
	if l.done || sub.done || sub.parent != nil {
		return false
	}
	for a := l; a != nil; a = a.parent {
		if a == sub {
			return false
		}
	}
	if i := slices.Index(t.tops, sub); i >= 0 {
		t.tops = slices.Delete(t.tops, i, i+1)
	}
	sub.parent, sub.done = l, true
	l.subs = append(l.subs, subLane[R, K]{len(l.rows), sub})
	return true
}

// Drain writes every lane left, finished or not, oldest first, forcing
// nothing (nothing is counted): the end of the input.
func (t *Tree[R, K]) Drain() {
	for len(t.tops) > 0 {
		t.Finish(t.tops[0])
	}
}

// Rows returns the rows held in l itself, in order, not those of its
// sub-lanes; the owner may change them (a pid learnt late).
func (l *Lane[R, K]) Rows() iter.Seq[*R] {
	return func(yield func(*R) bool) {
		for i := range l.rows {
			if !yield(&l.rows[i]) {
				return
			}
		}
	}
}

// All returns the rows held in l and in its sub-lanes (nested ones, and
// unfinished ones, included), in lane order; the owner may change them.
func (l *Lane[R, K]) All() iter.Seq[*R] {
	return func(yield func(*R) bool) { l.all(yield) }
}

func (l *Lane[R, K]) all(yield func(*R) bool) bool {
	i := 0
	for _, s := range l.subs {
		for ; i < s.at; i++ {
			if !yield(&l.rows[i]) {
				return false
			}
		}
		if !s.sub.all(yield) {
			return false
		}
	}
	for ; i < len(l.rows); i++ {
		if !yield(&l.rows[i]) {
			return false
		}
	}
	return true
}
