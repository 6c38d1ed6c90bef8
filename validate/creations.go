package validate

import (
	"fmt"
	"math"
	"sort"

	"github.com/forkcost/forkcost/calibrate"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
)

// Per-creation validation: a trace recorded with the kernel's own costs
// (the eBPF recorder's create_ns, parent_blocked_ns, post_create_faults on
// creation rows and exec_ns on exec rows) sets every creation against the
// model's prediction of the same quantity, for the strategy the creation
// really used: fork-cow-pte for a Linux fork, vfork-share for vfork, spawn
// for clone(CLONE_VM|CLONE_VFORK). Each measured quantity has its sum of
// model steps:
//
//	create          create_ns           the create phase (fork alone)
//	parent_blocked  parent_blocked_ns   child-before-exec and exec phases
//	                                    (vfork and spawn: the parent waits
//	                                    for the child's exec)
//	exec            exec_ns             the exec phase of the child's first
//	                                    exec (the old image's teardown and
//	                                    the new one's load)
//	faults          post_create_faults  the parent's write faults after a
//	                                    fork (parent_write_fraction of its
//	                                    writable pages; a count, not a time)

// Sequences of the per-creation validation, in output order.
const (
	SeqCreate  = "create"
	SeqBlocked = "parent_blocked"
	SeqExec    = "exec"
	SeqFaults  = "faults"
)

var creationSeqs = []string{SeqCreate, SeqBlocked, SeqExec, SeqFaults}

// SizeBins are the parent-size bins (MiB of resident memory) of the
// summaries: under 1, 1-16, 16-256, 256 and up.
var SizeBins = [][2]float64{{0, 1}, {1, 16}, {16, 256}, {256, math.Inf(1)}}

// Creation is one measured quantity of one creation against the model.
type Creation struct {
	Trace    string  `json:"trace"`
	Row      int64   `json:"row"`
	PID      int32   `json:"pid"`
	Child    int32   `json:"child_pid"`
	Comm     string  `json:"comm"`
	Kind     string  `json:"kind"`
	Strategy string  `json:"strategy"`
	Sequence string  `json:"sequence"`
	MiB      float64 `json:"parent_resident_mib"`
	// Predicted and Measured are in ns (faults: a count).
	Predicted float64 `json:"predicted"`
	Measured  float64 `json:"measured"`
	RelErr    float64 `json:"rel_err"`
}

// Bin is one parent-size bin's summary.
type Bin struct {
	MinMiB       float64 `json:"min_mib"`
	MaxMiB       float64 `json:"max_mib"` // -1: no upper bound
	N            int     `json:"n"`
	MedianAbsRel float64 `json:"median_abs_rel_err"`
}

// KindSummary is one creation kind's summary.
type KindSummary struct {
	Kind         string  `json:"kind"`
	N            int     `json:"n"`
	MedianAbsRel float64 `json:"median_abs_rel_err"`
}

// SeqSummary summarises one measured quantity over every creation that has
// it: the median |relative error|, the median and interquartile range of
// the signed relative error, and the same by size bin and by kind.
type SeqSummary struct {
	N            int           `json:"n"`
	MedianAbsRel float64       `json:"median_abs_rel_err"`
	MedianRel    float64       `json:"median_rel_err"`
	IQR          [2]float64    `json:"iqr"`
	Unit         string        `json:"unit"`
	Bins         []Bin         `json:"bins"`
	Kinds        []KindSummary `json:"kinds"`
}

// CreationReport is the JSON contract of 'analyze validate --trace'.
type CreationReport struct {
	Traces      []string              `json:"traces"`
	Machine     string                `json:"machine"`
	ProfileHash string                `json:"profile_hash"`
	Creations   int                   `json:"creations"`
	Compared    int                   `json:"compared"`
	Sequences   map[string]SeqSummary `json:"sequences"`
	// Skipped counts creations that could not be compared, by reason.
	Skipped map[string]int `json:"skipped,omitempty"`
	Rows    []Creation     `json:"-"`
	Notes   []string       `json:"notes,omitempty"`
	// Targets are the per-creation targets: create_ns within 25%
	// (median |relative error|), and no size bin above 40%.
	Targets []Target `json:"targets,omitempty"`
}

// strategyOf is the strategy a recorded creation used.
func strategyOf(k trace.Kind) (string, bool) {
	switch k {
	case trace.Fork:
		return model.ForkCOWPTE, true
	case trace.VFork:
		return model.VForkShare, true
	case trace.Spawn:
		return model.SpawnStrat, true
	}
	return "", false
}

