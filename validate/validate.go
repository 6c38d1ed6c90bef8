// Package validate sets the model's predictions against observations that
// did not set its parameters: a calibrated host's held-out measurements,
// and the published figures (the project's reference table) that suit the
// built-in profiles.
package validate

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/forkcost/forkcost/calibrate"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
)

// Row is one prediction against one observation.
type Row struct {
	Group    string `json:"group"`
	ID       string `json:"id"`
	Machine  string `json:"machine"`
	Strategy string `json:"strategy"`
	Sequence string `json:"sequence"`
	// What is observed: a time (unit us or ms), a ratio (x) or a slope.
	What      string  `json:"what"`
	Unit      string  `json:"unit"`
	MiB       float64 `json:"mib"`
	Predicted float64 `json:"predicted"`
	Observed  float64 `json:"observed"`
	// RelErr is (predicted - observed) / observed.
	RelErr float64 `json:"rel_err"`
	// Used marks a figure that set a parameter entering this prediction:
	// it is shown, but left out of the error summary.
	Used   bool     `json:"used"`
	UsedBy []string `json:"used_by,omitempty"`
	Source string   `json:"source"`
	Note   string   `json:"note,omitempty"`
}

// GroupSummary is the median absolute relative error of a group's rows
// that were not used to set parameters.
type GroupSummary struct {
	Group        string  `json:"group"`
	Rows         int     `json:"rows"`
	Counted      int     `json:"counted"`
	MedianAbsRel float64 `json:"median_abs_rel_err"`
	MaxAbsRel    float64 `json:"max_abs_rel_err"`
}

// Target is one of the acceptance targets, met or not.
type Target struct {
	What     string  `json:"what"`
	Limit    float64 `json:"limit"`
	Value    float64 `json:"value"`
	Met      bool    `json:"met"`
	Rows     int     `json:"rows"`
	Comment  string  `json:"comment,omitempty"`
	Measured bool    `json:"measured"`
}

// Report is everything validate prints.
type Report struct {
	Host    *HostInfo      `json:"host,omitempty"`
	Rows    []Row          `json:"rows"`
	Groups  []GroupSummary `json:"groups"`
	BySeq   []GroupSummary `json:"by_sequence"`
	Targets []Target       `json:"targets"`
	Notes   []string       `json:"notes,omitempty"`
}

// HostInfo describes the calibration validated.
type HostInfo struct {
	Host         string `json:"host"`
	Date         string `json:"date"`
	CPU          string `json:"cpu"`
	Kernel       string `json:"kernel"`
	Clock        string `json:"clock"`
	Measurements string `json:"measurements"`
	Base         string `json:"base"`
	THP          string `json:"thp"`
}

// Groups.
const (
	GroupHeldOut   = "host: held-out sizes"
	GroupUntouched = "host: mapped, never touched"
	GroupTHP       = "host: transparent huge pages"
	GroupPublished = "published figures"
)

func relErr(p, o float64) float64 { return (p - o) / o }

