package validate

import (
	"math"
	"strings"
	"testing"
)

func TestPublishedRowsAndUsedMarks(t *testing.T) {
	rows, err := Published()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Row{}
	for _, r := range rows {
		byID[r.ID] = r
		if r.Source == "" || r.Observed <= 0 || r.Predicted <= 0 || math.IsNaN(r.RelErr) {
			t.Errorf("%s: %+v", r.ID, r)
		}
	}
	// P3 (lmbench fork+execve) set ppro200's exec_load_ns; P2 (fork+exit)
	// only fed exec_load_ns, which fork+exit does not include.
	if r := byID["P3"]; !r.Used || strings.Join(r.UsedBy, ",") != "exec_load_ns" {
		t.Errorf("P3: used %v by %v", r.Used, r.UsedBy)
	}
	if r := byID["P2"]; r.Used {
		t.Errorf("P2 marked used by %v", r.UsedBy)
	}
	// Redis set zen4's PTE costs.
	if r := byID["R3"]; !r.Used || !strings.Contains(strings.Join(r.UsedBy, ","), "pte_copy_ns") {
		t.Errorf("R3: used %v by %v", r.Used, r.UsedBy)
	}
	if r := byID["M3"]; r.Used {
		t.Errorf("M3 marked used by %v", r.UsedBy)
	}
}

func TestTargetsWithoutHost(t *testing.T) {
	r, err := Build(nil, nil, "cpu", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Targets) != 3 || r.Targets[0].Rows != 0 || r.Targets[0].Met {
		t.Errorf("host target without a host: %+v", r.Targets[0])
	}
	p2 := r.Targets[1]
	if !strings.Contains(p2.What, "P2") || p2.Value < 1 || !p2.Met {
		t.Errorf("P2 target: %+v", p2)
	}
	for _, g := range r.Groups {
		if g.Counted == 0 || g.Counted > g.Rows {
			t.Errorf("group %+v", g)
		}
	}
}
