package plots

import (
	"iter"
	"slices"

	"github.com/forkcost/forkcost/trace"
)

// The timeline figure needs every process's lifetime and parent, which the
// eligible creations alone do not give. Collector.Observe, fed every event
// of the traces (replay.Config.OnTraceEvent), keeps a processLog: about 40
// bytes per process and 16 per creation row, nothing per other event, and
// a pid map of the processes still alive. A trace of a million events
// therefore costs a few MB, however long it runs.

// proc is one process's lifetime.
type proc struct {
	start, end int64 // ns, the trace's own clock
	parent     int32 // index in processLog.procs; -1: unknown
	comm       int32 // the command it last ran (Collector's comm index)
	pid        int32
	input      int32
	ended      bool // its exit was seen
}

// creationRef ties a creation row to the process that made it, so that a
// costed creation (which replay reports later, by row) finds its parent's
// bar.
type creationRef struct {
	row    int64
	parent int32
}

// inputSpan is one trace's extent: its first and last event time, and
// where its processes and creation rows start in the log.
type inputSpan struct {
	first, last      int64
	procs, creations int
}

type processLog struct {
	procs     []proc
	creations []creationRef
	inputs    []inputSpan
	live      map[int32]int32    // pid -> index of the live process of that pid
	threads   map[int32]struct{} // tids of live threads: not processes
	cur       int                // the input being observed
}

func newProcessLog() *processLog {
	return &processLog{live: map[int32]int32{}, threads: map[int32]struct{}{}, cur: -1}
}

// Observe records one event of the traces: pass it as
// replay.Config.OnTraceEvent (with OnEvent also set) to be able to draw
// the timeline. Only creations, execs and exits are kept.
func (c *Collector) Observe(input int, row int64, ev *trace.Event) error {
	if c.procs == nil {
		c.procs = newProcessLog()
	}
	c.procs.observe(c, input, row, ev)
	return nil
}

func (l *processLog) observe(c *Collector, input int, row int64, ev *trace.Event) {
	if input != l.cur {
		// A new trace: pids start afresh.
		l.cur = input
		clear(l.live)
		clear(l.threads)
		for len(l.inputs) <= input {
			l.inputs = append(l.inputs, inputSpan{first: ev.TimeNs, last: ev.TimeNs, procs: len(l.procs), creations: len(l.creations)})
		}
	}
	span := &l.inputs[input]
	span.last = max(span.last, ev.TimeNs)
	switch ev.Kind {
	case trace.Thread:
		if ev.ChildPID != 0 {
			l.threads[ev.ChildPID] = struct{}{}
		}
		return
	case trace.Fork, trace.VFork, trace.Spawn, trace.Clone:
	case trace.Exec, trace.Exit:
	default:
		return
	}
	if _, ok := l.threads[ev.PID]; ok {
		if ev.Kind == trace.Exit {
			delete(l.threads, ev.PID)
		}
		return
	}
	self := l.process(c, input, ev)
	switch ev.Kind {
	case trace.Exec:
		l.procs[self].comm = c.intern(ev.Comm)
	case trace.Exit:
		p := &l.procs[self]
		p.end, p.ended = ev.TimeNs, true
		delete(l.live, ev.PID)
	default:
		l.creations = append(l.creations, creationRef{row: row, parent: self})
		if ev.ChildPID == 0 {
			return
		}
		if old, ok := l.live[ev.ChildPID]; ok {
			// The pid was reused before its last holder's exit was seen:
			// that one ended by now.
			l.procs[old].end, l.procs[old].ended = ev.TimeNs, true
		}
		l.live[ev.ChildPID] = int32(len(l.procs))
		l.procs = append(l.procs, proc{start: ev.TimeNs, end: -1, parent: self, comm: l.procs[self].comm, pid: ev.ChildPID, input: int32(input)})
	}
}

// process returns the index of ev's process, adding one that started with
// the trace when ev is the first sign of it (the trace's first process, a
// process seen only at its exec or exit).
func (l *processLog) process(c *Collector, input int, ev *trace.Event) int32 {
	if i, ok := l.live[ev.PID]; ok {
		return i
	}
	parent := int32(-1)
	if ev.PPID != 0 {
		if i, ok := l.live[ev.PPID]; ok {
			parent = i
		}
	}
	i := int32(len(l.procs))
	l.procs = append(l.procs, proc{start: l.inputs[input].first, end: -1, parent: parent, comm: c.intern(ev.Comm), pid: ev.PID, input: int32(input)})
	l.live[ev.PID] = i
	return i
}

