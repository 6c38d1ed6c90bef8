// Package lookahead holds rows back, in order, while some of them wait for
// what only later input tells. It is the one look-ahead holder of the log
// converters and of both recorder backends, in two shapes over the same
// bounds: a Queue, which holds every row behind a waiting one (package
// trace/bsd, for kdump and truss; package record), and a Tree of lanes,
// which holds only the rows pushed into a waiting lane (package
// trace/strace).
//
// # Model
//
// A Queue is a FIFO of slots. A slot is a row (of any type R) or the place
// of a row not known yet: a converter reserves a slot when a call starts
// and fills it when the call returns, so that rows keep the order of their
// first line. A slot may await outcomes (Slot.Waits): a creation row its
// child's first exec (child_exec_ns), a call its return, a death the
// certainty that nothing follows. Rows leave in queue order: Flush writes
// the slots at the head that await nothing, and a waiting slot holds back
// every slot behind it. A slot left without a row (Has false: a place
// given up, a row dropped) leaves without being written.
//
// # Bounded memory: forced slots
//
// A waiting head is forced out, at the next Flush, when more than MaxHeld
// slots are held or, with MaxAge, when it has waited longer than MaxAge in
// log time (from its At). What happens to it depends on what it is:
//
//   - an ordinary slot is written as it is, without what it still awaited
//     (Slot.Forced is set, and Flush counts it): its owner writes nothing
//     it has not seen, so a forced creation row lacks child_exec_ns;
//   - an attempt (Slot.Attempt: a row written only if its outcome says
//     so, such as an exec_failed row that a successful exec cancels) is
//     not written then, since either outcome is still possible: it is set
//     aside (Slot.Late). If Settle later says to write it, it is pushed
//     again, stamped with the time its outcome was seen; if the queue is
//     drained first, Unsettled lists it, and it is never written.
//
// Memory is therefore bounded by MaxHeld slots, whatever the input, plus
// the attempts set aside.
//
// # Time order
//
// A converter pushes in input order, which is time order. A source whose
// rows arrive slightly out of order (the eBPF ring buffer, which CPUs fill
// concurrently) sets Delay: Push then inserts a slot in At order, and a
// slot leaves only once it is Delay old. With Clamp, a slot's At is never
// earlier than that of the last row written (the owner copies At into its
// row's time), so that the written rows stay in time order even when one
// arrives later than Delay.
//
// # Lanes
//
// A Tree holds rows in lanes instead, so that a wait holds back only the
// rows that must follow what waits: in strace, a creation row and the rows
// of its child until the child's first exec or its exit, while the rows of
// every other process are written at once. A lane is a run of rows and
// sub-lanes in push order; its owner opens it (inside the lane it is
// pushed to, or top-level), pushes rows to it, and finishes it when what
// it waits for is known:
//
//   - a row pushed to no lane is not held: the owner writes it (Push says
//     false);
//   - a row pushed to a finished lane goes to the end of its nearest
//     unfinished ancestor (Holder), or is not held if there is none;
//   - a lane opened in a held lane is its sub-lane (a creation inside a
//     held child's lane): its rows follow what the parent held before it;
//   - a top-level lane is written when it finishes, with its finished
//     sub-lanes in their places; its unfinished sub-lanes become top-level
//     lanes, the youngest; a finished sub-lane is written with its parent;
//   - Adopt moves a top-level lane to the end of another (rows that came
//     before their creation row, now known), finished.
//
// The bounds are the Queue's, over the rows held in all lanes: beyond
// MaxHeld rows (Fit), or when the oldest top-level lane is older than
// MaxAge (Expire, from the lane's At; an Ageless lane, such as one waiting
// for a pid rather than a child, never is, and holds back the age of the
// lanes behind it as a waiting head does in a Queue), the oldest top-level
// lane is forced out: Tree.Forced tells its owner (who counts it) and it
// is written as if finished. Memory is therefore bounded by MaxHeld rows.
// The owner may change held rows in place (Lane.Rows, Lane.All), as strace
// gives rows their pid once it learns it.
package lookahead

