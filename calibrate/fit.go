package calibrate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
)

// Check is one kind of observation and the model sum it is compared with.
type Check struct {
	Name     string // the benchmark, or "parent_write_faults"
	Strategy string
	Sequence model.Sequence
	SeqName  string
}

// Checks are the size benchmarks and their model sums. The host's fork is
// Linux's: copy-on-write with the PTEs copied at fork (fork-cow-pte); its
// vfork shares the address space (vfork-share).
var Checks = []Check{
	{ForkOnly, model.ForkCOWPTE, model.ForkOnly, "fork"},
	{ForkExitWait, model.ForkCOWPTE, model.ForkExit, "fork+exit"},
	{ForkExecWait, model.ForkCOWPTE, model.ForkExecWait, "fork+exec+wait"},
	{VForkExecWait, model.VForkShare, model.ForkExecWait, "fork+exec+wait"},
	{SpawnWait, model.SpawnStrat, model.ForkExecWait, "fork+exec+wait"},
	{ParentWriteFaults, model.ForkCOWPTE, model.ForkExecWait, "parent-faults"},
}

// ShareCheck is the sharing clone (clone(CLONE_VM) without CLONE_VFORK,
// timed in the parent until the child exists) and the create phase of a
// creation that shares the address space. It is fitted, not checked: it
// gives proc_create_ns apart from the mm that fork alone duplicates. Its
// create phase has the parent's block, which the clone does not; at a
// context switch's cost it is within the clone's noise.
var ShareCheck = Check{ShareOnly, model.VForkShare, model.ForkOnly, "create"}

// ParentWriteFaults is the parent's write-fault time after a fork whose
// child is gone: parent_write_after_fork less parent_write_baseline.
const ParentWriteFaults = "parent_write_faults"

// Input returns the model input for a series: its measured address space,
// and no parent writes (the benchmarks time the writes separately).
func (s *Series) Input() *model.Input {
	sp := s.Space
	return &model.Input{Snapshot: model.Snapshot{
		ResidentBytes: sp.RSSBytes, WritableResidentBytes: sp.AnonBytes,
		AnonResidentBytes: sp.AnonBytes, HugeResidentBytes: sp.AnonHugeBytes, MapEntries: sp.MapEntries,
		ParentThreads: 1,
	}, HasParentWrites: true}
}

// Predict is the model's cost of check c for series s, in ns. Every check
// is a benchmark loop's creation, warm: it is priced without the cold
// surcharges (see fitCold).
func Predict(p *model.Params, s *Series, c Check) float64 {
	p = warm(p)
	i, err := model.StrategyIndex(c.Strategy)
	if err != nil {
		panic(err)
	}
	st := &model.Strategies()[i]
	in := s.Input()
	if c.Name == ParentWriteFaults {
		base := model.SequenceCost(p, in, st, c.Sequence)
		in.ParentWriteBytes = s.Space.AnonBytes // every page written once
		return model.SequenceCost(p, in, st, c.Sequence) - base
	}
	return model.SequenceCost(p, in, st, c.Sequence)
}

// Clocks: each size benchmark is timed twice. CPU time (the default for
// fitting) is the parent's CPU time plus the child's, from wait4: the work
// done, without the time spent waiting for a CPU, which on a shared machine
// is most of the noise. Wall time is what a user waits.
const (
	CPU  = "cpu"
	Wall = "wall"
)

// Key is the samples key of benchmark name timed by clock.
func Key(name, clock string) string {
	if clock == CPU {
		return name + ".cpu"
	}
	return name
}

// Samples returns the samples of check c timed by clock (for the parent's
// write faults, those of parent_write_after_fork).
func (s *Series) SamplesOf(c Check, clock string) []float64 {
	if c.Name == ParentWriteFaults {
		return s.Samples[Key(WriteAfterFork, clock)]
	}
	return s.Samples[Key(c.Name, clock)]
}

// Observed is the median of check c's samples in s, timed by clock, and
// whether s has them.
func Observed(s *Series, c Check, clock string) (float64, bool) {
	if c.Name == ParentWriteFaults {
		a, b := s.Samples[Key(WriteAfterFork, clock)], s.Samples[Key(WriteBaseline, clock)]
		if len(a) == 0 || len(b) == 0 {
			return 0, false
		}
		return median(a) - median(b), true
	}
	x := s.Samples[Key(c.Name, clock)]
	if len(x) == 0 {
		return 0, false
	}
	return median(x), true
}

