package calibrate

import (
	"math"
	"sort"
	"time"
)

// Calibration runs on a time budget (Config.Budget). What a repetition
// costs depends on the host far more than on the protocol: at a gigabyte
// every fork is followed by a loop that takes one write fault per page, so
// a fault of 1 us or of 14 us makes a repetition cost 1 s or 11 s. The
// first round is therefore a probe, one repetition of every size, smallest
// first, each helper reporting what its set-up and its repetitions cost
// (the "cost" lines of bench_linux.c); before every later round the
// repetitions still wanted are planned to fit what is left of the budget.

// DefaultBudget and QuickBudget are the time budgets of a full and of a
// --quick calibration.
const (
	DefaultBudget = 60 * time.Second
	QuickBudget   = 10 * time.Second
)

// minReps is the fewest fork repetitions a size is measured with: a
// median of three resists one preempted sample.
const minReps = 3

// jobCost is what one helper run of a job costs, in seconds of wall time:
// its set-up (process start, mapping and writing the buffer, warm-up), one
// repetition of the forks (each with the parent's write loops after it),
// and one of vfork and posix_spawn.
type jobCost struct {
	setup, rep, repA float64
}

// runCost is the cost of a run of n fork repetitions and na vfork ones.
func (c jobCost) runCost(n, na int) float64 {
	return c.setup + float64(n)*c.rep + float64(na)*c.repA
}

// planJob is one job as the planner sees it.
type planJob struct {
	cost jobCost
	// want is how many more fork repetitions the full protocol would
	// take; need how many more the job must have (up to minReps in all).
	want, need int
	// repsA is the vfork repetitions of every run.
	repsA int
}

// planCost is the cost of giving job j n more repetitions over at most
// runs helper runs.
func planCost(j planJob, n, runs int) float64 {
	if n <= 0 {
		return 0
	}
	r := min(runs, n)
	return float64(r)*(j.cost.setup+float64(j.repsA)*j.cost.repA) + float64(n)*j.cost.rep
}

// plan chooses every job's further fork repetitions so that the whole fits
// in avail seconds over at most runs helper runs each. It fills time like
// water: every job gets the repetitions it wants that fit under one cap on
// the time spent on a job, never fewer than it needs, so that the cheap
// small sizes, whose medians are the noisiest, keep their full count and
// the large ones share what is left. It returns the counts, the share of
// the wanted repetitions they make (1: the full protocol) and whether even
// the needs fit.
func plan(jobs []planJob, avail float64, runs int) ([]int, float64, bool) {
	counts := func(cap float64) ([]int, float64) {
		ns := make([]int, len(jobs))
		var total float64
		for i, j := range jobs {
			n := j.want
			if per := j.cost.rep; per > 0 && !math.IsInf(cap, 1) {
				n = min(n, int(cap/per))
			}
			ns[i] = max(j.need, n, 0)
			total += planCost(j, ns[i], runs)
		}
		return ns, total
	}
	share := func(ns []int) float64 {
		var got, want float64
		for i, j := range jobs {
			got += float64(min(ns[i], max(j.want, 0)))
			want += float64(max(j.want, 0))
		}
		if want == 0 {
			return 1
		}
		return got / want
	}
	if ns, total := counts(math.Inf(1)); total <= avail {
		return ns, 1, true
	}
	ns, total := counts(0)
	if total > avail {
		return ns, 0, false
	}
	lo, hi := 0.0, avail
	for i := 0; i < 50; i++ {
		mid := (lo + hi) / 2
		if _, t := counts(mid); t <= avail {
			lo = mid
		} else {
			hi = mid
		}
	}
	ns, _ = counts(lo)
	return ns, share(ns), true
}

// perRun splits n repetitions over at most runs runs: the count of the
// next run.
func perRun(n, runs int) int {
	if n <= 0 || runs <= 0 {
		return 0
	}
	r := min(runs, n)
	return (n + r - 1) / r
}

// costOf summarises a helper's cost lines, in seconds (medians of the
// repetitions; NaN when it reported none).
func costOf(lines map[string][]float64) jobCost {
	med := func(k string) float64 {
		xs := lines[k]
		if len(xs) == 0 {
			return math.NaN()
		}
		return median(xs) / 1e9
	}
	return jobCost{setup: med("setup"), rep: med("rep"), repA: med("rep_a")}
}

// extrapolate estimates the cost of a job of mib MiB from measured jobs of
// the same kind: a repetition's and the set-up's cost grow with the pages
// written, so each is scaled from the largest measured size by the ratio
// of the sizes (plus the smallest size's cost as the constant part).
func extrapolate(known map[int]jobCost, mib int) (jobCost, bool) {
	var sizes []int
	for s, c := range known {
		if !math.IsNaN(c.rep) && !math.IsNaN(c.setup) {
			sizes = append(sizes, s)
		}
	}
	if len(sizes) == 0 {
		return jobCost{}, false
	}
	sort.Ints(sizes)
	lo, hi := known[sizes[0]], known[sizes[len(sizes)-1]]
	f := 1.0
	if top := sizes[len(sizes)-1]; top > sizes[0] {
		f = float64(mib-sizes[0]) / float64(top-sizes[0])
	}
	lin := func(a, b float64) float64 { return a + math.Max(b-a, 0)*f }
	repA := hi.repA
	if math.IsNaN(repA) {
		repA = 0
	}
	return jobCost{setup: lin(lo.setup, hi.setup), rep: lin(lo.rep, hi.rep), repA: repA}, true
}