// phaseCost sums strategy s's steps in the given phases.
func phaseCost(p *model.Params, in *model.Input, s *model.Strategy, phases ...model.Phase) float64 {
	z := model.SizesFor(p, in)
	var t float64
	for j := range s.Steps {
		for _, ph := range phases {
			if s.Steps[j].Phase == ph {
				t += s.Steps[j].Cost(p, &z)
			}
		}
	}
	return t
}

// pendingExec is a creation whose child's first exec is still to come.
type pendingExec struct {
	c  Creation
	in model.Input
}

// CreationChecker compares the creations of traces with the model on one
// machine. Feed it every event of a trace, in order, with Add.
type CreationChecker struct {
	p       *model.Params
	r       *CreationReport
	pending map[int32]pendingExec
	trace   string
}

// NewCreationChecker returns a checker for machine p (named machine, its
// profile's hash).
func NewCreationChecker(p *model.Params, machine, hash string) *CreationChecker {
	return &CreationChecker{p: p, r: &CreationReport{Machine: machine, ProfileHash: hash, Skipped: map[string]int{}}, pending: map[int32]pendingExec{}}
}

// StartTrace begins a new trace (children's pids are per trace).
func (c *CreationChecker) StartTrace(name string) {
	c.trace = name
	c.r.Traces = append(c.r.Traces, name)
	c.pending = map[int32]pendingExec{}
}

func (c *CreationChecker) add(cr Creation, pred, meas float64) bool {
	if !(meas > 0) || !(pred > 0) {
		return false
	}
	cr.Predicted, cr.Measured, cr.RelErr = pred, meas, (pred-meas)/meas
	c.r.Rows = append(c.r.Rows, cr)
	return true
}

// Add takes one event at row of the current trace.
func (c *CreationChecker) Add(row int64, ev *trace.Event) {
	switch ev.Kind {
	case trace.Exec:
		pe, ok := c.pending[ev.PID]
		if !ok {
			return
		}
		delete(c.pending, ev.PID)
		if ev.HasExecNs {
			cr := pe.c
			cr.Sequence, cr.Row = SeqExec, row
			st := strategy(cr.Strategy)
			c.add(cr, phaseCost(c.p, &pe.in, st, model.ExecPhase), float64(ev.ExecNs))
		}
		return
	case trace.Exit:
		delete(c.pending, ev.PID)
		return
	}
	name, ok := strategyOf(ev.Kind)
	if !ok {
		return
	}
	c.r.Creations++
	if !ev.HasSnapshot {
		c.r.Skipped["no address-space snapshot"]++
		return
	}
	if !ev.HasCreateNs && !ev.HasParentBlockedNs && !ev.HasPostCreateFaults {
		c.r.Skipped["no measured cost (not recorded by the eBPF backend?)"]++
		return
	}
	in := model.Input{Snapshot: replay.ModelSnapshot(&ev.Snapshot)}
	st := strategy(name)
	cr := Creation{Trace: c.trace, Row: row, PID: ev.PID, Child: ev.ChildPID, Comm: ev.Comm, Kind: string(ev.Kind), Strategy: name,
		MiB: float64(ev.Snapshot.ResidentBytes) / miB}
	compared := false
	if ev.HasCreateNs {
		x := cr
		x.Sequence = SeqCreate
		compared = c.add(x, phaseCost(c.p, &in, st, model.Create), float64(ev.CreateNs)) || compared
	}
	if ev.HasParentBlockedNs && name != model.ForkCOWPTE {
		x := cr
		x.Sequence = SeqBlocked
		compared = c.add(x, phaseCost(c.p, &in, st, model.ChildBeforeExec, model.ExecPhase), float64(ev.ParentBlockedNs)) || compared
	}
	if ev.HasPostCreateFaults && name == model.ForkCOWPTE {
		x := cr
		x.Sequence = SeqFaults
		compared = c.add(x, model.SizesFor(c.p, &in).ParentWrites, float64(ev.PostCreateFaults)) || compared
	}
	if ev.ChildPID != 0 {
		c.pending[ev.ChildPID] = pendingExec{c: cr, in: in}
	}
	if compared {
		c.r.Compared++
	} else {
		c.r.Skipped["measured costs of zero, or a prediction of zero"]++
	}
}