// Host validates a calibration: each touched size is predicted by a fit
// that did not see it (leave one size out), and the untouched and huge-page
// series by the fit on every touched size.
func Host(m *calibrate.Measurements, base *machines.Profile, clock string) ([]Row, []string, error) {
	var rows []Row
	var notes []string
	touched := m.SeriesOf(calibrate.Touched)
	if len(touched) < 3 {
		return nil, nil, fmt.Errorf("validate: the calibration has %d touched sizes; leaving one out needs three", len(touched))
	}
	add := func(group string, p *model.Params, s *calibrate.Series, note string) {
		for _, c := range calibrate.Checks {
			o, ok := calibrate.Observed(s, c, clock)
			if !ok || o <= 0 {
				continue
			}
			pr := calibrate.Predict(p, s, c)
			rows = append(rows, Row{Group: group, ID: fmt.Sprintf("%s-%d", s.Kind, s.MiB), Machine: calibrate.ProfileName,
				Strategy: c.Strategy, Sequence: c.SeqName, What: c.Name, Unit: "us", MiB: float64(s.MiB),
				Predicted: pr / 1e3, Observed: o / 1e3, RelErr: relErr(pr, o),
				Source: fmt.Sprintf("analyze calibrate on %s at %s, median of %d (%s time)", m.Host, m.Date.Format("2006-01-02T15:04Z"), len(s.SamplesOf(c, clock)), clock),
				Note:   note})
		}
	}
	for _, s := range touched {
		fit, err := calibrate.FitProfile(m, base, calibrate.FitOptions{Exclude: []int{s.MiB}, Bootstrap: -1, Clock: clock})
		if err != nil {
			return nil, nil, err
		}
		add(GroupHeldOut, &fit.Params, s, fmt.Sprintf("fit on %v MiB", fit.Train))
	}
	full, err := calibrate.FitProfile(m, base, calibrate.FitOptions{Bootstrap: -1, Clock: clock})
	if err != nil {
		return nil, nil, err
	}
	for _, s := range m.SeriesOf(calibrate.Untouched) {
		add(GroupUntouched, &full.Params, s, "no page touched: no PTEs to copy")
	}
	thp := m.SeriesOf(calibrate.HugePages)
	fitted := calibrate.HugeFitSeries(m)
	var hugeSet []string
	for _, n := range calibrate.HugeParams {
		if _, ok := full.Estimate(n); ok {
			hugeSet = append(hugeSet, n)
		}
	}
	for _, s := range thp {
		note := fmt.Sprintf("%d of %d MiB on huge pages: one entry per huge page, each costed as a base PTE", s.Space.AnonHugeBytes>>20, s.MiB)
		if len(hugeSet) > 0 {
			note = fmt.Sprintf("%d of %d MiB on huge pages: one entry per huge page, at the per-huge-entry costs fitted on %d MiB", s.Space.AnonHugeBytes>>20, s.MiB, fitted.MiB)
		}
		n0 := len(rows)
		add(GroupTHP, &full.Params, s, note)
		if s == fitted && len(hugeSet) > 0 {
			// This buffer set the huge-entry costs: its rows are fit
			// residuals, shown but not counted.
			for i := n0; i < len(rows); i++ {
				rows[i].Used, rows[i].UsedBy = true, hugeSet
			}
		}
	}
	if len(thp) == 0 {
		notes = append(notes, fmt.Sprintf("no transparent-huge-page series: the host's THP mode is %q", m.THP))
	}
	return rows, notes, nil
}

// Figure is a published figure checked against a built-in profile.
type Figure struct {
	ID       string
	Machine  string
	Strategy string
	Other    string // ratio: Strategy over Other
	Sequence model.Sequence
	Kind     string // "time" (us), "ms", "ratio", "slope" (ms/GB), "param"
	Param    string // Kind "param": the parameter compared (ns), shown in us
	Parent   *model.Input
	Parent2  *model.Input // slope: the second parent
	Value    float64
	Unit     string
	Source   string
	// Cites are phrases that a profile parameter's source contains when
	// the figure was used to set it.
	Cites []string
	Note  string
}

const miB = 1 << 20

// snap is a parent of resident MiB, writable MiB of them, all anonymous.
func snap(resident, writable float64, entries int64) *model.Input {
	return &model.Input{Snapshot: model.Snapshot{
		ResidentBytes: int64(resident * miB), WritableResidentBytes: int64(writable * miB),
		AnonResidentBytes: int64(writable * miB), MapEntries: entries, ParentThreads: 1,
	}}
}

// Parents of the published benchmarks (assumptions, as in the model's tests).
var (
	// A small 1996 lmbench process: 300 KiB resident, 100 KiB writable, ten mappings.
	lmbench1996 = snap(0.3, 0.1, 10)
	// A 2008 dynamically linked lmbench: 1 MiB resident, 256 KiB writable, 30 mappings.
	lmbench2008 = snap(1, 0.25, 30)
)

// tlpi is TLPI Table 28-3's parent: VSZ of mb MB, taken as resident, all
// but about 1.2 MB of it the writable heap the program grew.
func tlpi(mb float64) *model.Input { return snap(mb*1e6/miB, math.Max(mb-1.2, 0.3)*1e6/miB, 20) }

// redis is a Redis parent: rss GB of anonymous resident memory.
func redis(gb float64) *model.Input { return snap(gb*1e9/miB, gb*1e9/miB, 100) }

