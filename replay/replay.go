// Package replay streams process-creation traces through the cost model.
//
// The pipeline: a arrowio.Reader yields events; a trace.Eligibility tracker
// decides, per creation, whether the child's first actions were exec
// attempts or its exit; every eligible creation is evaluated with
// model.Evaluate under every strategy on every chosen machine; the costs
// are summed into a Summary (totals per strategy and step, the saving of
// vfork-share over fork-cow and over each machine's native fork, the
// commands that account for the saving) and, optionally, handed one by one
// to a per-event sink.
//
// State is bounded by the live processes of a trace (the creations whose
// child has not acted yet), never by its length.
//
// RunMany replays many traces, each with a Replayer of its own on a pool
// of workers, and merges them in input order, so that every command that
// reads several traces (replay, compare, plot, tree, report) has the same
// parallelism, per-event outputs and rule for traces that cannot be read.
// Hooks in Config (OnTraceEvent, OnCount, OnEvent) let views build their
// own per-trace state beside the costs.
package replay

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/forkcost/forkcost/filter"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// EventCost is the cost of one eligible creation on one machine.
type EventCost struct {
	Input    int   // index of the trace among the replayed inputs
	Row      int64 // row of the creation in that trace
	Creation *trace.Event
	// Model is what the model was given for the creation: its snapshot and,
	// when the trace measured them, the parent's writes after it.
	Model   *model.Input
	Machine int // index in Config.Machines
	Result  *model.Result
	SavedNs float64 // fork-cow minus vfork-share
}

// Config drives a replay.
type Config struct {
	Machines []*machines.Profile
	// TopCommands is how many commands each machine's summary lists.
	TopCommands int
	// OnEvent, if set, receives every eligible creation's cost on every
	// machine. The pointers are reused after it returns.
	OnEvent func(*EventCost) error
	// OnTraceEvent, if set, sees every event of every trace as it is read,
	// before anything is decided about it: input is the trace's index
	// among the replayed inputs, row its row. ev is reused afterwards.
	// The timeline figure builds its process lifetimes from it.
	OnTraceEvent func(input int, row int64, ev *trace.Event) error
	// Progress, if set, is called every ProgressEvery events with the
	// number of events read so far in the current trace.
	Progress      func(events int64)
	ProgressEvery int64
	// Filter, if set, chooses the creations that are counted and costed.
	// Eligibility is still decided on the whole, unfiltered trace.
	Filter *filter.Spec
	// Uncertainty puts intervals around the savings.
	Uncertainty Uncertainty
	// KeepSample keeps the sample of eligible creations (see Sample) even
	// without intervals.
	KeepSample bool
	// OnCount, if set, is told of every creation that passed the filters
	// and was counted, once its eligibility is decided.
	OnCount func(d trace.Decision)
}

// Replayer accumulates a Summary over one or more traces.
type Replayer struct {
	cfg      Config
	sum      Summary
	machines []*machineAcc
	result   *model.Result
	cowIdx   int
	vfIdx    int
	input    int
	ev       EventCost
	modelIn  model.Input // the creation being costed, for ev.Model
	err      error
	ft       *filter.Trace
	held     map[int32]trace.Decision // by child pid: waiting for the child's command
	cur      *trace.Event             // the event being observed
	sample   reservoir
	// awaiting holds eligible forks, by parent pid, whose cost waits for
	// the parent's next fault counters (see parentWrites).
	awaiting map[int32][]awaitingFork
}

// awaitingFork is an eligible fork whose parent's later writes are still
// to be measured.
type awaitingFork struct {
	row int64
	ev  trace.Event
}

type machineAcc struct {
	prof      *machines.Profile
	native    int
	totals    []float64   // per strategy, in the order of model.Strategies
	steps     [][]float64 // per strategy and step
	saved     float64
	savedFork float64 // saved over creations that really were forks
	forks     int64
	savedNat  float64
	savedEst  float64
	commands  map[string]*CommandSaving
	evaluated int64
}