// Report summarises everything added.
func (c *CreationChecker) Report() *CreationReport {
	r := c.r
	if len(r.Skipped) == 0 {
		r.Skipped = nil
	}
	r.Sequences = map[string]SeqSummary{}
	for _, seq := range creationSeqs {
		var rows []Creation
		for _, x := range r.Rows {
			if x.Sequence == seq {
				rows = append(rows, x)
			}
		}
		if len(rows) == 0 {
			continue
		}
		r.Sequences[seq] = summarizeCreations(seq, rows)
	}
	cs, ok := r.Sequences[SeqCreate]
	t := Target{What: "per creation: create_ns, median |relative error|", Limit: 0.25, Measured: ok}
	if ok {
		t.Value, t.Rows, t.Met = cs.MedianAbsRel, cs.N, cs.MedianAbsRel <= 0.25
	} else {
		t.Comment = "no creation with create_ns"
	}
	r.Targets = append(r.Targets, t)
	t = Target{What: "per creation: create_ns, worst parent-size bin's median |relative error|", Limit: 0.40, Measured: ok}
	if w, found := r.WorstBin(SeqCreate); found {
		t.Value, t.Rows, t.Met = w.MedianAbsRel, w.N, w.MedianAbsRel <= 0.40
		t.Comment = "bin " + binLabel(w)
		var empty []string
		for _, b := range cs.Bins {
			if b.N == 0 {
				empty = append(empty, binLabel(b))
			}
		}
		if len(empty) > 0 {
			t.Comment += fmt.Sprintf("; no creations in %v", empty)
		}
	}
	r.Targets = append(r.Targets, t)
	return r
}

// binLabel names a size bin.
func binLabel(b Bin) string {
	switch {
	case b.MaxMiB < 0:
		return fmt.Sprintf("%g MiB and up", b.MinMiB)
	case b.MinMiB == 0:
		return fmt.Sprintf("under %g MiB", b.MaxMiB)
	}
	return fmt.Sprintf("%g-%g MiB", b.MinMiB, b.MaxMiB)
}

// Label names the bin: "under 1 MiB", "1-16 MiB", "256 MiB and up".
func (b Bin) Label() string { return binLabel(b) }

func absRel(rows []Creation) []float64 {
	out := make([]float64, len(rows))
	for i, x := range rows {
		out[i] = math.Abs(x.RelErr)
	}
	return out
}

func summarizeCreations(seq string, rows []Creation) SeqSummary {
	rel := make([]float64, len(rows))
	for i, x := range rows {
		rel[i] = x.RelErr
	}
	s := SeqSummary{N: len(rows), MedianAbsRel: calibrate.Median(absRel(rows)), MedianRel: calibrate.Median(rel),
		IQR: [2]float64{calibrate.Quantile(rel, 0.25), calibrate.Quantile(rel, 0.75)}, Unit: "ns"}
	if seq == SeqFaults {
		s.Unit = "faults"
	}
	for _, b := range SizeBins {
		var in []Creation
		for _, x := range rows {
			if x.MiB >= b[0] && x.MiB < b[1] {
				in = append(in, x)
			}
		}
		bin := Bin{MinMiB: b[0], MaxMiB: b[1], N: len(in)}
		if math.IsInf(b[1], 1) {
			bin.MaxMiB = -1
		}
		if len(in) > 0 {
			bin.MedianAbsRel = calibrate.Median(absRel(in))
		}
		s.Bins = append(s.Bins, bin)
	}
	kinds := map[string][]Creation{}
	for _, x := range rows {
		kinds[x.Kind] = append(kinds[x.Kind], x)
	}
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		s.Kinds = append(s.Kinds, KindSummary{Kind: k, N: len(kinds[k]), MedianAbsRel: calibrate.Median(absRel(kinds[k]))})
	}
	return s
}

// WorstBin returns the bin of seq with the largest median |relative error|
// among those with creations.
func (r *CreationReport) WorstBin(seq string) (Bin, bool) {
	var w Bin
	found := false
	for _, b := range r.Sequences[seq].Bins {
		if b.N > 0 && (!found || b.MedianAbsRel > w.MedianAbsRel) {
			w, found = b, true
		}
	}
	return w, found
}

// AsRows turns the time comparisons into Rows for the figures
// (plots.PredictedVsObserved, plots.ResidualsVsSize), in us.
func (r *CreationReport) AsRows() []Row {
	var out []Row
	for _, x := range r.Rows {
		if x.Sequence == SeqFaults {
			continue
		}
		out = append(out, Row{Group: "creation: " + x.Sequence, ID: fmt.Sprintf("%s:%d", x.Trace, x.Row), Machine: r.Machine, Strategy: x.Strategy,
			Sequence: x.Sequence, What: x.Sequence + " (" + x.Kind + ")", Unit: "us", MiB: x.MiB, Predicted: x.Predicted / 1e3, Observed: x.Measured / 1e3, RelErr: x.RelErr,
			Source: x.Trace})
	}
	return out
}
