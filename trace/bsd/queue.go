package bsd

import "github.com/forkcost/forkcost/trace"

// slot is one row of the output queue. Rows are written in queue order; a
// slot that waits (a call whose return has not come, a creation waiting for
// its child's first exec, a death not yet certain, a child not yet claimed
// by its parent) holds back every row behind it.
type slot struct {
	ev   trace.Event
	has  bool // ev is a row to write
	wait bool // must not be written yet
	done bool // left the queue (written, or skipped when forced out)
	// forced is true when the slot was pushed out by MaxHeld while waiting.
	forced bool
	// keep is true for slots something points to: never recycled.
	keep bool
}

type queue struct {
	q    []*slot
	head int
	free []*slot
}

func (q *queue) len() int { return len(q.q) - q.head }

func (q *queue) get() *slot {
	if n := len(q.free); n > 0 {
		s := q.free[n-1]
		q.free = q.free[:n-1]
		*s = slot{}
		return s
	}
	return new(slot)
}

func (q *queue) push(s *slot) {
	q.q = append(q.q, s)
}

// pop removes the head slot.
func (q *queue) pop() *slot {
	s := q.q[q.head]
	q.q[q.head] = nil
	q.head++
	if q.head > 4096 && q.head*2 > len(q.q) {
		n := copy(q.q, q.q[q.head:])
		clear(q.q[n:])
		q.q = q.q[:n]
		q.head = 0
	}
	return s
}

func (q *queue) peek() *slot {
	if q.head == len(q.q) {
		return nil
	}
	return q.q[q.head]
}