// New returns a Replayer for cfg.
func New(cfg Config) (*Replayer, error) {
	if len(cfg.Machines) == 0 {
		return nil, fmt.Errorf("replay: no machine selected")
	}
	if cfg.TopCommands == 0 {
		cfg.TopCommands = 10
	}
	if cfg.ProgressEvery == 0 {
		cfg.ProgressEvery = 1 << 16
	}
	if cfg.Uncertainty.SampleSize == 0 {
		cfg.Uncertainty.SampleSize = 2000
	}
	r := &Replayer{cfg: cfg, result: model.NewResult(), held: map[int32]trace.Decision{}, awaiting: map[int32][]awaitingFork{}}
	r.sample = reservoir{rng: rand.New(rand.NewPCG(cfg.Uncertainty.Seed, 0x73616d706c65)), cap: cfg.Uncertainty.SampleSize}
	r.cowIdx, _ = model.StrategyIndex(model.ForkCOW)
	r.vfIdx, _ = model.StrategyIndex(model.VForkShare)
	r.sum.Trace.Kinds = map[string]int64{}
	r.sum.Trace.Eligibility = map[string]int64{}
	r.sum.Trace.CreationsByKind = newKindCounts()
	r.sum.Filters = cfg.Filter.Describe()
	for _, p := range cfg.Machines {
		nat, err := model.StrategyIndex(p.Native)
		if err != nil {
			return nil, fmt.Errorf("machine %s: %w", p.Name, err)
		}
		strats := model.Strategies()
		m := &machineAcc{prof: p, native: nat, commands: map[string]*CommandSaving{},
			totals: make([]float64, len(strats)), steps: make([][]float64, len(strats))}
		for i, s := range strats {
			m.steps[i] = make([]float64, len(s.Steps))
		}
		r.machines = append(r.machines, m)
	}
	return r, nil
}

// Trace replays one trace to its end.
func (r *Replayer) Trace(rd *arrowio.Reader) error {
	meta := rd.Meta()
	in := InputSummary{Path: rd.Name(), Source: meta.Source, SourceOS: meta.SourceOS, Origin: meta.Origin,
		SchemaVersion: meta.Version, TimeSynthetic: meta.TimeSynthetic, Incomplete: meta.Incomplete, Tool: meta.Tool}
	r.ev.Input = r.input
	kindsBefore := maps.Clone(r.sum.Trace.CreationsByKind)
	ft, err := r.cfg.Filter.Start(meta)
	if err != nil {
		return err
	}
	r.ft = ft
	el := trace.NewEligibility(r.decide)
	var first, last int64
	var n int64
	for rd.Next() {
		ev := rd.Event()
		if n == 0 {
			first = ev.TimeNs
		}
		last = ev.TimeNs
		n++
		r.sum.Trace.Kinds[string(ev.Kind)]++
		if ev.Kind.IsCreation() {
			r.sum.Trace.CreationsBeforeFilters++
		}
		r.cur = ev
		if r.cfg.OnTraceEvent != nil {
			if err := r.cfg.OnTraceEvent(r.input, rd.Row(), ev); err != nil {
				return err
			}
		}
		if len(r.held) > 0 {
			r.release(ev)
		}
		el.Observe(rd.Row(), ev)
		if ev.HasFaults && len(r.awaiting[ev.PID]) > 0 {
			r.parentWrites(ev)
		}
		ft.Observe(ev)
		if r.err != nil {
			return r.err
		}
		if r.cfg.Progress != nil && n%r.cfg.ProgressEvery == 0 {
			r.cfg.Progress(n)
		}
	}
	if err := rd.Err(); err != nil {
		return err
	}
	r.cur = nil
	el.Finish()
	// Parents that never showed their counters again: the parameter stands in.
	pids := make([]int32, 0, len(r.awaiting))
	for pid := range r.awaiting {
		pids = append(pids, pid)
	}
	slices.Sort(pids) // a fixed order keeps sums and per-event rows reproducible
	for _, pid := range pids {
		forks := r.awaiting[pid]
		for i := range forks {
			r.cost(forks[i].row, &forks[i].ev, nil)
		}
		delete(r.awaiting, pid)
	}
	clear(r.held) // children that never exec'd: their command did not match
	if r.err != nil {
		return r.err
	}
	in.Events = n
	in.CreationsByKind = newKindCounts()
	for k, v := range r.sum.Trace.CreationsByKind {
		in.CreationsByKind[k] = v - kindsBefore[k]
	}
	in.WallS = float64(last-first) / 1e9
	r.sum.Trace.Events += n
	r.sum.Trace.WallS += in.WallS
	r.sum.Trace.Inputs = append(r.sum.Trace.Inputs, in)
	r.input++
	return nil
}

