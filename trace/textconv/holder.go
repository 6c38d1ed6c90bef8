package textconv

import "github.com/forkcost/forkcost/trace"

// Holder holds rows back, in order, while some of them wait for what only
// later lines tell: a creation row for its child's first exec
// (child_exec_ns), a call for its return, a death for the certainty that
// nothing follows. Rows leave in the order they were pushed; a waiting
// slot holds back every row behind it, and is itself forced out (written
// as it is, counted) when more than MaxHeld rows are held or, with MaxAge,
// when it has waited longer than MaxAge in log time. Memory is therefore
// bounded by MaxHeld, whatever the log.
type Holder struct {
	// MaxHeld is the most rows held (DefaultMaxHeld if 0).
	MaxHeld int
	// MaxAge, if positive, is the longest a slot waits, in log time (ns).
	MaxAge int64

	q    []*Slot
	head int
	free []*Slot
}

// Slot is one row of a Holder.
type Slot struct {
	Ev   trace.Event
	Has  bool // Ev is a row to write
	Wait bool // must not be written yet
	Done bool // left the holder (written, or skipped)
	// Forced is true when the slot was pushed out by MaxHeld or MaxAge
	// while it waited.
	Forced bool
	// Keep is true for slots something points to: never recycled.
	Keep bool
	// At is the log time the slot was pushed at (for MaxAge).
	At int64
}

// Len returns the number of rows held.
func (h *Holder) Len() int { return len(h.q) - h.head }

// Get returns an empty slot, recycled when possible.
func (h *Holder) Get() *Slot {
	if n := len(h.free); n > 0 {
		s := h.free[n-1]
		h.free = h.free[:n-1]
		*s = Slot{}
		return s
	}
	return new(Slot)
}

// Push adds s at the end, at log time now.
func (h *Holder) Push(s *Slot, now int64) {
	s.At = now
	h.q = append(h.q, s)
}

// Peek returns the head slot, or nil.
func (h *Holder) Peek() *Slot {
	if h.head == len(h.q) {
		return nil
	}
	return h.q[h.head]
}

// Pop removes the head slot and marks it done.
func (h *Holder) Pop() *Slot {
	s := h.q[h.head]
	h.q[h.head] = nil
	h.head++
	if h.head > 4096 && h.head*2 > len(h.q) {
		n := copy(h.q, h.q[h.head:])
		clear(h.q[n:])
		h.q = h.q[:n]
		h.head = 0
	}
	s.Done = true
	return s
}

// recycle makes s available to Get unless something keeps it.
func (h *Holder) recycle(s *Slot) {
	if !s.Keep {
		h.free = append(h.free, s)
	}
}

// overdue reports whether the waiting head s must be forced out.
func (h *Holder) overdue(s *Slot, now int64) bool {
	maxHeld := h.MaxHeld
	if maxHeld <= 0 {
		maxHeld = DefaultMaxHeld
	}
	return h.Len() > maxHeld || h.MaxAge > 0 && now-s.At > h.MaxAge
}

// Flush writes, with out, the rows at the head that wait for nothing,
// forcing out waiting ones that are overdue at log time now. It returns
// the number of slots forced out.
func (h *Holder) Flush(now int64, out func(*trace.Event)) (forced int64) {
	for {
		s := h.Peek()
		if s == nil {
			return forced
		}
		if s.Wait {
			if !h.overdue(s, now) {
				return forced
			}
			forced++
			s.Forced, s.Wait = true, false
		}
		h.Pop()
		if s.Has {
			out(&s.Ev)
		}
		h.recycle(s)
	}
}

// Drain writes every row left, waiting or not, for which keep (if not
// nil) says yes: the end of a conversion.
func (h *Holder) Drain(out func(*trace.Event), keep func(*trace.Event) bool) {
	for s := h.Peek(); s != nil; s = h.Peek() {
		h.Pop()
		if s.Has && (keep == nil || keep(&s.Ev)) {
			out(&s.Ev)
		}
		h.recycle(s)
	}
}