// Figures are the published figures of ../shared/reference/figures.md that
// suit the built-in profiles, each with its figure id.
var Figures = []Figure{
	{ID: "P1", Machine: "ppro200", Kind: "param", Param: "syscall_ns", Value: 4, Unit: "us",
		Source: "lmbench 1.1 null syscall, PPro-200, Linux 1.3.37 (McVoy, 28 Feb 1996)", Cites: []string{"null syscall, 4 us"}},
	{ID: "P2", Machine: "ppro200", Strategy: model.ForkCOW, Sequence: model.ForkExit, Kind: "time", Parent: lmbench1996, Value: 400, Unit: "us",
		Source: "lmbench 1.1 fork+exit (lat_proc fork), PPro-200, Linux 1.3.37 (McVoy, 28 Feb 1996)", Cites: []string{"fork+exit 0.4 ms"}},
	{ID: "P3", Machine: "ppro200", Strategy: model.ForkCOW, Sequence: model.ForkExecWait, Kind: "time", Parent: lmbench1996, Value: 5000, Unit: "us",
		Source: "lmbench 1.1 fork+execve (lat_proc exec), PPro-200 (McVoy, 28 Feb 1996)", Cites: []string{"fork+execve 5 ms"}},
	{ID: "P22", Machine: "ppro200", Strategy: model.ForkCOW, Other: model.VForkShare, Sequence: model.ForkExit, Kind: "ratio", Parent: lmbench1996, Value: 240.0 / 78, Unit: "x",
		Source: "FreeBSD commit 5856e12e: fork ~240 us, vfork ~78 us, small parent (ratio only; CPU not stated)", Cites: []string{"5856e12e"}},
	{ID: "M2-null", Machine: "zen4", Kind: "param", Param: "syscall_ns", Value: 0.18, Unit: "us",
		Source: "lmbench 2.0 null call, 3.6 GHz x86-64, Linux 2.6.22 (LKML)", Cites: []string{"null call 0.18"}, Note: "an older CPU"},
	{ID: "M2-fork", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkExit, Kind: "time", Parent: lmbench2008, Value: 100, Unit: "us",
		Source: "lmbench 2.0 fork 96-105 us, 3.6 GHz x86-64, Linux 2.6.22 (LKML)", Cites: []string{"fork 96-105"}, Note: "an older CPU"},
	{ID: "M2-exec", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkExecWait, Kind: "time", Parent: lmbench2008, Value: 468, Unit: "us",
		Source: "lmbench 2.0 exec 436-500 us, same machine (LKML)", Cites: []string{"exec 436-500"}, Note: "an older CPU"},
	{ID: "R13", Machine: "zen4", Strategy: model.ForkCOWPTE, Other: model.VForkShare, Sequence: model.ForkExit, Kind: "ratio", Parent: lmbench2008, Value: 3, Unit: "x",
		Source: "Solaris: vfork 3x faster than fork (austin-group-l msg01506, C. Dik)", Cites: []string{"msg01506"}, Note: "Solaris, not Linux"},
	{ID: "M4", Machine: "zen4", Strategy: model.VForkShare, Sequence: model.ForkExit, Kind: "time", Parent: tlpi(1.7), Value: 35.2, Unit: "us",
		Source: "TLPI Table 28-3: vfork (no exec) 3.52 s per 100,000 at VSZ 1.70 MB, Linux 2.6.27 x86-32", Cites: []string{"about 35 us flat"}, Note: "an older x86-32 machine"},
	{ID: "M3", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkExit, Kind: "time", Parent: tlpi(11.7), Value: 1269, Unit: "us",
		Source: "TLPI Table 28-3: fork (no exec) 126.93 s per 100,000 at VSZ 11.70 MB, Linux 2.6.27 x86-32", Cites: []string{"TLPI Table 28-3: fork"}, Note: "an older x86-32 machine"},
	{ID: "M6", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkExecWait, Kind: "time", Parent: tlpi(1.7), Value: 1357, Unit: "us",
		Source: "TLPI Table 28-3: fork+exec 135.72 s per 100,000 at VSZ 1.70 MB", Cites: []string{"TLPI Table 28-3: fork+exec"}, Note: "an older x86-32 machine"},
	{ID: "M7", Machine: "zen4", Strategy: model.VForkShare, Sequence: model.ForkExecWait, Kind: "time", Parent: tlpi(1.7), Value: 1075, Unit: "us",
		Source: "TLPI Table 28-3: vfork+exec about 1075 us, flat in parent size", Cites: []string{"vfork+exec"}, Note: "an older x86-32 machine"},
	{ID: "M8", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkExit, Kind: "slope", Parent: tlpi(1.7), Parent2: tlpi(11.7), Value: 105, Unit: "us/MB",
		Source: "TLPI Table 28-3 (derived): fork slope (1269-223 us)/10 MB", Cites: []string{"TLPI Table 28-3 implies"}, Note: "an older x86-32 machine"},
	{ID: "R1", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkOnly, Kind: "ms", Parent: redis(6.0), Value: 77, Unit: "ms",
		Source: "redis-doc latency.md: fork of a 6.0 GB Redis in 77 ms (VMware VM)", Cites: []string{"redis-doc"}, Note: "a VM of about 2012"},
	{ID: "R2", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkOnly, Kind: "ms", Parent: redis(6.1), Value: 80, Unit: "ms",
		Source: "redis-doc latency.md: fork of 6.1 GB in 80 ms (physical, unknown hardware)", Cites: []string{"redis-doc"}},
	{ID: "R3", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkOnly, Kind: "ms", Parent: redis(6.9), Value: 62, Unit: "ms",
		Source: "redis-doc latency.md: fork of 6.9 GB in 62 ms (Xeon 2.27 GHz)", Cites: []string{"redis-doc"}},
	{ID: "R6", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkOnly, Kind: "ms", Parent: redis(1.0), Value: 10, Unit: "ms",
		Source: "redis-doc latency.md: fork of 1 GB in 10 ms (EC2 Xen HVM)", Cites: []string{"redis-doc"}},
	{ID: "M9", Machine: "zen4", Strategy: model.ForkCOWPTE, Sequence: model.ForkOnly, Kind: "ms", Parent: snap(400, 400, 50), Value: 32, Unit: "ms",
		Source: "P. J. Holzer, 'fork vs. vfork': a 400 MB process forks in 32 ms (Core 2 1.86 GHz, Linux 2.6.26)", Cites: []string{"hjp.at"}, Note: "an older machine"},
}