func (r *Replayer) decide(d trace.Decision) {
	if r.err != nil {
		return
	}
	c := &d.Creation.Event
	if d.Eligible {
		r.sum.Trace.EligibleBeforeFilters++
	}
	var childExec *trace.Event
	if d.Reason == trace.ReasonExec && r.cur != nil && r.cur.Kind == trace.Exec {
		childExec = r.cur
	}
	if !r.ft.Creation(c, childExec) {
		if childExec == nil && (d.Reason == trace.ReasonVFork || d.Reason == trace.ReasonSpawn) && c.ChildPID != 0 && r.ft.ChildMayMatch(c) {
			// The child's command, which --comm also matches, comes
			// with its exec, after the verdict: wait for it.
			h := &trace.Creation{Row: d.Creation.Row, Event: *c}
			d.Creation = h
			r.held[c.ChildPID] = d
		}
		return
	}
	r.count(d)
}

// release settles a creation held for its child's command when the child
// acts: kept if the child exec'd a matching command, dropped otherwise.
func (r *Replayer) release(ev *trace.Event) {
	d, ok := r.held[ev.PID]
	if !ok || ev.Kind == trace.ExecFailed || ev.Kind == trace.Signal {
		return
	}
	delete(r.held, ev.PID)
	if ev.Kind == trace.Exec && r.ft.Creation(&d.Creation.Event, ev) {
		r.count(d)
	}
}

// count counts and costs a creation that passed the filters.
func (r *Replayer) count(d trace.Decision) {
	c := &d.Creation.Event
	r.sum.Trace.Creations++
	r.sum.Trace.CreationsByKind[string(c.Kind)]++
	r.sum.Trace.Eligibility[string(d.Reason)]++
	if r.cfg.OnCount != nil {
		r.cfg.OnCount(d)
	}
	if !d.Eligible {
		return
	}
	r.sum.Trace.Eligible++
	if !c.HasSnapshot {
		// Without the parent's sizes there is nothing to cost.
		r.sum.Trace.EligibleWithoutSnapshot++
		return
	}
	if c.Kind == trace.Fork && c.HasFaults {
		// A recorded fork: its parent's next fault counters say how much
		// it wrote afterwards. Wait for them.
		r.awaiting[c.PID] = append(r.awaiting[c.PID], awaitingFork{row: d.Creation.Row, ev: *c})
		return
	}
	r.cost(d.Creation.Row, c, nil)
}

// parentWrites costs the forks waiting for ev's process's counters. After
// a real copy-on-write fork, the minor faults a parent takes until its next
// event are its copy-on-write faults plus any on fresh pages: an upper
// bound on the pages it rewrote, which the model caps at the pages that
// were write-protected.
func (r *Replayer) parentWrites(ev *trace.Event) {
	forks := r.awaiting[ev.PID]
	delete(r.awaiting, ev.PID)
	for i := range forks {
		f := &forks[i]
		faults := ev.MinFaults - f.ev.MinFaults
		if faults < 0 {
			faults = 0
		}
		bytes := faults * int64(max(f.ev.Snapshot.PageSize, 1))
		r.cost(f.row, &f.ev, &bytes)
	}
}