// Estimate is one fitted parameter.
type Estimate struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	// Low and High bound the bootstrap's central 95% of the estimate.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// How says what it was estimated from.
	How string `json:"how"`
}

// NotIdentified lists the parameters these measurements cannot separate,
// with the reason; their values come from the base profile.
var NotIdentified = map[string]string{
	"pte_bytes":              "an architectural constant, not timed",
	"dtlb_entries":           "TLB geometry is not timed",
	"itlb_entries":           "TLB geometry is not timed",
	"vmspace_ref_ns":         "two reference-count updates are far below the noise of vfork+exec",
	"map_entry_copy_ns":      "every helper has the same few mappings, so per-entry costs are confounded with the constant terms",
	"map_entry_walk_ns":      "every helper has the same few mappings, so per-entry costs are confounded with the constant terms",
	"pt_page_alloc_ns":       "page-table pages grow in step with PTEs: one per 512 PTEs, confounded with pte_copy_ns",
	"tlb_flush_ns":           "one flush per fork, confounded with vmspace_create_ns",
	"page_free_ns":           "the child frees one page at most, below the noise",
	"child_text_faults":      "a behaviour of the traced program, not of the machine",
	"child_stack_cow":        "a behaviour of the traced program, not of the machine",
	"parent_write_fraction":  "a behaviour of the traced program, not of the machine",
	"pte_copy_file_fraction": "a kernel policy (Linux copies no PTEs of file mappings without anonymous pages)",
	"tlb_tagged":             "a property of the CPU and kernel (PCID), not timed",
	"ipi_ns":                 "the helper is single-threaded: no TLB shootdown to time",
	"pt_page_free_ns":        "page-table pages are freed in step with PTEs: one per 512, confounded with pte_zap_ns",
}

// Fit is a fitted profile.
type Fit struct {
	Base      *machines.Profile `json:"-"`
	BaseName  string            `json:"base"`
	Params    model.Params      `json:"-"`
	Estimates []Estimate        `json:"estimates"`
	// Train are the buffer sizes (MiB) of the touched series the fit used.
	Train     []int `json:"train_mib"`
	Bootstrap int   `json:"bootstrap"`
	// Clock is the clock whose samples were fitted: cpu or wall.
	Clock     string     `json:"clock"`
	Residuals []Residual `json:"residuals"`
	Notes     []string   `json:"notes,omitempty"`
	// Curved says whether the per-page costs are piecewise-linear curves,
	// and CurveChoice why (the leave-one-size-out errors of both).
	Curved      bool   `json:"curved"`
	CurveChoice string `json:"curve_choice,omitempty"`
}

// Residual is a training observation against the fitted model.
type Residual struct {
	Kind      string  `json:"kind"`
	MiB       int     `json:"mib"`
	Check     string  `json:"check"`
	Strategy  string  `json:"strategy"`
	Sequence  string  `json:"sequence"`
	Observed  float64 `json:"observed_ns"`
	Predicted float64 `json:"predicted_ns"`
	// RelErr is (predicted - observed) / observed.
	RelErr float64 `json:"rel_err"`
	// Spread is the interquartile range of the samples over their median.
	Spread float64 `json:"spread"`
	N      int     `json:"n"`
}

// FitOptions tune Fit.
type FitOptions struct {
	// Exclude drops touched sizes (MiB) from the fit: validate's held-out
	// sizes.
	Exclude []int
	// Bootstrap is the number of resamples for the intervals (default 200;
	// 0 keeps the default, a negative number skips the bootstrap).
	Bootstrap int
	Seed      uint64
	// Clock is CPU (the default) or Wall.
	Clock string
	// Straight fits single per-page values, never curves.
	Straight bool
}

// point is one touched series reduced to medians.
type point struct {
	s   *Series
	n   float64 // anonymous resident pages
	med map[string]float64
}

func points(series []*Series, clock string, draw func([]float64) []float64) []point {
	var pts []point
	for _, s := range series {
		p := point{s: s, n: math.Ceil(float64(s.Space.AnonBytes) / 4096), med: map[string]float64{}}
		for _, k := range []string{ForkOnly, ShareOnly, ShareCold, ForkCold, ForkExitWait, ForkExecWait, VForkExecWait, SpawnWait, WriteAfterFork, WriteBaseline} {
			if v := s.Samples[Key(k, clock)]; len(v) > 0 {
				p.med[k] = median(draw(v))
			}
		}
		if a, ok := p.med[WriteAfterFork]; ok {
			p.med[ParentWriteFaults] = a - p.med[WriteBaseline]
		}
		pts = append(pts, p)
	}
	return pts
}