// DefaultMaxHeld is MaxHeld when a Queue sets none, and the converters'
// default (textconv.DefaultMaxHeld).
const DefaultMaxHeld = 1 << 16

// Queue holds slots of rows of type R; see the package documentation. The
// zero Queue holds DefaultMaxHeld slots, bounds no age, inserts at the end
// and does not clamp.
type Queue[R any] struct {
	// MaxHeld is the most slots held while the head waits (DefaultMaxHeld
	// if 0); beyond, the head is forced out. A negative MaxHeld forces
	// every waiting head out at the next Flush.
	MaxHeld int
	// MaxAge, if not 0, is the longest a waiting head is held, in log time
	// (ns from its At); an older one is forced out at the next Flush. A
	// negative MaxAge forces every waiting head out at the next Flush.
	MaxAge int64
	// Delay, if positive, makes Push insert in At order, and a slot leave
	// only once it is Delay old.
	Delay int64
	// Clamp makes Push raise a slot's At to that of the last row written.
	Clamp bool

	q    []*Slot[R]
	head int
	free []*Slot[R]
	late map[*Slot[R]]struct{}
	last int64 // At of the last row written
}

// Slot is one row of a Queue, or the place of one. (The fields after Row
// are packed: a Slot of a trace.Event takes the 352-byte size class, as
// textconv's Holder did; one word more took the 384-byte one, and the
// converters allocate a slot for every call they keep a place for.)
type Slot[R any] struct {
	Row R
	// At is the log time of the slot (set by Push): its age, its place
	// with Delay, and (with Clamp) its row's time.
	At int64
	// Waits counts the outcomes the slot still awaits; while it is
	// positive the slot, and every slot behind it, stays.
	Waits int32
	// Has is true when Row is a row to write.
	Has bool
	// Attempt marks a row written only if Settle says so (see the package
	// documentation for one forced out before that).
	Attempt bool
	// Done is true once the slot has left the queue (written, skipped, or
	// set aside).
	Done bool
	// Forced is true when the slot was pushed out by MaxHeld or MaxAge
	// while it waited.
	Forced bool
	// Late is true for an attempt set aside, forced out before Settle.
	Late bool
	// Keep is true for slots something points to: never recycled.
	Keep bool
}

// Len returns the number of slots held (not counting attempts set aside).
func (q *Queue[R]) Len() int { return len(q.q) - q.head }

// Get returns an empty slot, recycled when possible.
func (q *Queue[R]) Get() *Slot[R] {
	if n := len(q.free); n > 0 {
		s := q.free[n-1]
		q.free = q.free[:n-1]
		*s = Slot[R]{}
		return s
	}
	return new(Slot[R])
}

// Push adds s at log time at: at the end, or with Delay in At order
// (after every slot not later than at). With Clamp, s.At is then raised
// to the At of the last row written.
func (q *Queue[R]) Push(s *Slot[R], at int64) {
	i := len(q.q)
	if q.Delay > 0 {
		for i > q.head && q.q[i-1].At > at {
			i--
		}
	}
	if q.Clamp && at < q.last {
		at = q.last
	}
	s.At, s.Done = at, false
	q.q = append(q.q, s)
	if i < len(q.q)-1 {
		copy(q.q[i+1:], q.q[i:])
		q.q[i] = s
	}
}

// rewind moves the slots held to the front of q.q when the queue is empty
// or its head has moved on far enough that the copy is cheap.
func (q *Queue[R]) rewind() {
	switch {
	case q.head == len(q.q):
		q.q, q.head = q.q[:0], 0
	case q.head*2 > len(q.q):
		n := copy(q.q, q.q[q.head:])
		clear(q.q[n:])
		q.q, q.head = q.q[:n], 0
	}
}

// recycle makes s available to Get unless something keeps it. (Get
// clears it: a free slot may point to its last row until then, at most
// as many as were ever held at once.)
func (q *Queue[R]) recycle(s *Slot[R]) {
	if !s.Keep {
		q.free = append(q.free, s)
	}
}