// ModelSnapshot is the part of a trace row's snapshot that the model reads.
func ModelSnapshot(s *trace.Snapshot) model.Snapshot {
	return model.Snapshot{ResidentBytes: s.ResidentBytes, WritableResidentBytes: s.WritableResidentBytes,
		AnonResidentBytes: s.AnonResidentBytes, HugeResidentBytes: s.HugeResidentBytes,
		MapEntries: s.MapEntries, ParentThreads: s.ParentThreads}
}

// cost evaluates one eligible creation on every machine; writeBytes, when
// not nil, is the parent's measured writes after it.
func (r *Replayer) cost(row int64, c *trace.Event, writeBytes *int64) {
	if r.err != nil {
		return
	}
	input := model.Input{Snapshot: ModelSnapshot(&c.Snapshot)}
	if writeBytes != nil {
		input.ParentWriteBytes, input.HasParentWrites = *writeBytes, true
		r.sum.Trace.MeasuredParentWrites++
	}
	if r.cfg.Uncertainty.Draws > 0 || r.cfg.KeepSample {
		r.sample.add(input)
	}
	estimated := c.Snapshot.Source == trace.Estimated
	if estimated {
		r.sum.Trace.EstimatedCreations++
	}
	r.sum.Trace.EligibleResidentBytes += c.Snapshot.ResidentBytes
	for mi, m := range r.machines {
		model.Evaluate(m.prof.ModelParams(), &input, r.result)
		for i := range r.result.Total {
			m.totals[i] += r.result.Total[i]
			for j, v := range r.result.Steps[i] {
				m.steps[i][j] += v
			}
		}
		saved := r.result.Total[r.cowIdx] - r.result.Total[r.vfIdx]
		m.saved += saved
		if c.Kind == trace.Fork {
			m.savedFork += saved
			m.forks++
		}
		m.savedNat += r.result.Total[m.native] - r.result.Total[r.vfIdx]
		if estimated {
			m.savedEst += saved
		}
		m.evaluated++
		cs := m.commands[c.Comm]
		if cs == nil {
			cs = &CommandSaving{Comm: c.Comm}
			m.commands[c.Comm] = cs
		}
		cs.Creations++
		cs.SavedS += saved / 1e9
		if r.cfg.OnEvent != nil {
			r.modelIn = input
			r.ev.Row, r.ev.Creation, r.ev.Model, r.ev.Machine, r.ev.Result, r.ev.SavedNs = row, c, &r.modelIn, mi, r.result, saved
			if err := r.cfg.OnEvent(&r.ev); err != nil {
				r.err = err
				return
			}
		}
	}
}

// Summary returns the totals over every trace replayed so far.
func (r *Replayer) Summary() *Summary {
	s := r.sum
	s.stamp()
	if s.Filters == nil {
		s.Filters = []string{} // [] rather than null, as for overrides
	}
	s.Machines = nil
	for _, m := range r.machines {
		ms := MachineSummary{
			Machine:         m.prof.Name,
			Description:     m.prof.Description,
			Profile:         ProfileRef{File: m.prof.File, Hash: m.prof.Hash},
			Native:          m.prof.Native,
			Strategies:      map[string]StrategyTotal{},
			SavedS:          m.saved / 1e9,
			SavedVsNatS:     m.savedNat / 1e9,
			SavedOnForksS:   m.savedFork / 1e9,
			ForksEvaluated:  m.forks,
			Evaluated:       m.evaluated,
			Overrides:       m.prof.Overrides,
			EstimatedParams: len(m.prof.EstimatedParams()),
			Params:          len(m.prof.Params),
		}
		ms.SavedInterval, ms.SavedVsNatInterval = r.intervals(m)
		if ms.Overrides == nil {
			ms.Overrides = map[string]float64{} // {} rather than null: the contract's readers index it
		}
		if m.saved != 0 {
			ms.EstimatedFraction = m.savedEst / m.saved
		}
		for i, st := range model.Strategies() {
			t := StrategyTotal{TotalS: m.totals[i] / 1e9, Steps: map[string]float64{}}
			for j, step := range st.Steps {
				t.Steps[step.Name] += m.steps[i][j] / 1e9
			}
			ms.Strategies[st.Name] = t
		}
		cmds := make([]CommandSaving, 0, len(m.commands))
		for _, c := range m.commands {
			cmds = append(cmds, *c)
		}
		slices.SortFunc(cmds, func(a, b CommandSaving) int {
			if c := cmp.Compare(b.SavedS, a.SavedS); c != 0 {
				return c
			}
			return cmp.Compare(a.Comm, b.Comm)
		})
		if len(cmds) > r.cfg.TopCommands {
			cmds = cmds[:r.cfg.TopCommands]
		}
		ms.TopCommands = cmds
		s.Machines = append(s.Machines, ms)
	}
	return &s
}

