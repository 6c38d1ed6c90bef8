package replay_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func summarize(t *testing.T, path string, profs []*machines.Profile, u replay.Uncertainty) *replay.Summary {
	t.Helper()
	r, err := replay.New(replay.Config{Machines: profs, Uncertainty: u})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := arrowio.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if err := r.Trace(rd); err != nil {
		t.Fatal(err)
	}
	return r.Summary()
}

func TestIntervals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.arrow")
	writeCreations(t, path, 3000)
	profs, _ := machines.Select(nil, nil, nil)
	for _, sample := range []int{5000, 500} { // whole trace, and a scaled sample
		u := replay.Uncertainty{Draws: 100, Seed: 3, SampleSize: sample}
		s := summarize(t, path, profs, u)
		again := summarize(t, path, profs, u)
		for i, m := range s.Machines {
			iv := m.SavedInterval
			if iv == nil {
				t.Fatalf("%s: no interval", m.Machine)
			}
			if !(iv.Low < m.SavedS && m.SavedS < iv.High) {
				t.Errorf("sample %d, %s: interval [%v, %v] does not contain the point %v", sample, m.Machine, iv.Low, iv.High, m.SavedS)
			}
			if *again.Machines[i].SavedInterval != *iv {
				t.Errorf("%s: the same seed gave %v then %v", m.Machine, *iv, *again.Machines[i].SavedInterval)
			}
		}
		other := summarize(t, path, profs, replay.Uncertainty{Draws: 100, Seed: 4, SampleSize: sample})
		if *other.Machines[0].SavedInterval == *s.Machines[0].SavedInterval {
			t.Errorf("seeds 3 and 4 gave the same interval")
		}
	}
	// Collapse every range: the interval shrinks to the point.
	var collapsed []*machines.Profile
	for _, p := range profs {
		collapsed = append(collapsed, p.Collapse())
	}
	s := summarize(t, path, collapsed, replay.Uncertainty{Draws: 20, Seed: 3, SampleSize: 500})
	for _, m := range s.Machines {
		iv := m.SavedInterval
		if math.Abs(iv.Low-m.SavedS) > 1e-9*m.SavedS || math.Abs(iv.High-m.SavedS) > 1e-9*m.SavedS {
			t.Errorf("%s: collapsed ranges give [%v, %v] around %v", m.Machine, iv.Low, iv.High, m.SavedS)
		}
	}
	if s := summarize(t, path, profs, replay.Uncertainty{}); s.Machines[0].SavedInterval != nil {
		t.Error("intervals without draws")
	}
}
