// Package proctree builds the process tree of a trace while replay streams
// it, with what sharing vfork saves in each subtree: the view that
// strace-process-tree gives of an strace log, with forkcost's costs on it.
//
// # Data model
//
// A Process is one process, from its creation (or its first event, when
// the creation is not in the trace) to its exit. Its parent is the process
// that created it, not the ppid of its later events: an orphan re-parented
// to init stays under the process that made it, as a build's structure
// is the tree of creations. A pid that is created again after its exit (or
// without one, when the exit was not traced) starts a new Process. A
// process seen without its creation (it ran before the trace started, or
// is seen only at its exit) hangs under its ppid when that process is
// known, and at the top otherwise. When the trace has more than one
// process at the top, a synthetic root (pid 0, comm "(trace)") holds them,
// so that a tree always has one root whose figures are the whole trace's.
//
// # Pipeline
//
// Builder.Attach hooks a Builder into a replay.Config: through
// OnTraceEvent, Observe sees every event and grows the tree; OnCount
// attributes each creation that passed the filters (and whether it was
// eligible) to the process that made it; OnEvent adds the creation's
// saving on the chosen machine. Finish sums
// each process's own figures over its subtree. The root's creations,
// eligible creations and saving are therefore replay's for the same trace
// and filters.
//
// Memory is one Process per process of the trace (plus its argv when
// asked for) and 16 bytes per creation: bounded by the processes, never
// by the number of events.
package proctree

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
)

// Process is one process of the trace.
type Process struct {
	PID  int32
	Comm string   // the command: its last exec's, or what it inherited
	Argv []string // its last exec's argv, when the builder keeps them
	// Kind is how it was created (fork, vfork, spawn, clone), or "" when
	// its creation is not in the trace.
	Kind string
	// StartNs is the time of its creation, or of its first event when the
	// creation is not in the trace; EndNs, when Ended, of its exit.
	StartNs, EndNs int64
	Ended          bool
	// Exited says it exited normally with ExitStatus; Signal, when not 0,
	// is the signal that killed it.
	Exited     bool
	ExitStatus int32
	Signal     int32

	// OwnCreations, OwnEligible and OwnSavedNs are the creations this
	// process made that passed the filters, those eligible for vfork, and
	// what sharing vfork saves on them over fork-cow.
	OwnCreations, OwnEligible int64
	OwnSavedNs                float64
	// Creations, Eligible, SavedNs and Processes are the same over the
	// whole subtree (Processes counts this one too), set by Finish.
	Creations, Eligible int64
	SavedNs             float64
	Processes           int64

	Parent   *Process
	Children []*Process // in order of creation
}

// Tree is the process tree of one trace.
type Tree struct {
	Path    string // the trace, as replay names it
	Machine string // the machine the savings are on
	Root    *Process
}

// Builder builds one trace's tree.
type Builder struct {
	machine  int
	keepArgv bool
	live     map[int32]*Process // by pid: the process that has it now
	threads  map[int32]*Process // by tid: the process a thread belongs to
	roots    []*Process
	creators []creator // creation rows, ascending, with their creator
	comms    map[string]string
}

type creator struct {
	row int64
	p   *Process
}

// NewBuilder returns a builder whose savings are those on machine (an
// index into replay.Config.Machines); with argv it keeps each process's
// command line.
func NewBuilder(machine int, argv bool) *Builder {
	return &Builder{machine: machine, keepArgv: argv, live: map[int32]*Process{}, threads: map[int32]*Process{}, comms: map[string]string{}}
}

// Attach makes cfg's replay feed the builder, keeping any OnTraceEvent and
// OnEvent cfg already has.
func (b *Builder) Attach(cfg *replay.Config) {
	prev := cfg.OnTraceEvent
	cfg.OnTraceEvent = func(input int, row int64, ev *trace.Event) error {
		b.Observe(row, ev)
		if prev != nil {
			return prev(input, row, ev)
		}
		return nil
	}
	cfg.OnCount = b.Count
	next := cfg.OnEvent
	cfg.OnEvent = func(ec *replay.EventCost) error {
		b.Saved(ec)
		if next != nil {
			return next(ec)
		}
		return nil
	}
}

// intern keeps one copy of each command name: the reader's strings last
// only until its next row, and builds repeat a few names thousands of
// times.
func (b *Builder) intern(s string) string {
	if v, ok := b.comms[s]; ok {
		return v
	}
	s = strings.Clone(s)
	b.comms[s] = s
	return s
}