func seqName(q model.Sequence) string {
	switch q {
	case model.ForkOnly:
		return "fork"
	case model.ForkExit:
		return "fork+exit"
	}
	return "fork+exec+wait"
}

func strategy(name string) *model.Strategy {
	i, err := model.StrategyIndex(name)
	if err != nil {
		panic(err)
	}
	return &model.Strategies()[i]
}

// predict evaluates a figure's quantity on p, in the figure's unit.
func (f *Figure) predict(p *model.Params) float64 {
	switch f.Kind {
	case "param":
		v, _ := p.Get(f.Param)
		return v / 1e3
	case "ratio":
		return model.SequenceCost(p, f.Parent, strategy(f.Strategy), f.Sequence) / model.SequenceCost(p, f.Parent, strategy(f.Other), f.Sequence)
	case "slope":
		a := model.SequenceCost(p, f.Parent, strategy(f.Strategy), f.Sequence)
		b := model.SequenceCost(p, f.Parent2, strategy(f.Strategy), f.Sequence)
		mb := float64(f.Parent2.Snapshot.ResidentBytes-f.Parent.Snapshot.ResidentBytes) / 1e6
		return (b - a) / 1e3 / mb
	case "ms":
		return model.SequenceCost(p, f.Parent, strategy(f.Strategy), f.Sequence) / 1e6
	}
	return model.SequenceCost(p, f.Parent, strategy(f.Strategy), f.Sequence) / 1e3
}

// usedBy lists the parameters of prof whose source cites the figure and
// which change the prediction: the figure helped set them.
func (f *Figure) usedBy(prof *machines.Profile) []string {
	var out []string
	base := f.predict(prof.ModelParams())
	for _, spec := range model.ParamSpecs() {
		src := prof.Params[spec.Name].Source
		cited := false
		for _, c := range f.Cites {
			if strings.Contains(src, c) {
				cited = true
			}
		}
		if !cited {
			continue
		}
		q := *prof.ModelParams()
		v, _ := q.Get(spec.Name)
		if spec.Unit == "fraction" {
			q.Set(spec.Name, math.Min(1, v+0.1))
		} else {
			q.Set(spec.Name, v*1.1+1)
		}
		if f.predict(&q) != base {
			out = append(out, spec.Name)
		}
	}
	return out
}

// Published checks the built-in profiles against the figures that suit them.
func Published() ([]Row, error) {
	var rows []Row
	for i := range Figures {
		f := &Figures[i]
		prof, err := machines.Lookup(f.Machine)
		if err != nil {
			return nil, err
		}
		pr := f.predict(prof.ModelParams())
		used := f.usedBy(prof)
		what := f.Kind
		seq := ""
		if f.Kind != "param" {
			seq = seqName(f.Sequence)
		}
		strat := f.Strategy
		switch f.Kind {
		case "ratio":
			strat = f.Strategy + "/" + f.Other
			what = "ratio"
		case "param":
			strat, what = "", f.Param
		case "time", "ms":
			what = "time"
		}
		mib := 0.0
		if f.Parent != nil {
			mib = float64(f.Parent.Snapshot.ResidentBytes) / miB
		}
		rows = append(rows, Row{Group: GroupPublished, ID: f.ID, Machine: f.Machine, Strategy: strat, Sequence: seq, What: what, Unit: f.Unit, MiB: mib,
			Predicted: pr, Observed: f.Value, RelErr: relErr(pr, f.Value), Used: len(used) > 0, UsedBy: used, Source: f.Source, Note: f.Note})
	}
	return rows, nil
}