// fitter holds one fit's working state.
type fitter struct {
	p     model.Params
	notes []string
	how   map[string]string
}

func (f *fitter) set(name string, v float64, how string) {
	if math.IsNaN(v) {
		f.notes = append(f.notes, fmt.Sprintf("%s: no estimate (too few measurements); kept the base value", name))
		return
	}
	if v < 0 {
		f.notes = append(f.notes, fmt.Sprintf("%s: the fit gave %.4g, clamped to 0", name, v))
		v = 0
	}
	if err := f.p.Set(name, v); err != nil {
		panic(err)
	}
	f.how[name] = how
}

// with returns a copy of the params with the named ones set to v times their
// weights.
func (f *fitter) with(names []string, weights []float64, v float64) *model.Params {
	q := f.p
	for i, n := range names {
		q.Set(n, v*weights[i])
	}
	return &q
}

// level fits θ, the named parameter(s) scaled by weights, to observations
// obs_i = model_i(θ) by least absolute relative deviation: it minimises
// the sum of |model_i(θ) - obs_i| / obs_i, whose solution is the weighted
// median of the per-observation solutions, each weighted by its
// coefficient over its observation. (The model is linear in every time
// parameter.) Relative, because the sizes' times span three orders of
// magnitude and a prediction is judged by its relative error.
//
// scale, when not nil, is what each error is relative to instead of the
// observation: for an observation that is a difference of two
// measurements (fork+exec less fork+exit), the larger of them, since the
// difference itself can be near zero.
func (f *fitter) level(names []string, weights []float64, obs, scale []float64, model func(p *model.Params, i int) float64) float64 {
	var sol, ws []float64
	p0, p1 := f.with(names, weights, 0), f.with(names, weights, 1)
	for i, o := range obs {
		c0, c1 := model(p0, i), model(p1, i)
		sc := o
		if scale != nil {
			sc = scale[i]
		}
		if c1 == c0 || math.IsNaN(o) || math.IsNaN(sc) || sc == 0 {
			continue
		}
		sol = append(sol, (o-c0)/(c1-c0))
		ws = append(ws, math.Abs(c1-c0)/math.Abs(sc))
	}
	return weightedMedian(sol, ws)
}

// slope fits θ, the named parameter(s) scaled by weights, to how the
// observations of check c grow with the anonymous resident pages: θ is the
// weighted Theil–Sen slope of what the model leaves over with θ = 0, over
// the slope of θ's own coefficient (which is proportional to the pages for
// every parameter fitted this way). Taking the model's value out first
// keeps its non-linear terms (a TLB refill capped at the TLB's size, whole
// page-table pages) out of the slope.
func (f *fitter) slope(names []string, weights []float64, pts []point, c Check) float64 {
	x, y, k := f.leftOver(names, weights, pts, c)
	if len(x) < 2 {
		return math.NaN()
	}
	_, b := theilSen(x, y)
	_, s1 := theilSen(x, k)
	if s1 == 0 {
		return math.NaN()
	}
	return b / s1
}

// leftOver is, for each point that has check c, its pages (x), what the
// model leaves of the observation with the named parameters at 0 (y), and
// those parameters' own coefficient (k: the model at 1 less at 0).
func (f *fitter) leftOver(names []string, weights []float64, pts []point, c Check) (x, y, k []float64) {
	p0, p1 := f.with(names, weights, 0), f.with(names, weights, 1)
	for _, pt := range pts {
		o, ok := pt.med[c.Name]
		if !ok {
			continue
		}
		c0, c1 := Predict(p0, pt.s, c), Predict(p1, pt.s, c)
		x, y, k = append(x, pt.n), append(y, o-c0), append(k, c1-c0)
	}
	return x, y, k
}

// segSlopes is slope between each pair of neighbouring sizes instead of
// over all of them: the per-page cost of each segment of a piecewise-linear
// fit (a curve). Negative segments (noise) count as zero.
func (f *fitter) segSlopes(names []string, weights []float64, pts []point, c Check) (pages, slopes []float64) {
	x, y, k := f.leftOver(names, weights, pts, c)
	for i := 0; i+1 < len(x); i++ {
		dk := k[i+1] - k[i]
		if x[i+1] <= x[i] || dk == 0 {
			return nil, nil
		}
		pages = append(pages, x[i])
		slopes = append(slopes, math.Max((y[i+1]-y[i])/dk, 0))
	}
	return pages, slopes
}

