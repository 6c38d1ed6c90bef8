package compare

import (
	"testing"

	"github.com/forkcost/forkcost/replay"
)

func summary(creations int64, saved float64) *replay.Summary {
	return &replay.Summary{
		Tool: "forkcost test", ModelVersion: "1",
		Trace: replay.TraceSummary{Creations: creations, Eligible: creations, EligibleResidentBytes: creations << 20},
		Machines: []replay.MachineSummary{{Machine: "m", Native: "fork-cow", SavedS: saved, SavedVsNatS: saved,
			Strategies: map[string]replay.StrategyTotal{"fork-cow": {TotalS: 2 * saved}}}},
	}
}

func row(t *testing.T, r *Result, metric string) Row {
	t.Helper()
	for _, x := range r.Rows {
		if x.Metric == metric {
			return x
		}
	}
	t.Fatalf("no row %q", metric)
	return Row{}
}

func TestBuild(t *testing.T) {
	// One trace a side: a delta, no test.
	r := Build(Side{Label: "A", Traces: []*replay.Summary{summary(10, 1)}}, Side{Label: "B", Traces: []*replay.Summary{summary(15, 3)}}, 0.05, nil)
	if got := row(t, r, "creations"); got.Test != nil || *got.Delta != 0.5 {
		t.Errorf("creations: %+v", got)
	}
	if got := row(t, r, "saved vs fork-cow"); got.Machine != "m" || *got.Delta != 2 {
		t.Errorf("saved: %+v", got)
	}
	if got := row(t, r, "mean parent resident"); got.A.Median != 1 || *got.Delta != 0 {
		t.Errorf("parent size: %+v", got)
	}
	if len(r.Filters) != 0 || r.Filters == nil {
		t.Error("filters should be [] when none")
	}
	// A zero baseline has no relative difference.
	r = Build(Side{Traces: []*replay.Summary{summary(0, 0)}}, Side{Traces: []*replay.Summary{summary(5, 1)}}, 0.05, nil)
	if got := row(t, r, "creations"); got.Delta != nil {
		t.Errorf("delta from zero: %v", *got.Delta)
	}
	// Three a side, separated: the test runs; p = 0.1 is not below 0.05.
	var a, b []*replay.Summary
	for i := 0; i < 3; i++ {
		a = append(a, summary(int64(10+i), float64(1+i)))
		b = append(b, summary(int64(20+i), float64(10+i)))
	}
	r = Build(Side{Traces: a}, Side{Traces: b}, 0.05, []string{"kind fork"})
	got := row(t, r, "saved vs fork-cow")
	if got.Test == nil || got.Test.P != 0.1 || got.Significant || got.A.Median != 2 || got.B.Median != 11 {
		t.Errorf("3+3: %+v test %+v", got, got.Test)
	}
	// At alpha 0.2 the same difference is significant.
	r = Build(Side{Traces: a}, Side{Traces: b}, 0.2, nil)
	if !row(t, r, "saved vs fork-cow").Significant {
		t.Error("p = 0.1 not significant at alpha 0.2")
	}
}
