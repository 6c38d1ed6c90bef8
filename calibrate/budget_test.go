package calibrate

import (
	"math"
	"testing"
)

// A host whose faults cost 1 us and one whose faults cost 14 us: the same
// protocol, planned into the same budget, must fit it on both, the slow
// one with fewer repetitions.
func TestPlanFitsTheBudgetWhateverTheFaultCost(t *testing.T) {
	for _, fault := range []float64{1e-6, 14e-6} {
		var jobs []planJob
		for _, mib := range DefaultSizes {
			pages := float64(mib) * 256
			// Three forks per repetition, each followed by a write loop of
			// one fault per page; the set-up writes the buffer once.
			c := jobCost{setup: 0.01 + pages*fault/5, rep: 3*pages*fault + 0.001, repA: 0.0005}
			jobs = append(jobs, planJob{cost: c, want: reps(mib, false) - 1, need: minReps - 1, repsA: 30})
		}
		const avail = 45.0
		counts, k, ok := plan(jobs, avail, 4)
		if !ok {
			t.Fatalf("fault %g s: the fewest repetitions do not fit in %g s", fault, avail)
		}
		var total float64
		for i, j := range jobs {
			if counts[i] < j.need {
				t.Errorf("fault %g s: job %d got %d repetitions, needs %d", fault, i, counts[i], j.need)
			}
			total += planCost(j, counts[i], 4)
		}
		if total > avail {
			t.Errorf("fault %g s: plan costs %.1f s, more than the %g s available", fault, total, avail)
		}
		if fault > 1e-5 && k >= 1 || counts[0] != jobs[0].want {
			t.Errorf("fault %g s: plan (share %g, %v) should cut only the large sizes", fault, k, counts)
		}
		t.Logf("fault %.0f us: factor %.3f, counts %v, %.1f s", fault*1e6, k, counts, total)
	}
}

func TestPlanSaysWhenEvenTheFewestDoNotFit(t *testing.T) {
	jobs := []planJob{{cost: jobCost{setup: 1, rep: 10}, want: 10, need: 2}}
	if _, _, ok := plan(jobs, 5, 4); ok {
		t.Error("a job needing 21 s fitted in 5 s")
	}
	counts, k, ok := plan(jobs, 1000, 4)
	if !ok || k != 1 || counts[0] != 10 {
		t.Errorf("ample budget: counts %v, factor %g, ok %v; want the full 10 repetitions", counts, k, ok)
	}
}

func TestPerRunSpreadsTheRepetitions(t *testing.T) {
	for _, c := range []struct{ n, runs, want int }{{10, 4, 3}, {2, 4, 1}, {0, 4, 0}, {7, 1, 7}} {
		if got := perRun(c.n, c.runs); got != c.want {
			t.Errorf("perRun(%d, %d) = %d, want %d", c.n, c.runs, got, c.want)
		}
	}
}

func TestExtrapolateScalesWithSize(t *testing.T) {
	known := map[int]jobCost{0: {setup: 0.01, rep: 0.001, repA: 0.0004}, 64: {setup: 0.05, rep: 0.2, repA: 0.0004}}
	c, ok := extrapolate(known, 1024)
	if !ok {
		t.Fatal("no estimate")
	}
	if want := 0.001 + 0.199*16; math.Abs(c.rep-want) > 1e-9 {
		t.Errorf("rep at 1024 MiB = %g s, want %g", c.rep, want)
	}
	if _, ok := extrapolate(map[int]jobCost{}, 1024); ok {
		t.Error("an estimate from nothing")
	}
}
