package replay_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func TestRecordedParentFaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.arrow")
	w, err := arrowio.Create(path, trace.Meta{Source: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap := trace.Snapshot{VirtBytes: 128 << 20, WritableBytes: 64 << 20, ResidentBytes: 64 << 20, WritableResidentBytes: 32 << 20, AnonResidentBytes: 32 << 20,
		MapEntries: 20, ParentThreads: 1, PageSize: 4096, Source: trace.Recorded}
	evs := []trace.Event{
		// A fork whose parent took 300 faults before its next event.
		{TimeNs: 1, PID: 10, Kind: trace.Fork, ChildPID: 11, Comm: "make", Snapshot: snap, HasSnapshot: true, MinFaults: 1000, HasFaults: true},
		{TimeNs: 2, PID: 11, Kind: trace.Exec, Comm: "cc", MinFaults: 5, HasFaults: true},
		{TimeNs: 3, PID: 10, Kind: trace.Fork, ChildPID: 12, Comm: "make", Snapshot: snap, HasSnapshot: true, MinFaults: 1300, HasFaults: true},
		{TimeNs: 4, PID: 12, Kind: trace.Exec, Comm: "cc"},
		// The second fork's parent never reports again: the parameter stands in.
	}
	for i := range evs {
		w.Append(&evs[i])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	prof, _ := machines.Lookup("ppro200")
	var costs []float64
	r, _ := replay.New(replay.Config{Machines: []*machines.Profile{prof}, OnEvent: func(ec *replay.EventCost) error {
		i, _ := model.StrategyIndex(model.ForkCOW)
		st := model.Strategies()[i]
		for j, s := range st.Steps {
			if s.Name == "parent-faults" {
				costs = append(costs, ec.Result.Steps[i][j])
			}
		}
		return nil
	}})
	rd, _ := arrowio.Open(path, nil)
	if err := r.Trace(rd); err != nil {
		t.Fatal(err)
	}
	rd.Close()
	p := prof.ModelParams()
	if s := r.Summary(); s.Trace.MeasuredParentWrites != 1 || len(costs) != 2 {
		t.Fatalf("measured %d, costed %d", s.Trace.MeasuredParentWrites, len(costs))
	}
	if math.Abs(costs[0]-300*p.SoftFaultNs) > 1e-6 {
		t.Errorf("measured fork: parent-faults %v, want 300 faults x %v", costs[0], p.SoftFaultNs)
	}
	if want := 8192 * p.ParentWriteFraction * p.SoftFaultNs; math.Abs(costs[1]-want) > 1e-6 {
		t.Errorf("unmeasured fork: parent-faults %v, want the parameter's %v", costs[1], want)
	}
}
