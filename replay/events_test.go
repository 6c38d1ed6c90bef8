package replay_test

import (
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// TestEventsCarryMeasuredCosts checks that the per-event output holds a
// creation's measured costs (schema 1.2) beside the predicted ones, and
// null where the trace has none.
func TestEventsCarryMeasuredCosts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.arrow")
	w, err := arrowio.Create(path, trace.Meta{Source: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap := trace.Snapshot{VirtBytes: 16 << 20, WritableBytes: 8 << 20, ResidentBytes: 8 << 20, WritableResidentBytes: 4 << 20, AnonResidentBytes: 4 << 20,
		MapEntries: 20, ParentThreads: 1, PageSize: 4096, Source: trace.Recorded}
	evs := []trace.Event{
		{TimeNs: 1, PID: 10, Kind: trace.VFork, ChildPID: 11, Comm: "sh", Snapshot: snap, HasSnapshot: true,
			CreateNs: 21_000, HasCreateNs: true, ParentBlockedNs: 50_000_000, HasParentBlockedNs: true, PostCreateFaults: 2, HasPostCreateFaults: true},
		{TimeNs: 2, PID: 11, Kind: trace.Exec, Comm: "cc", ExecNs: 300_000, HasExecNs: true},
		{TimeNs: 3, PID: 10, Kind: trace.Fork, ChildPID: 12, Comm: "sh", Snapshot: snap, HasSnapshot: true},
		{TimeNs: 4, PID: 12, Kind: trace.Exec, Comm: "cc"},
	}
	for i := range evs {
		if err := w.Append(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	prof, err := machines.Lookup("ppro200")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "events.arrow")
	ew, err := replay.NewEventWriter(out, []string{path}, []*machines.Profile{prof})
	if err != nil {
		t.Fatal(err)
	}
	r, err := replay.New(replay.Config{Machines: []*machines.Profile{prof}, OnEvent: func(ec *replay.EventCost) error {
		return ew.Write(ec, prof.Name)
	}})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := arrowio.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Trace(rd); err != nil {
		t.Fatal(err)
	}
	rd.Close()
	if err := ew.Close(); err != nil {
		t.Fatal(err)
	}
	br, err := arrowio.OpenTable(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	if !br.Next() {
		t.Fatalf("no batch in %s: %v", out, br.Err())
	}
	rec := br.RecordBatch()
	col := func(name string) *array.Int64 {
		return rec.Column(rec.Schema().FieldIndices(name)[0]).(*array.Int64)
	}
	if rec.NumRows() != 2 {
		t.Fatalf("%d per-event rows, want 2", rec.NumRows())
	}
	for _, c := range []struct {
		name string
		want int64
	}{{trace.ColCreateNs, 21_000}, {trace.ColParentBlockedNs, 50_000_000}, {trace.ColPostCreateFaults, 2}} {
		a := col(c.name)
		if !a.IsValid(0) || a.Value(0) != c.want || a.IsValid(1) {
			t.Errorf("%s: row 0 = %v (valid %v), row 1 valid %v; want %d and null", c.name, a.Value(0), a.IsValid(0), a.IsValid(1), c.want)
		}
	}
}