// setCurve makes the named parameters curves of the segment slopes th
// (each scaled by its weight), stated at their fitted values.
func (f *fitter) setCurve(names []string, weights []float64, pages, th []float64, how string) {
	if len(th) < 2 {
		return
	}
	for i, n := range names {
		v, _ := f.p.Get(n)
		if !(v > 0) {
			continue
		}
		c := &model.Curve{Pages: pages, NsPerPage: make([]float64, len(th)), Ref: v, Source: how}
		for j := range th {
			c.NsPerPage[j] = th[j] * weights[i]
		}
		if c.Check() == nil {
			f.p.SetCurve(n, c)
		}
	}
}

func checkOf(name string) Check {
	if name == ShareOnly {
		return ShareCheck
	}
	for _, c := range Checks {
		if c.Name == name {
			return c
		}
	}
	panic(name)
}

// hostFacts are the host's facts the fit needs: read, not timed.
type hostFacts struct {
	pageSize, cpus, hugePageSize float64
	hugeKnown                    bool
	thp                          string
}

func factsOf(m *Measurements) hostFacts {
	h := hostFacts{pageSize: float64(m.PageSize), cpus: float64(m.CPUs), thp: m.THP}
	switch {
	case m.THP == "always" || m.THP == "madvise":
		// On, and its size known (older measurement files lack it).
		h.hugeKnown, h.hugePageSize = m.HugePageSize > 0, float64(m.HugePageSize)
	case m.THP == "never" || m.THP == "":
		h.hugeKnown = m.PageSize > 0 // a real measurement: the host has none
	}
	return h
}

