package replay_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func TestDiffMachinesAddsUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.arrow")
	writeCreations(t, path, 500)
	a, _ := machines.Lookup("ppro200")
	b, _ := machines.Lookup("zen4")
	r, _ := replay.New(replay.Config{Machines: []*machines.Profile{a, b}, KeepSample: true, Uncertainty: replay.Uncertainty{SampleSize: 10000}})
	rd, _ := arrowio.Open(path, nil)
	if err := r.Trace(rd); err != nil {
		t.Fatal(err)
	}
	rd.Close()
	in, scale, n := r.Sample()
	if len(in) != 500 || scale != 1 || n != 500 {
		t.Fatalf("sample %d, scale %v, n %d", len(in), scale, n)
	}
	d := replay.DiffMachines(a, b, in, scale, n)
	sum := r.Summary()
	if math.Abs(d.SavedA-sum.Machines[0].SavedS) > 1e-9 || math.Abs(d.SavedB-sum.Machines[1].SavedS) > 1e-9 {
		t.Errorf("diff savings %v, %v; replay %v, %v", d.SavedA, d.SavedB, sum.Machines[0].SavedS, sum.Machines[1].SavedS)
	}
	var inOrder, alone float64
	for _, p := range d.Params {
		inOrder += p.InOrderS
		alone += p.AloneS
		if p.A == p.B {
			t.Errorf("%s listed but equal", p.Name)
		}
	}
	if math.Abs(inOrder-(d.SavedB-d.SavedA)) > 1e-9 {
		t.Errorf("in-order steps sum to %v, the difference is %v", inOrder, d.SavedB-d.SavedA)
	}
	if math.Abs(alone+d.InteractionS-(d.SavedB-d.SavedA)) > 1e-9 {
		t.Errorf("alone %v + interaction %v != difference %v", alone, d.InteractionS, d.SavedB-d.SavedA)
	}
	if same := replay.DiffMachines(a, a.Clone(), in, 1, n); len(same.Params) != 0 || same.SavedA != same.SavedB {
		t.Errorf("a machine differs from itself: %+v", same.Params)
	}
}