// parentOf returns the process that made the creation at row of input, or
// -1.
func (l *processLog) parentOf(input int, row int64) int32 {
	if input >= len(l.inputs) {
		return -1
	}
	lo := l.inputs[input].creations
	hi := len(l.creations)
	if input+1 < len(l.inputs) {
		hi = l.inputs[input+1].creations
	}
	refs := l.creations[lo:hi]
	i, ok := slices.BinarySearchFunc(refs, row, func(r creationRef, row int64) int {
		switch {
		case r.row < row:
			return -1
		case r.row > row:
			return 1
		}
		return 0
	})
	if !ok {
		return -1
	}
	return refs[i].parent
}

// bytes is the memory the log holds, for the tests of its bound.
func (l *processLog) bytes() int {
	return cap(l.procs)*40 + cap(l.creations)*16 + cap(l.inputs)*32 + (len(l.live)+len(l.threads))*16
}

// intern returns comm's index among the collector's commands.
func (c *Collector) intern(comm string) int32 {
	ci, ok := c.commIdx[comm]
	if !ok {
		ci = int32(len(c.commNames))
		c.commIdx[comm] = ci
		c.commNames = append(c.commNames, comm)
	}
	return ci
}

// Process is one process as the timeline draws it.
type Process struct {
	PID    int32
	Parent int // index of the parent among the processes; -1: unknown
	Comm   string
	// Start and End are seconds on the traces' joined timeline (each trace
	// after the one before). A process seen first after the trace began
	// started, as far as the trace knows, at its beginning; one whose exit
	// is not in the trace ends at its end.
	Start, End float64
	Ended      bool
}

// Mark is one costed creation on its parent's bar.
type Mark struct {
	Parent  int     // index of the parent among the processes; -1: unknown
	Time    float64 // seconds on the joined timeline
	SavedNs float64
}

// TimelineSource is the data behind timeline.
type TimelineSource interface {
	MachineLister
	// NumProcesses is how many processes Processes yields.
	NumProcesses() int
	// Processes yields every process with its index.
	Processes() iter.Seq2[int, Process]
	// Marks yields every costed creation with its saving on machine m.
	Marks(m int) iter.Seq[Mark]
	// TimeSynthetic reports whether the timeline was made up rather than
	// measured.
	TimeSynthetic() bool
}

// offsets returns, per input, what puts its times on the joined timeline:
// seconds = (ns - first) / 1e9 + offset.
func (l *processLog) offsets() []float64 {
	out := make([]float64, len(l.inputs))
	var off float64
	for i, in := range l.inputs {
		out[i] = off
		off += float64(in.last-in.first) / 1e9
	}
	return out
}

// NumProcesses implements TimelineSource.
func (d *Data) NumProcesses() int {
	if d.c.procs == nil {
		return 0
	}
	return len(d.c.procs.procs)
}

// Processes implements TimelineSource.
func (d *Data) Processes() iter.Seq2[int, Process] {
	return func(yield func(int, Process) bool) {
		l := d.c.procs
		if l == nil {
			return
		}
		off := l.offsets()
		for i := range l.procs {
			p := &l.procs[i]
			in := l.inputs[p.input]
			end := p.end
			if end < 0 {
				end = in.last
			}
			q := Process{PID: p.pid, Parent: int(p.parent), Comm: d.c.commNames[p.comm], Ended: p.ended,
				Start: off[p.input] + float64(p.start-in.first)/1e9, End: off[p.input] + float64(end-in.first)/1e9}
			if !yield(i, q) {
				return
			}
		}
	}
}

// Marks implements TimelineSource.
func (d *Data) Marks(m int) iter.Seq[Mark] {
	return func(yield func(Mark) bool) {
		l := d.c.procs
		if l == nil {
			return
		}
		off := l.offsets()
		M := len(d.c.machines)
		for i, t := range d.c.times {
			in := d.c.inputs[i]
			mk := Mark{Parent: -1, SavedNs: d.c.saved[i*M+m]}
			if int(in) < len(l.inputs) {
				mk.Time = off[in] + float64(t-l.inputs[in].first)/1e9
			}
			if i < len(d.c.parents) {
				mk.Parent = int(d.c.parents[i])
			}
			if !yield(mk) {
				return
			}
		}
	}
}