// fitOnce fits the identifiable parameters from one set of medians, in an
// order in which each step only needs what is already known.
func fitOnce(pts []point, micro map[string]float64, base model.Params, env hostFacts, curved bool) *fitter {
	f := &fitter{p: base, how: map[string]string{}}
	for _, n := range curveParams {
		f.p.SetCurve(n, nil) // fitted here: the base's curves do not apply
	}
	if env.pageSize > 0 {
		f.set("page_size", env.pageSize, "getpagesize()")
	}
	if env.cpus > 0 {
		f.set("cpus", env.cpus, "the CPUs this process may run on (sched_getaffinity)")
	}
	if env.hugeKnown {
		if env.hugePageSize > 0 {
			f.set("huge_page_size", env.hugePageSize, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size, transparent huge pages enabled ("+env.thp+")")
		} else {
			f.set("huge_page_size", 0, "transparent huge pages are off or absent ("+env.thp+"): every page is a base page")
		}
	}
	// 1. Machine microbenchmarks, read directly.
	f.set("syscall_ns", micro[NullSyscall], "median of a null system call (getppid) timed in loops of 20000")
	f.set("ctx_switch_ns", micro[CtxSwitch], "median context switch: two processes on one CPU passing a byte through pipes, less the pipe overhead measured in one process (lmbench lat_ctx's method)")
	f.set("page_copy_ns", micro[PageCopyStream], "median 4 KiB memcpy streaming through 256 MiB buffers (64 MiB with --quick), memory-bound")
	f.set("tlb_refill_ns", micro[TLBWalkSparse]-micro[TLBWalkDense], "median extra latency of a random pointer chase over one cache line in each of 16384 pages, against the same lines packed into 256 pages")
	if len(pts) == 0 {
		return f
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].n < pts[j].n })
	one := []float64{1}

	// 2. Slopes in anonymous resident pages (weighted Theil–Sen over the
	// per-size medians).
	var wpts []point
	for _, p := range pts {
		if _, ok := p.med[ParentWriteFaults]; ok {
			wpts = append(wpts, p)
		}
	}
	if len(wpts) >= 2 {
		f.set("soft_fault_ns", f.slope([]string{"soft_fault_ns"}, one, wpts, checkOf(ParentWriteFaults)),
			"Theil–Sen slope of the parent's write-fault time per page after a fork whose child has exited (each page one write-protect fault, nothing copied)")
	}
	// pte_protect_ns and pte_copy_ns are only identified as a sum: the
	// split keeps the base profile's ratio.
	pp, _ := base.Get("pte_protect_ns")
	pc, _ := base.Get("pte_copy_ns")
	pteNames, pteW := []string{"pte_protect_ns", "pte_copy_ns"}, []float64{pp / (pp + pc), pc / (pp + pc)}
	if len(pts) >= 2 {
		th := f.slope(pteNames, pteW, pts, checkOf(ForkOnly))
		if !math.IsNaN(th) {
			how := fmt.Sprintf("Theil–Sen slope of fork alone per anonymous resident page, less page-table page allocation; only pte_protect_ns + pte_copy_ns is identified, split in the base profile's ratio %.2g:%.2g", pteW[0], pteW[1])
			f.set("pte_protect_ns", th*pteW[0], how)
			f.set("pte_copy_ns", th*pteW[1], how)
			if curved {
				pages, segs := f.segSlopes(pteNames, pteW, pts, checkOf(ForkOnly))
				f.setCurve(pteNames, pteW, pages, segs, "piecewise-linear fit between the calibrated sizes: the slope of fork alone per anonymous resident page between each size and the next, split in the same ratio; chosen because it lowered the leave-one-size-out error")
			}
		}
		// The child's teardown: the extra slope of fork+exit and
		// fork+exec+wait over fork alone.
		zx := f.slope([]string{"pte_zap_ns"}, one, pts, checkOf(ForkExitWait))
		ze := f.slope([]string{"pte_zap_ns"}, one, pts, checkOf(ForkExecWait))
		f.set("pte_zap_ns", (zx+ze)/2, "mean of the Theil–Sen slopes of fork+exit+wait and fork+exec+wait per anonymous resident page, less fork alone's (the child's page-table teardown)")
		if curved {
			zn := []string{"pte_zap_ns"}
			px, sx := f.segSlopes(zn, one, pts, checkOf(ForkExitWait))
			_, se := f.segSlopes(zn, one, pts, checkOf(ForkExecWait))
			if len(sx) == len(se) {
				for i := range sx {
					sx[i] = (sx[i] + se[i]) / 2
				}
				f.setCurve(zn, one, px, sx, "piecewise-linear fit between the calibrated sizes: the mean of the slopes of fork+exit+wait and fork+exec+wait per anonymous resident page between each size and the next, less fork alone's; chosen because it lowered the leave-one-size-out error")
			}
		}
	}

	// 3. Levels: solved per size from the medians, then the median over sizes.
	obs := func(key string) []float64 {
		o := make([]float64, len(pts))
		for i, p := range pts {
			v, ok := p.med[key]
			if !ok {
				v = math.NaN()
			}
			o[i] = v
		}
		return o
	}
	diff := func(a, b []float64) []float64 {
		o := make([]float64, len(a))
		for i := range a {
			o[i] = a[i] - b[i]
		}
		return o
	}
	pred := func(c string) func(p *model.Params, i int) float64 {
		return func(p *model.Params, i int) float64 { return Predict(p, pts[i].s, checkOf(c)) }
	}
	predDiff := func(a, b string) func(p *model.Params, i int) float64 {
		return func(p *model.Params, i int) float64 {
			return Predict(p, pts[i].s, checkOf(a)) - Predict(p, pts[i].s, checkOf(b))
		}
	}
	// The constants. Every sequence has proc_create_ns, and every one but
	// fork alone the exit and the wait: fork alone separates them. What
	// fork alone has besides is vmspace_create_ns, kept from the base (the
	// two are confounded there); what a forked child's exit has besides,
	// the teardown of its copy of the map, is map_entry_free_ns. Each
	// step only needs what the steps before it set.
	f.set("exec_load_ns", f.level([]string{"exec_load_ns"}, one, diff(obs(ForkExecWait), obs(ForkExitWait)), obs(ForkExecWait), predDiff(ForkExecWait, ForkExitWait)),
		"least-absolute-relative-deviation fit over sizes of fork+exec+wait less fork+exit+wait: the exec of a 129-byte static program that only exits (the exit and the wait are in both, and cancel)")
	// The per-fork constants are read where the per-page terms are
	// smallest, the smallest size: fitted over every size they absorb the
	// per-page slope's error at the small sizes (where fork's cost per page
	// is not the large sizes' one), which once drove proc_create_ns from
	// 23 us to 2 us between two runs.
	smallest := func(o []float64) []float64 {
		out := make([]float64, len(o))
		for i := range out {
			out[i] = math.NaN()
		}
		out[0] = o[0] // pts is sorted by pages
		return out
	}
	// A creation that shares the address space pays proc_create_ns and
	// none of the mm's duplication, so where the sharing clone was
	// measured it gives proc_create_ns, and fork alone's remainder is
	// vmspace_create_ns: read together from fork alone (as measurements
	// without the clone must), proc_create_ns carried the mm's fixed cost
	// into every vfork and posix_spawn, and the recorded creations'
	// create_ns came out two to three times below the model's.
	if share := obs(ShareOnly); slices.ContainsFunc(share, func(v float64) bool { return !math.IsNaN(v) }) {
		f.set("proc_create_ns", f.level([]string{"proc_create_ns"}, one, share, nil, pred(ShareOnly)),
			"least-absolute-relative-deviation fit over sizes of a sharing clone (clone(CLONE_VM), timed until the child exists) less one system call, a vmspace reference and the parent's block: the creation apart from its address space (files, signal state, the task)")
		f.set("vmspace_create_ns", f.level([]string{"vmspace_create_ns"}, one, smallest(obs(ForkOnly)), nil, pred(ForkOnly)),
			"fork alone at the smallest calibrated size less its other modelled steps, proc_create_ns from the sharing clone: duplicating the mm itself (beyond its entries and PTEs)")
	} else {
		f.set("proc_create_ns", f.level([]string{"proc_create_ns"}, one, smallest(obs(ForkOnly)), nil, pred(ForkOnly)),
			"fork alone at the smallest calibrated size less its other modelled steps (with vmspace_create_ns from the base): absorbs every per-fork constant the model does not name (files, signal state, the task, the mm's own duplication)")
	}
	f.set("exit_wait_ns", f.level([]string{"exit_wait_ns"}, one, obs(VForkExecWait), nil, pred(VForkExecWait)),
		"least-absolute-relative-deviation fit over sizes of vfork+exec+wait less the creation, the exec, one system call, two context switches and two vmspace references: the exec'd program's exit and the parent's wait4")
	f.set("spawn_setup_ns", f.level([]string{"spawn_setup_ns"}, one, obs(SpawnWait), nil, pred(SpawnWait)),
		"least-absolute-relative-deviation fit over sizes of posix_spawn+wait less the same sum (glibc's clone on its own stack, and its setup)")
	f.set("map_entry_free_ns", f.level([]string{"map_entry_free_ns"}, one, smallest(obs(ForkExitWait)), nil, pred(ForkExitWait)),
		"fork+exit+wait at the smallest calibrated size less its other modelled steps, divided by the helper's mappings: the forked child's exit of its copy of the map beyond the common exit and wait")
	return f
}