func summarize(name string, rows []Row) GroupSummary {
	g := GroupSummary{Group: name, Rows: len(rows)}
	var errs []float64
	for _, r := range rows {
		if r.Used {
			continue
		}
		errs = append(errs, math.Abs(r.RelErr))
		g.MaxAbsRel = math.Max(g.MaxAbsRel, math.Abs(r.RelErr))
	}
	g.Counted = len(errs)
	if len(errs) > 0 { // else 0, with Counted 0 saying there was nothing to count
		g.MedianAbsRel = calibrate.Median(errs)
	}
	return g
}

// Build assembles the report: host rows (when m is not nil) and the
// published figures, with summaries and targets.
func Build(m *calibrate.Measurements, base *machines.Profile, clock, measurementsFile string) (*Report, error) {
	r := &Report{}
	if m != nil {
		rows, notes, err := Host(m, base, clock)
		if err != nil {
			return nil, err
		}
		r.Rows = append(r.Rows, rows...)
		r.Notes = append(r.Notes, notes...)
		r.Notes = append(r.Notes, m.Notes...)
		r.Host = &HostInfo{Host: m.Host, Date: m.Date.Format("2006-01-02T15:04:05Z"), CPU: m.CPU, Kernel: m.Kernel, Clock: clock, Measurements: measurementsFile, Base: base.Name, THP: m.THP}
	}
	pub, err := Published()
	if err != nil {
		return nil, err
	}
	r.Rows = append(r.Rows, pub...)
	groups := map[string][]Row{}
	var order []string
	for _, row := range r.Rows {
		g := row.Group
		if row.Group == GroupPublished {
			g = GroupPublished + ": " + row.Machine
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], row)
	}
	for _, g := range order {
		r.Groups = append(r.Groups, summarize(g, groups[g]))
	}
	// Per check within the held-out host sizes.
	byCheck := map[string][]Row{}
	var checks []string
	for _, row := range r.Rows {
		if row.Group != GroupHeldOut {
			continue
		}
		k := row.What + " (" + row.Strategy + " " + row.Sequence + ")"
		if _, ok := byCheck[k]; !ok {
			checks = append(checks, k)
		}
		byCheck[k] = append(byCheck[k], row)
	}
	for _, k := range checks {
		r.BySeq = append(r.BySeq, summarize(k, byCheck[k]))
	}
	r.Targets = targets(r.Rows, m != nil)
	return r, nil
}

// targets evaluates the two acceptance targets.
func targets(rows []Row, haveHost bool) []Target {
	var ts []Target
	var errs []float64
	sizes := map[float64]bool{}
	for _, row := range rows {
		if row.Group == GroupHeldOut && (row.What == calibrate.ForkExecWait || row.What == calibrate.VForkExecWait) {
			errs = append(errs, math.Abs(row.RelErr))
			sizes[row.MiB] = true
		}
	}
	t := Target{What: "host: held-out fork+exec+wait and vfork+exec+wait, 0 MiB to 1 GiB, median |relative error|", Limit: 0.15, Rows: len(errs), Measured: haveHost}
	if len(errs) > 0 {
		t.Value = calibrate.Median(errs)
		t.Met = t.Value <= t.Limit
		if !sizes[1024] {
			t.Comment = fmt.Sprintf("only sizes up to %g MiB were measured (--quick?)", maxKey(sizes))
		}
	} else {
		t.Comment = "no host calibration: run 'analyze calibrate'"
	}
	ts = append(ts, t)
	for _, row := range rows {
		if row.ID == "P2" {
			f := math.Max(row.Predicted/row.Observed, row.Observed/row.Predicted)
			ts = append(ts, Target{What: "ppro200 predicts lmbench's PPro fork+exit (P2) within a factor of 1.5", Limit: 1.5, Value: f, Met: f <= 1.5, Rows: 1, Measured: true})
		}
	}
	// THP fork alone, held out from the fit of the huge-entry costs.
	th := Target{What: "host: fork alone on transparent huge pages, held out, |relative error|", Limit: 0.25, Measured: haveHost}
	for _, row := range rows {
		if row.Group == GroupTHP && !row.Used && row.What == calibrate.ForkOnly {
			th.Value = math.Max(th.Value, math.Abs(row.RelErr))
			th.Rows++
		}
	}
	if th.Rows > 0 {
		th.Met = th.Value <= th.Limit
	} else {
		th.Comment = "no held-out THP series (a host without THP, or --quick)"
	}
	ts = append(ts, th)
	sort.SliceStable(ts, func(i, j int) bool { return false })
	return ts
}

func maxKey(m map[float64]bool) float64 {
	x := 0.0
	for k := range m {
		x = math.Max(x, k)
	}
	return x
}
