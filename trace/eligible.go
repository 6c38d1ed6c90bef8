package trace

import (
	"cmp"
	"slices"
)

// Reason says why a creation was found eligible for vfork or not.
type Reason string

const (
	ReasonVFork      Reason = "already vfork"
	ReasonSpawn      Reason = "already spawn"
	ReasonExec       Reason = "child exec'd first"
	ReasonExit       Reason = "child exited first"
	ReasonCreate     Reason = "child created a process or thread first"
	ReasonMemory     Reason = "child made a memory system call first"
	ReasonTraceEnded Reason = "trace ended before the child acted"
	ReasonPidReused  Reason = "child pid reused before the child acted"
)

// Creation is a process creation waiting for, or given, its verdict.
type Creation struct {
	Row   int64 // index of the creation row in its trace
	Event Event // a copy of the creation row (without argv)
}

// Decision is the verdict on one creation.
type Decision struct {
	Creation *Creation
	Eligible bool
	Reason   Reason
}

// Eligibility decides, while a trace streams past, which creations could
// have used vfork: those whose child first exec'd (after any number of
// failed exec attempts) or exited, with no process creation and no memory
// system call before. Its state is one entry per child that has not acted
// yet, so memory is bounded by the live processes, not the trace length.
type Eligibility struct {
	pending map[int32]*Creation
	free    []*Creation
	decide  func(Decision)
}

// NewEligibility returns a tracker that calls decide once per creation. The
// Creation passed to decide is reused after decide returns.
func NewEligibility(decide func(Decision)) *Eligibility {
	return &Eligibility{pending: map[int32]*Creation{}, decide: decide}
}

// Pending returns the number of creations still waiting for a verdict.
func (e *Eligibility) Pending() int { return len(e.pending) }

func (e *Eligibility) settle(c *Creation, ok bool, why Reason) {
	e.decide(Decision{Creation: c, Eligible: ok, Reason: why})
	c.Event = Event{}
	e.free = append(e.free, c)
}

// Observe feeds the next event of the trace, at index row.
func (e *Eligibility) Observe(row int64, ev *Event) {
	if c, ok := e.pending[ev.PID]; ok {
		switch {
		case ev.Kind == Exec:
			delete(e.pending, ev.PID)
			e.settle(c, true, ReasonExec)
		case ev.Kind == Exit:
			delete(e.pending, ev.PID)
			e.settle(c, true, ReasonExit)
		case ev.Kind.IsCreation() || ev.Kind == Thread:
			delete(e.pending, ev.PID)
			e.settle(c, false, ReasonCreate)
		case ev.Kind.IsMemory():
			delete(e.pending, ev.PID)
			e.settle(c, false, ReasonMemory)
		}
		// exec_failed and signal rows leave the question open.
	}
	if !ev.Kind.IsCreation() {
		return
	}
	var c *Creation
	if n := len(e.free); n > 0 {
		c, e.free = e.free[n-1], e.free[:n-1]
	} else {
		c = new(Creation)
	}
	c.Row, c.Event = row, *ev
	c.Event.Argv = nil
	switch {
	case ev.Kind == VFork:
		e.settle(c, true, ReasonVFork)
	case ev.Kind == Spawn:
		e.settle(c, true, ReasonSpawn)
	case ev.ChildPID == 0:
		// A creation without a child pid cannot be followed.
		e.settle(c, false, ReasonTraceEnded)
	default:
		if old, ok := e.pending[ev.ChildPID]; ok {
			e.settle(old, false, ReasonPidReused)
		}
		e.pending[ev.ChildPID] = c
	}
}

// Finish gives a verdict to every creation still pending: not eligible,
// because the trace ended before the child acted. Verdicts come in row order.
func (e *Eligibility) Finish() {
	left := make([]*Creation, 0, len(e.pending))
	for _, c := range e.pending {
		left = append(left, c)
	}
	slices.SortFunc(left, func(a, b *Creation) int { return cmp.Compare(a.Row, b.Row) })
	clear(e.pending)
	for _, c := range left {
		e.settle(c, false, ReasonTraceEnded)
	}
}