func microMedians(micro map[string][]float64, draw func([]float64) []float64) map[string]float64 {
	out := map[string]float64{}
	keys := make([]string, 0, len(micro))
	for k := range micro {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the bootstrap draws in a fixed order: the same fit from the same data
	for _, k := range keys {
		if v := micro[k]; len(v) > 0 {
			out[k] = median(draw(v))
		}
	}
	for _, k := range []string{NullSyscall, CtxSwitch, PageCopyStream, TLBWalkSparse, TLBWalkDense} {
		if _, ok := out[k]; !ok {
			out[k] = math.NaN()
		}
	}
	return out
}

// FitProfile fits the host's parameters from m, starting from base: the
// parameters the measurements identify are estimated, the others keep
// base's values.
func FitProfile(m *Measurements, base *machines.Profile, opt FitOptions) (*Fit, error) {
	var train []*Series
	excluded := map[int]bool{}
	for _, x := range opt.Exclude {
		excluded[x] = true
	}
	for _, s := range m.SeriesOf(Touched) {
		if !excluded[s.MiB] {
			train = append(train, s)
		}
	}
	if len(train) < 2 {
		return nil, fmt.Errorf("fit: need the touched series at two sizes at least, have %d", len(train))
	}
	clock := opt.Clock
	if clock == "" {
		clock = CPU
	}
	if clock != CPU && clock != Wall {
		return nil, fmt.Errorf("fit: unknown clock %q (want cpu or wall)", clock)
	}
	id := func(x []float64) []float64 { return x }
	micro := microMedians(m.Micro, id)
	// Straight lines, or curves where they predict sizes they did not see
	// better than straight lines do.
	curved := false
	var choice string
	if !opt.Straight && len(train) >= 4 {
		es, ec := looError(train, clock, micro, base, m, false), looError(train, clock, micro, base, m, true)
		// By a fifth at least: a curve has a cost per segment, and on
		// noise it follows the noise, winning by chance a little.
		curved = ec < curveGain*es
		choice = fmt.Sprintf("per-page costs: leave-one-size-out median |relative error| of fork, fork+exit and fork+exec+wait over %v MiB: %.1f%% with straight lines, %.1f%% with piecewise-linear curves (chosen when at least a fifth lower): %s", sizesOf(train), 100*es, 100*ec, map[bool]string{true: "curves", false: "straight lines"}[curved])
	}
	thp, cold := HugeFitSeries(m), ColdSeries(m)
	f := fitOnce(points(train, clock, id), micro, *base.ModelParams(), factsOf(m), curved)
	f.fitHuge(thp, clock, id)
	f.fitCold(cold, clock, id)
	fit := &Fit{Base: base, BaseName: base.Name, Params: f.p, Notes: f.notes, Clock: clock, Curved: curved, CurveChoice: choice}
	for _, s := range train {
		fit.Train = append(fit.Train, s.MiB)
	}
	var names []string
	for _, spec := range model.ParamSpecs() {
		if _, ok := f.how[spec.Name]; ok {
			names = append(names, spec.Name)
		}
	}
	B := opt.Bootstrap
	if B == 0 {
		B = 200
	}
	boot := map[string][]float64{}
	if B > 0 {
		r := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
		draw := func(x []float64) []float64 { return resample(r, x) }
		for b := 0; b < B; b++ {
			g := fitOnce(points(train, clock, draw), microMedians(m.Micro, draw), *base.ModelParams(), factsOf(m), curved)
			g.fitHuge(thp, clock, draw)
			g.fitCold(cold, clock, draw)
			for _, n := range names {
				v, _ := g.p.Get(n)
				boot[n] = append(boot[n], v)
			}
		}
		fit.Bootstrap = B
	}
	for _, n := range names {
		v, _ := f.p.Get(n)
		e := Estimate{Name: n, Value: v, Low: v, High: v, How: f.how[n]}
		if xs := boot[n]; len(xs) > 0 {
			e.Low, e.High = math.Min(v, quantile(xs, 0.025)), math.Max(v, quantile(xs, 0.975))
		}
		fit.Estimates = append(fit.Estimates, e)
	}
	fit.Residuals = Residuals(&fit.Params, train, clock)
	return fit, nil
}

// HugeFitSeries is the huge-page series the per-huge-entry costs are
// fitted on: the largest one that the kernel gave huge pages (nil if none).
func HugeFitSeries(m *Measurements) *Series {
	var best *Series
	for _, s := range m.SeriesOf(HugePages) {
		if s.Space.AnonHugeBytes > 0 && (best == nil || s.MiB > best.MiB) {
			best = s
		}
	}
	return best
}

// HugeParams are the parameters fitted on HugeFitSeries.
var HugeParams = []string{"huge_fork_ns", "huge_zap_ns", "huge_fault_ns"}

// fitHuge sets the per-huge-entry costs from a buffer on transparent huge
// pages, each from the one check it enters first: fork alone, then
// fork+exit+wait, then the parent's write faults. Each is solved directly
// (one observation), with the parameter's 0 meaning "a base PTE" kept out
// of the way: the costs are linear in the parameter once it is positive.
func (f *fitter) fitHuge(s *Series, clock string, draw func([]float64) []float64) {
	if s == nil || f.p.HugePageSize <= 0 {
		return
	}
	pt := points([]*Series{s}, clock, draw)[0]
	huge := s.Space.AnonHugeBytes >> 20
	for _, x := range []struct{ name, check, how string }{
		{"huge_fork_ns", ForkOnly, "fork alone of %d MiB on transparent huge pages (%d MiB of it huge) less its other modelled steps, per huge entry: copy_huge_pmd's write-protect, copy and page-table deposit"},
		{"huge_zap_ns", ForkExitWait, "fork+exit+wait of %d MiB on transparent huge pages (%d MiB of it huge) less its other modelled steps, per huge entry: the child's zap of the PMD and free of its deposited page-table page"},
		{"huge_fault_ns", ParentWriteFaults, "the parent's write-fault time after a fork of %d MiB on transparent huge pages (%d MiB of it huge), per huge page written"},
	} {
		o, ok := pt.med[x.check]
		if !ok {
			continue
		}
		c := checkOf(x.check)
		lo, hi := f.p, f.p
		lo.Set(x.name, 1e-9)
		hi.Set(x.name, 1)
		c0, c1 := Predict(&lo, s, c), Predict(&hi, s, c)
		if c1 == c0 {
			continue
		}
		v := (o - c0) / (c1 - c0)
		if v <= 0 {
			// Not above a base PTE's modelled cost: keep the default
			// (a huge entry costed as a base PTE).
			f.notes = append(f.notes, fmt.Sprintf("%s: the fit gave %.4g, not positive; a huge entry stays costed as a base PTE", x.name, v))
			continue
		}
		f.set(x.name, v, fmt.Sprintf(x.how, s.MiB, huge))
	}
}

// warm returns p for a creation in a benchmark loop, which follows the
// last one at once with the kernel's creation paths in the caches: without
// the cold surcharges, which a creation in a running program pays.
func warm(p *model.Params) *model.Params {
	if p.ProcCreateColdNs == 0 && p.VmspaceCreateColdNs == 0 {
		return p
	}
	q := *p
	q.ProcCreateColdNs, q.VmspaceCreateColdNs = 0, 0
	return &q
}

// ColdSeries is the series of warm and cold creations (nil if the
// measurements have none).
func ColdSeries(m *Measurements) *Series {
	if c := m.SeriesOf(Cold); len(c) > 0 {
		return c[0]
	}
	return nil
}

// ColdParams are the parameters fitted on ColdSeries.
var ColdParams = []string{"proc_create_cold_ns", "vmspace_create_cold_ns"}

// fitCold sets the cold surcharges from the cold series, where the same
// helper made each creation warm (straight after the last, as every other
// benchmark does) and cold (after a sweep of its caches), alternately: the
// model's other steps are the same for both and cancel, so each surcharge
// is a difference of two medians.
func (f *fitter) fitCold(s *Series, clock string, draw func([]float64) []float64) {
	if s == nil {
		return
	}
	pt := points([]*Series{s}, clock, draw)[0]
	sw, okw := pt.med[ShareOnly]
	sc, okc := pt.med[ShareCold]
	if !okw || !okc {
		return
	}
	proc := sc - sw
	f.set("proc_create_cold_ns", proc, "a sharing clone (clone(CLONE_VM), timed until the child exists) after a sweep of a buffer many times the CPU's private caches, less the same clone straight after the last creation, alternately in one helper (medians): the creation's cost in a running program beyond a tight loop's")
	fw, okw := pt.med[ForkOnly]
	fc, okc := pt.med[ForkCold]
	if !okw || !okc {
		return
	}
	f.set("vmspace_create_cold_ns", fc-fw-math.Max(proc, 0), fmt.Sprintf("fork alone after the same sweep less fork alone straight after the last creation, alternately in one helper with %d mappings (medians), less proc_create_cold_ns: duplicating the address space cold beyond warm", s.Space.MapEntries))
}

// curveGain is how much lower the held-out error of curves must be for
// them to be chosen over straight lines.
const curveGain = 0.8

// curveParams are the per-page parameters the fit may make curves.
var curveParams = []string{"pte_protect_ns", "pte_copy_ns", "pte_zap_ns"}

// curveChecks are the checks whose leave-one-size-out error decides
// between straight lines and curves: the sums the curves enter.
var curveChecks = []string{ForkOnly, ForkExitWait, ForkExecWait}

// looError is the median |relative error| of the curve checks at each
// training size, predicted by a fit on the other sizes.
func looError(train []*Series, clock string, micro map[string]float64, base *machines.Profile, m *Measurements, curved bool) float64 {
	var errs []float64
	for k, held := range train {
		var rest []*Series
		for j, s := range train {
			if j != k {
				rest = append(rest, s)
			}
		}
		f := fitOnce(points(rest, clock, func(x []float64) []float64 { return x }), micro, *base.ModelParams(), factsOf(m), curved)
		for _, name := range curveChecks {
			c := checkOf(name)
			o, ok := Observed(held, c, clock)
			if !ok || o <= 0 {
				continue
			}
			errs = append(errs, math.Abs(Predict(&f.p, held, c)-o)/o)
		}
	}
	return median(errs)
}

func sizesOf(series []*Series) []int {
	var out []int
	for _, s := range series {
		out = append(out, s.MiB)
	}
	return out
}

// Residuals compares every check of every series with the model.
func Residuals(p *model.Params, series []*Series, clock string) []Residual {
	var out []Residual
	for _, s := range series {
		for _, c := range Checks {
			o, ok := Observed(s, c, clock)
			if !ok {
				continue
			}
			pr := Predict(p, s, c)
			r := Residual{Kind: s.Kind, MiB: s.MiB, Check: c.Name, Strategy: c.Strategy, Sequence: c.SeqName, Observed: o, Predicted: pr, RelErr: (pr - o) / o}
			x := s.SamplesOf(c, clock)
			r.Spread, r.N = iqrRel(x), len(x)
			out = append(out, r)
		}
	}
	return out
}

// Estimate returns the estimate of the named parameter.
func (f *Fit) Estimate(name string) (Estimate, bool) {
	for _, e := range f.Estimates {
		if e.Name == name {
			return e, true
		}
	}
	return Estimate{}, false
}

// CheckByName returns the check called name.
func CheckByName(name string) Check { return checkOf(name) }