// proc returns the process ev belongs to, making one when its creation was
// not seen.
func (b *Builder) proc(ev *trace.Event) *Process {
	if p := b.live[ev.PID]; p != nil {
		return p
	}
	if p := b.threads[ev.PID]; p != nil {
		return p
	}
	p := &Process{PID: ev.PID, Comm: b.intern(ev.Comm), StartNs: ev.TimeNs}
	if parent := b.live[ev.PPID]; ev.PPID != 0 && parent != nil {
		p.Parent = parent
		parent.Children = append(parent.Children, p)
	} else {
		b.roots = append(b.roots, p)
	}
	b.live[ev.PID] = p
	return p
}

// Observe feeds the next event of the trace, at index row.
func (b *Builder) Observe(row int64, ev *trace.Event) {
	p := b.proc(ev)
	switch {
	case ev.Kind == trace.Thread:
		if ev.ChildPID != 0 {
			b.threads[ev.ChildPID] = p
		}
	case ev.Kind.IsCreation():
		b.creators = append(b.creators, creator{row, p})
		if ev.ChildPID == 0 {
			return // a creation that cannot be followed: counted, not drawn
		}
		// A pid still live is reused: its process's exit was not traced.
		delete(b.threads, ev.ChildPID)
		c := &Process{PID: ev.ChildPID, Comm: p.Comm, Kind: string(ev.Kind), StartNs: ev.TimeNs, Parent: p}
		p.Children = append(p.Children, c)
		b.live[ev.ChildPID] = c
	case ev.Kind == trace.Exec:
		switch {
		case ev.Comm != "":
			p.Comm = b.intern(ev.Comm)
		case ev.ExecPath != "":
			p.Comm = b.intern(path.Base(ev.ExecPath))
		}
		if b.keepArgv && ev.Argv != nil {
			p.Argv = cloneArgv(ev.Argv)
		}
	case ev.Kind == trace.Exit:
		if p.PID != ev.PID { // a thread's exit: its process goes on
			delete(b.threads, ev.PID)
			return
		}
		p.Ended, p.EndNs = true, ev.TimeNs
		p.Exited, p.ExitStatus = ev.HasExitStatus, ev.ExitStatus
		p.Signal = ev.Signal
		delete(b.live, ev.PID)
	}
	if p.Comm == "" && ev.Comm != "" {
		p.Comm = b.intern(ev.Comm)
	}
}

// cloneArgv copies argv out of the reader's buffers in two allocations:
// one string holding every argument, sliced.
func cloneArgv(argv []string) []string {
	n := 0
	for _, a := range argv {
		n += len(a)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, a := range argv {
		sb.WriteString(a)
	}
	all := sb.String()
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i], all = all[:len(a)], all[len(a):]
	}
	return out
}

// creatorOf returns the process that made the creation at row.
func (b *Builder) creatorOf(row int64) *Process {
	i, ok := slices.BinarySearchFunc(b.creators, row, func(c creator, r int64) int { return cmp.Compare(c.row, r) })
	if !ok {
		return nil
	}
	return b.creators[i].p
}

// Count attributes a counted creation to its creator.
func (b *Builder) Count(d trace.Decision) {
	if p := b.creatorOf(d.Creation.Row); p != nil {
		p.OwnCreations++
		if d.Eligible {
			p.OwnEligible++
		}
	}
}

// Saved adds an eligible creation's saving on the builder's machine to its
// creator.
func (b *Builder) Saved(ec *replay.EventCost) {
	if ec.Machine != b.machine {
		return
	}
	if p := b.creatorOf(ec.Row); p != nil {
		p.OwnSavedNs += ec.SavedNs
	}
}

// Finish sums the figures over every subtree and returns the tree.
func (b *Builder) Finish(tracePath, machine string) *Tree {
	root := &Process{Comm: "(trace)"}
	if len(b.roots) == 1 {
		root = b.roots[0]
	} else {
		root.Children = b.roots
		for i, r := range b.roots {
			r.Parent = root
			if i == 0 || r.StartNs < root.StartNs {
				root.StartNs = r.StartNs
			}
		}
	}
	// Post-order without recursion: a chain of nested shells is as deep
	// as it likes.
	type frame struct {
		p    *Process
		next int
	}
	stack := []frame{{root, 0}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next < len(f.p.Children) {
			c := f.p.Children[f.next]
			f.next++
			stack = append(stack, frame{c, 0})
			continue
		}
		p := f.p
		p.Creations, p.Eligible, p.SavedNs, p.Processes = p.OwnCreations, p.OwnEligible, p.OwnSavedNs, 1
		for _, c := range p.Children {
			p.Creations += c.Creations
			p.Eligible += c.Eligible
			p.SavedNs += c.SavedNs
			p.Processes += c.Processes
		}
		stack = stack[:len(stack)-1]
	}
	b.creators = nil
	return &Tree{Path: tracePath, Machine: machine, Root: root}
}

// Synthetic reports whether p is the synthetic root that holds a trace's
// several top processes.
func (p *Process) Synthetic() bool { return p.PID == 0 && p.Parent == nil && p.Comm == "(trace)" }