// overdue reports whether the waiting head s must be forced out.
func (q *Queue[R]) overdue(s *Slot[R], now int64) bool {
	maxHeld := q.MaxHeld
	if maxHeld == 0 {
		maxHeld = DefaultMaxHeld
	}
	return q.Len() > maxHeld || q.MaxAge != 0 && now-s.At > q.MaxAge
}

// force takes the waiting head s out without its outcomes: an attempt is
// set aside, anything else will be written as it is (and counts).
func (q *Queue[R]) force(s *Slot[R]) (counted int64) {
	s.Forced, s.Waits = true, 0
	if !s.Attempt {
		return 1
	}
	if q.late == nil {
		q.late = map[*Slot[R]]struct{}{}
	}
	q.late[s] = struct{}{}
	s.Late, s.Has = true, false // not recycled while set aside (see leave)
	return 0
}

// leave takes the head s out of the queue, writes its row if it has
// one, and recycles it.
func (q *Queue[R]) leave(s *Slot[R], out func(*R)) {
	q.q[q.head] = nil
	q.head++
	if q.head == len(q.q) || q.head > 4096 {
		q.rewind()
	}
	s.Done = true
	if s.Has {
		q.last = s.At
		out(&s.Row)
	}
	if !s.Late {
		q.recycle(s)
	}
}

// due reports whether the head s may leave at log time now (with Delay,
// once Delay old; if it waits, once overdue), forcing it if it waits.
func (q *Queue[R]) due(s *Slot[R], now int64) (ok bool, forced int64) {
	if q.Delay > 0 && now-s.At < q.Delay {
		return false, 0
	}
	if s.Waits > 0 {
		if !q.overdue(s, now) {
			return false, 0
		}
		return true, q.force(s)
	}
	return true, 0
}

// Flush writes, with out, the rows at the head that await nothing (and,
// with Delay, are Delay old at log time now), forcing out waiting ones
// that are overdue at now. It returns the number of slots forced out
// (attempts set aside are not counted).
func (q *Queue[R]) Flush(now int64, out func(*R)) (forced int64) {
	for q.head < len(q.q) {
		s := q.q[q.head]
		if s.Waits > 0 || q.Delay > 0 {
			ok, n := q.due(s, now)
			if !ok {
				break
			}
			forced += n
		}
		q.leave(s, out)
	}
	return forced
}

// Drain writes every row left, in order, waiting or not, for which keep
// (if not nil) says yes: the end of the input. Waiting slots are forced
// out as by Flush (attempts set aside, see Unsettled); it returns the
// number of slots forced out.
func (q *Queue[R]) Drain(out func(*R), keep func(*R) bool) (forced int64) {
	for q.head < len(q.q) {
		s := q.q[q.head]
		if s.Waits > 0 {
			forced += q.force(s)
		}
		if keep != nil && s.Has && !keep(&s.Row) {
			s.Has = false
		}
		q.leave(s, out)
	}
	return forced
}

// Settle gives an attempt its outcome: write says whether its row is to
// be written. An attempt still queued stops waiting (and, if not written,
// leaves as a slot without a row). One set aside is pushed again at log
// time now if it is to be written, and forgotten. Settle returns whether a
// row is written or queued for the attempt: false for a slot that left
// the queue otherwise (it was settled already).
func (q *Queue[R]) Settle(s *Slot[R], write bool, now int64) bool {
	switch {
	case s.Late:
		delete(q.late, s)
		s.Late, s.Forced = false, false
		if write {
			s.Has, s.Attempt = true, false
			q.Push(s, now)
		}
		return write
	case s.Done:
		return false
	}
	s.Waits, s.Has = 0, write
	return write
}

// Unsettled returns the attempts set aside that Settle never reached, and
// forgets them: at the end of the input, their outcome is unknown.
func (q *Queue[R]) Unsettled() []*Slot[R] {
	var r []*Slot[R]
	for s := range q.late {
		r = append(r, s)
	}
	q.late = nil
	return r
}
