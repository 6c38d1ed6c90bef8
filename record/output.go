package record

import (
	"fmt"
	"slices"
	"time"

	"github.com/forkcost/forkcost/trace"
)

// Rows are written in time order, but some are complete only later: a
// creation row's child_exec_ns is known when the child execs (and, from
// the eBPF backend, its parent_blocked_ns and post_create_faults when the
// parent's call returns and its fault window closes), and an exec attempt
// is known to have failed only from its thread's next event (ptrace). The
// emitter therefore holds rows back while the oldest queued row awaits an
// outcome, up to maxHoldRows rows or maxHoldNs. A held row is never
// written with a guessed outcome:
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
// in time order and written only once they are delay old.
var (
	maxHoldRows = 8192
	maxHoldNs   = int64(2 * time.Second)
)

// MetaUnknownExec is the metadata key listing the exec attempts whose
// outcome was not known when the recording ended, one per line:
// "pid PID at TIME_NS ns: PATH".
const MetaUnknownExec = "forkcost.unknown_exec_attempts"

type queued struct {
	ev      *trace.Event
	waits   int  // outcomes still awaited (0: ready)
	attempt bool // an exec attempt: written only if it failed
	drop    bool // an exec attempt that succeeded: not written
}

type emitter struct {
	w     interface{ Append(*trace.Event) error }
	q     []queued
	head  int
	open  map[*trace.Event]int  // held row → index in q
	late  map[*trace.Event]bool // exec attempts forced out before their outcome
	delay int64
	last  int64 // time of the last row written
	// forced counts the creation rows written before all their outcomes
	// were known.
	forced int64
}

// add queues a row that waits for nothing.
func (e *emitter) add(ev *trace.Event) {
	e.insert(queued{ev: ev})
}

// insert queues it in time order (rows come in time order from ptrace;
// from eBPF nearly so).
func (e *emitter) insert(it queued) {
	i := len(e.q)
	if e.delay > 0 {
		for i > e.head && e.q[i-1].ev.TimeNs > it.ev.TimeNs {
			i--
		}
	}
	if it.ev.TimeNs < e.last {
		it.ev.TimeNs = e.last // never before a row already written
	}
	if i == len(e.q) {
		if it.waits > 0 {
			e.track(it.ev, i)
		}
		e.q = append(e.q, it)
		return
	}
	e.q = append(e.q, queued{})
	copy(e.q[i+1:], e.q[i:])
	e.q[i] = it
	for k, v := range e.open {
		if v >= i {
			e.open[k] = v + 1
		}
	}
	if it.waits > 0 {
		e.track(it.ev, i)
	}
}

func (e *emitter) track(ev *trace.Event, i int) {
	if e.open == nil {
		e.open = map[*trace.Event]int{}
	}
	e.open[ev] = i
}

// hold queues a row that waits for n outcomes (done is called for each).
func (e *emitter) hold(ev *trace.Event, n int) {
	if n <= 0 {
		e.add(ev)
		return
	}
	e.insert(queued{ev: ev, waits: n})
}

// addCreation queues a ptrace creation row, which waits for its child's
// first exec or exit.
func (e *emitter) addCreation(ev *trace.Event) { e.hold(ev, 1) }

// done records that one outcome of a held row is known (the caller has
// set its fields). It returns false if the row was written already.
func (e *emitter) done(ev *trace.Event) bool {
	i, found := e.open[ev]
	if !found {
		return false
	}
	if e.q[i].waits--; e.q[i].waits <= 0 {
		delete(e.open, ev)
	}
	return true
}

// resolve closes an open creation row: its child exec'd at ns (ok) or
// ended without exec'ing.
func (e *emitter) resolve(ev *trace.Event, ns int64, ok bool) {
	if _, found := e.open[ev]; !found {
		return // already written
	}
	if ok {
		ev.ChildExecNs, ev.HasChildExec = ns, true
	}
	e.done(ev)
}

// addPending queues an exec attempt's exec_failed row, held until settle
// says whether the attempt failed.
func (e *emitter) addPending(ev *trace.Event) {
	e.insert(queued{ev: ev, waits: 1, attempt: true})
}

// settle closes an exec attempt's row: written if the attempt failed
// (keep), dropped if it succeeded. An attempt that was forced out of the
// queue before its outcome is written now, stamped now, if it failed. It
// returns whether a row was written or queued for the attempt.
func (e *emitter) settle(ev *trace.Event, keep bool, now int64) bool {
	if e.late[ev] {
		delete(e.late, ev)
		if keep {
			ev.TimeNs = now
			e.add(ev)
		}
		return keep
	}
	i, found := e.open[ev]
	if !found {
		return false
	}
	delete(e.open, ev)
	e.q[i].waits = 0
	e.q[i].drop = !keep
	return keep
}

// flush writes the queued rows that no longer wait for anything.
func (e *emitter) flush(now int64) error {
	for e.head < len(e.q) {
		it := &e.q[e.head]
		if e.delay > 0 && now-it.ev.TimeNs < e.delay && now != 0 {
			break
		}
		if it.waits > 0 {
			if len(e.q)-e.head < maxHoldRows && now-it.ev.TimeNs < maxHoldNs && now != 0 {
				break
			}
			delete(e.open, it.ev)
			it.waits = 0
			if it.attempt {
				// Its outcome is not known: not written now (see above).
				if e.late == nil {
					e.late = map[*trace.Event]bool{}
				}
				e.late[it.ev] = true
				it.drop = true
			} else {
				e.forced++
			}
		}
		if !it.drop {
			if err := e.w.Append(it.ev); err != nil {
				return err
			}
			e.last = it.ev.TimeNs
		}
		it.ev, it.drop = nil, false
		e.head++
	}
	if e.head == len(e.q) {
		e.q, e.head = e.q[:0], 0
	} else if e.head > 4096 && e.head*2 > len(e.q) {
		n := copy(e.q, e.q[e.head:])
		for k, v := range e.open {
			e.open[k] = v - e.head
		}
		e.q, e.head = e.q[:n], 0
	}
	return nil
}

// drain writes everything still queued, at the end of a recording: rows
// still awaiting outcomes go out without them, exec attempts whose
// outcome is unknown are returned (for MetaUnknownExec), not written.
func (e *emitter) drain() (unknown []string, err error) {
	err = e.flush(0)
	for ev := range e.late {
		unknown = append(unknown, fmt.Sprintf("pid %d at %d ns: %s", ev.PID, ev.TimeNs, ev.ExecPath))
	}
	e.late = nil
	slices.Sort(unknown)
	return unknown, err
}