// Merge adds what o replayed to r, as if r had replayed o's traces after
// its own. Both must have been made with the same machines, in the same
// order. o must not be used afterwards.
func (r *Replayer) Merge(o *Replayer) {
	a, b := &r.sum.Trace, &o.sum.Trace
	a.Inputs = append(a.Inputs, b.Inputs...)
	a.Events += b.Events
	a.Creations += b.Creations
	a.CreationsBeforeFilters += b.CreationsBeforeFilters
	a.Eligible += b.Eligible
	a.EligibleBeforeFilters += b.EligibleBeforeFilters
	a.EligibleWithoutSnapshot += b.EligibleWithoutSnapshot
	a.EstimatedCreations += b.EstimatedCreations
	a.MeasuredParentWrites += b.MeasuredParentWrites
	a.EligibleResidentBytes += b.EligibleResidentBytes
	a.WallS += b.WallS
	for k, v := range b.Kinds {
		a.Kinds[k] += v
	}
	for k, v := range b.CreationsByKind {
		a.CreationsByKind[k] += v
	}
	for k, v := range b.Eligibility {
		a.Eligibility[k] += v
	}
	a.Failed = append(a.Failed, b.Failed...)
	r.input += o.input
	r.sample.merge(&o.sample)
	for i, m := range r.machines {
		om := o.machines[i]
		for s := range m.totals {
			m.totals[s] += om.totals[s]
			for j := range m.steps[s] {
				m.steps[s][j] += om.steps[s][j]
			}
		}
		m.saved += om.saved
		m.savedFork += om.savedFork
		m.forks += om.forks
		m.savedNat += om.savedNat
		m.savedEst += om.savedEst
		m.evaluated += om.evaluated
		for comm, oc := range om.commands {
			c := m.commands[comm]
			if c == nil {
				c = &CommandSaving{Comm: comm}
				m.commands[comm] = c
			}
			c.Creations += oc.Creations
			c.SavedS += oc.SavedS
		}
	}
}

// Fail records an input that could not be replayed. To keep a failed
// trace's partial counts out of the totals, replay each trace into a
// Replayer of its own and Merge only those that succeed.
func (r *Replayer) Fail(path string, err error) {
	r.sum.Trace.Failed = append(r.sum.Trace.Failed, FailedInput{Path: path, Error: ErrorWithoutPath(path, err)})
}

// ErrorWithoutPath is err's message without the path it starts with or
// wraps (open PATH: no such file or directory), so that a message that
// names the path first does not name it twice.
func ErrorWithoutPath(path string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path && err.Error() == pe.Error() {
		return pe.Err.Error()
	}
	msg := err.Error()
	for strings.HasPrefix(msg, path+": ") {
		msg = strings.TrimPrefix(msg, path+": ")
	}
	return msg
}

// newKindCounts is a creations-by-kind map with every creation kind, so
// that a reader sees 0 rather than a missing key.
func newKindCounts() map[string]int64 {
	m := map[string]int64{}
	for _, k := range trace.Kinds {
		if k.IsCreation() {
			m[string(k)] = 0
		}
	}
	return m
}
