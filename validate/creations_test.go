package validate

import (
	"math"
	"testing"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
)

// A trace whose measured costs are the model's own predictions times a
// known factor validates with exactly that relative error, in the right
// sequence, size bin and kind.
func TestCreationCheckerFindsKnownErrors(t *testing.T) {
	prof, err := machines.Lookup("zen4")
	if err != nil {
		t.Fatal(err)
	}
	p := prof.ModelParams()
	snap := func(mib int64) trace.Snapshot {
		return trace.Snapshot{ResidentBytes: mib << 20, WritableResidentBytes: mib << 19, AnonResidentBytes: mib << 19,
			MapEntries: 30, ParentThreads: 1, PageSize: 4096, Source: trace.Recorded}
	}
	phase := func(name string, s trace.Snapshot, phases ...model.Phase) int64 {
		in := model.Input{Snapshot: replay.ModelSnapshot(&s)}
		return int64(math.Round(phaseCost(p, &in, strategy(name), phases...)))
	}
	c := NewCreationChecker(p, prof.Name, prof.Hash)
	c.StartTrace("t.arrow")
	var row int64
	add := func(ev trace.Event) { c.Add(row, &ev); row++ }
	// Forks of a 0.5 MiB parent measured 25% slower than the model says
	// (the model is 20% fast), of a 100 MiB parent exactly.
	for i := int32(0); i < 5; i++ {
		s := snap(0)
		s.ResidentBytes = 512 << 10
		add(trace.Event{PID: 1, Kind: trace.Fork, ChildPID: 100 + i, Snapshot: s, HasSnapshot: true,
			CreateNs: phase(model.ForkCOWPTE, s, model.Create) * 5 / 4, HasCreateNs: true})
		add(trace.Event{PID: 100 + i, Kind: trace.Exec, ExecNs: phase(model.ForkCOWPTE, s, model.ExecPhase), HasExecNs: true})
	}
	for i := int32(0); i < 3; i++ {
		s := snap(100)
		add(trace.Event{PID: 1, Kind: trace.Fork, ChildPID: 200 + i, Snapshot: s, HasSnapshot: true,
			CreateNs: phase(model.ForkCOWPTE, s, model.Create), HasCreateNs: true})
	}
	// A vfork: blocked for what the model says the child takes.
	s := snap(2)
	add(trace.Event{PID: 1, Kind: trace.VFork, ChildPID: 300, Snapshot: s, HasSnapshot: true,
		CreateNs: phase(model.VForkShare, s, model.Create), HasCreateNs: true,
		ParentBlockedNs: phase(model.VForkShare, s, model.ChildBeforeExec, model.ExecPhase), HasParentBlockedNs: true})
	// Not comparable: no snapshot, no measurement.
	add(trace.Event{PID: 1, Kind: trace.Fork, ChildPID: 400})
	add(trace.Event{PID: 1, Kind: trace.Fork, ChildPID: 401, Snapshot: s, HasSnapshot: true})
	r := c.Report()
	if r.Creations != 11 || r.Compared != 9 {
		t.Errorf("creations %d compared %d, want 11 and 9", r.Creations, r.Compared)
	}
	cs := r.Sequences[SeqCreate]
	if cs.N != 9 {
		t.Fatalf("create: %d rows", cs.N)
	}
	// Five at -20%, four at 0: median |rel err| 20%.
	if math.Abs(cs.MedianAbsRel-0.2) > 1e-3 {
		t.Errorf("create median |rel err| %v, want 0.2", cs.MedianAbsRel)
	}
	if cs.Bins[0].N != 5 || math.Abs(cs.Bins[0].MedianAbsRel-0.2) > 1e-3 || cs.Bins[1].N != 1 || cs.Bins[2].N != 3 || cs.Bins[2].MedianAbsRel > 1e-4 || cs.Bins[3].N != 0 {
		t.Errorf("bins %+v", cs.Bins)
	}
	if w, _ := r.WorstBin(SeqCreate); w.MinMiB != 0 || w.MaxMiB != 1 {
		t.Errorf("worst bin %+v", w)
	}
	if len(cs.Kinds) != 2 || cs.Kinds[0].Kind != "fork" || cs.Kinds[1].Kind != "vfork" || cs.Kinds[1].MedianAbsRel > 1e-4 {
		t.Errorf("kinds %+v", cs.Kinds)
	}
	if e := r.Sequences[SeqExec]; e.N != 5 || e.MedianAbsRel > 1e-4 {
		t.Errorf("exec %+v", e)
	}
	if b := r.Sequences[SeqBlocked]; b.N != 1 || b.MedianAbsRel > 1e-4 {
		t.Errorf("parent_blocked %+v", b)
	}
}
