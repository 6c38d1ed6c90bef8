package record

import (
	"time"

	"github.com/forkcost/forkcost/trace"
)

// Rows are written in time order, but a creation row's child_exec_ns is
// known only when the child execs. The emitter therefore holds rows back
// while the oldest queued creation awaits its child's exec, up to
// maxHoldRows rows or maxHoldNs; after that the creation goes out with
// child_exec_ns null (and readers fall back on the exec row itself).
const (
	maxHoldRows = 8192
	maxHoldNs   = int64(2 * time.Second)
)

type queued struct {
	ev   *trace.Event
	open bool // a creation awaiting its child's first exec, or an exec attempt its outcome
	drop bool // an exec attempt that succeeded: not written
}

type emitter struct {
	w    interface{ Append(*trace.Event) error }
	q    []queued
	head int
	open map[*trace.Event]int // open creation → index in q
}

func (e *emitter) add(ev *trace.Event) { e.q = append(e.q, queued{ev: ev}) }

func (e *emitter) addCreation(ev *trace.Event) {
	if e.open == nil {
		e.open = map[*trace.Event]int{}
	}
	e.open[ev] = len(e.q)
	e.q = append(e.q, queued{ev: ev, open: true})
}

// resolve closes an open creation row: its child exec'd at ns (ok) or
// ended without exec'ing.
func (e *emitter) resolve(ev *trace.Event, ns int64, ok bool) {
	i, found := e.open[ev]
	if !found {
		return // already written
	}
	delete(e.open, ev)
	if ok {
		ev.ChildExecNs, ev.HasChildExec = ns, true
	}
	e.q[i].open = false
}

// addPending queues an exec attempt's exec_failed row, held like an open
// creation until settle says whether the attempt failed.
func (e *emitter) addPending(ev *trace.Event) { e.addCreation(ev) }

// settle closes an exec attempt's row: written if the attempt failed
// (keep), dropped if it succeeded. It returns false if the row had been
// held too long and was written already.
func (e *emitter) settle(ev *trace.Event, keep bool) bool {
	i, found := e.open[ev]
	if !found {
		return false
	}
	delete(e.open, ev)
	e.q[i].open = false
	e.q[i].drop = !keep
	return true
}

// flush writes the queued rows that no longer wait for anything.
func (e *emitter) flush(now int64) error {
	for e.head < len(e.q) {
		it := &e.q[e.head]
		if it.open {
			if len(e.q)-e.head < maxHoldRows && now-it.ev.TimeNs < maxHoldNs {
				break
			}
			delete(e.open, it.ev)
			it.open = false
		}
		if !it.drop {
			if err := e.w.Append(it.ev); err != nil {
				return err
			}
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

// drain writes everything still queued.
func (e *emitter) drain() error {
	for k := range e.open {
		e.q[e.open[k]].open = false
		delete(e.open, k)
	}
	return e.flush(0)
}
