package record

import (
	"fmt"
	"slices"
	"time"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/lookahead"
)

// Rows are written in time order, but some are complete only later: a
// creation row's child_exec_ns is known when the child execs (and, from
// the eBPF backend, its parent_blocked_ns and post_create_faults when the
// parent's call returns and its fault window closes), and an exec attempt
// is known to have failed only from its thread's next event (ptrace). The
// emitter therefore holds rows back in a lookahead.Queue while the oldest
// queued row awaits an outcome, until maxHoldRows rows are held or it is
// maxHoldNs old. A held row is never written with a guessed outcome:
//
//   - a creation row forced out by the bound is written as it is: the
//     fields still awaited are null, which the schema documents as "not
//     known" (counted in Stats.Unresolved);
//   - an exec attempt forced out by the bound is not written then; if it
//     later turns out to have failed, its exec_failed row is written with
//     the time its failure was seen, and if it succeeded, nothing (the exec
//     row stands for it). An attempt whose outcome is still not known when
//     the recording ends is not written as a row but listed in the trace's
//     metadata (forkcost.unknown_exec_attempts, see MetaUnknownExec).
//
// A backend whose events arrive slightly out of time order (the eBPF ring
// buffer, which CPUs fill concurrently) sets delay: rows are then inserted
// in time order and written only once they are delay old. Either way a
// row is never stamped earlier than the last row written (the queue's
// Clamp), so that the trace stays in time order.
var (
	maxHoldRows = 8192
	maxHoldNs   = int64(2 * time.Second)
)

// MetaUnknownExec is the metadata key listing the exec attempts whose
// outcome was not known when the recording ended, one per line:
// "pid PID at TIME_NS ns: PATH".
const MetaUnknownExec = "forkcost.unknown_exec_attempts"

// emitter is the recorder's lookahead.Queue: it keys held rows by their
// event (which the backends fill in as outcomes come), writes to w, and
// counts the creation rows forced out.
type emitter struct {
	w     interface{ Append(*trace.Event) error }
	delay int64
	q     lookahead.Queue[*trace.Event]
	ready bool
	// held maps each row that awaits outcomes (and each exec attempt set
	// aside) to its slot; an entry whose slot was forced out is dropped
	// when an outcome comes for it.
	held map[*trace.Event]*lookahead.Slot[*trace.Event]
	err  error // the first write error
	// forced counts the creation rows written before all their outcomes
	// were known.
	forced int64
}

// setup gives the queue its bounds, read when the emitter is first used
// (tests change them). The queue forces a head out beyond its bounds, the
// emitter at them: at maxHoldRows rows held, and once maxHoldNs old. In
// the queue, 0 means its default or no bound, and -1 forces at once: so
// maxHoldRows 1 is passed as -1, and maxHoldNs must not be 1 (0 forces at
// once, as the tests use it).
func (e *emitter) setup() {
	if !e.ready {
		e.q.MaxHeld, e.q.MaxAge = maxHoldRows-1, maxHoldNs-1
		if e.q.MaxHeld == 0 {
			e.q.MaxHeld = -1
		}
		e.q.Delay, e.q.Clamp = e.delay, true
		e.held = map[*trace.Event]*lookahead.Slot[*trace.Event]{}
		e.ready = true
	}
}

// add queues a row that waits for nothing.
func (e *emitter) add(ev *trace.Event) { e.insert(ev, 0, false) }

// insert queues ev in time order (rows come in time order from ptrace;
// from eBPF nearly so), never before a row already written.
func (e *emitter) insert(ev *trace.Event, waits int, attempt bool) {
	e.setup()
	s := e.q.Get()
	s.Row, s.Has, s.Waits, s.Attempt = ev, true, int32(waits), attempt
	if waits > 0 {
		s.Keep = true
		e.held[ev] = s
	}
	e.q.Push(s, ev.TimeNs)
	ev.TimeNs = s.At
}

// hold queues a row that waits for n outcomes (done is called for each).
func (e *emitter) hold(ev *trace.Event, n int) { e.insert(ev, max(n, 0), false) }

// addCreation queues a ptrace creation row, which waits for its child's
// first exec or exit.
func (e *emitter) addCreation(ev *trace.Event) { e.hold(ev, 1) }

// open returns the slot of a row still queued and awaiting outcomes.
func (e *emitter) open(ev *trace.Event) *lookahead.Slot[*trace.Event] {
	s := e.held[ev]
	if s != nil && (s.Done || s.Waits <= 0) {
		if !s.Late { // an attempt set aside waits for settle
			delete(e.held, ev)
		}
		return nil
	}
	return s
}

// done records that one outcome of a held row is known (the caller has
// set its fields). It returns false if the row was written already.
func (e *emitter) done(ev *trace.Event) bool {
	s := e.open(ev)
	if s == nil {
		return false
	}
	if s.Waits--; s.Waits <= 0 {
		delete(e.held, ev)
	}
	return true
}

// resolve closes an open creation row: its child exec'd at ns (ok) or
// ended without exec'ing.
func (e *emitter) resolve(ev *trace.Event, ns int64, ok bool) {
	if e.open(ev) == nil {
		return // already written
	}
	if ok {
		ev.ChildExecNs, ev.HasChildExec = ns, true
	}
	e.done(ev)
}

// addPending queues an exec attempt's exec_failed row, held until settle
// says whether the attempt failed.
func (e *emitter) addPending(ev *trace.Event) { e.insert(ev, 1, true) }

// settle closes an exec attempt's row: written if the attempt failed
// (keep), dropped if it succeeded. An attempt that was forced out of the
// queue before its outcome is written now, stamped now, if it failed. It
// returns whether a row was written or queued for the attempt.
func (e *emitter) settle(ev *trace.Event, keep bool, now int64) bool {
	s := e.held[ev]
	if s == nil {
		return false
	}
	delete(e.held, ev)
	if !e.q.Settle(s, keep, now) {
		return false
	}
	ev.TimeNs = s.At
	return true
}

// write is the queue's output.
func (e *emitter) write(ev **trace.Event) {
	if e.err == nil {
		e.err = e.w.Append(*ev)
	}
}

// flush writes the queued rows that no longer wait for anything.
func (e *emitter) flush(now int64) error {
	e.setup()
	e.forced += e.q.Flush(now, e.write)
	return e.err
}

// drain writes everything still queued, at the end of a recording: rows
// still awaiting outcomes go out without them, exec attempts whose
// outcome is unknown are returned (for MetaUnknownExec), not written.
func (e *emitter) drain() (unknown []string, err error) {
	e.setup()
	e.forced += e.q.Drain(e.write, nil)
	for _, s := range e.q.Unsettled() {
		ev := s.Row
		unknown = append(unknown, fmt.Sprintf("pid %d at %d ns: %s", ev.PID, ev.TimeNs, ev.ExecPath))
	}
	clear(e.held)
	slices.Sort(unknown)
	return unknown, e.err
}
