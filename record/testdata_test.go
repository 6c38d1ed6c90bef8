package record

import (
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// TestRecordedTestdata checks the recorded libc build kept in
// testdata/recorded (see its README): it reads, and every creation has a
// recorded snapshot.
func TestRecordedTestdata(t *testing.T) {
	r, err := trace.Open("../testdata/recorded/dietlibc-build.arrow", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if m := r.Meta(); m.Source != "record" || m.SourceOS != "linux" || m.Incomplete != "" || m.StartUnixNs == 0 {
		t.Errorf("metadata %+v", m)
	}
	counts := map[trace.Kind]int{}
	for r.Next() {
		ev := r.Event()
		counts[ev.Kind]++
		if ev.Kind.IsCreation() {
			s := ev.Snapshot
			if !ev.HasSnapshot || s.Source != trace.Recorded || s.ResidentBytes <= 0 || s.WritableResidentBytes <= 0 ||
				s.PageTableBytes <= 0 || s.MapEntries <= 0 || s.PageSize != 4096 || !ev.HasFaults {
				t.Fatalf("row %d: creation without a full snapshot: %+v", r.Row(), ev)
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if counts[trace.VFork] < 1000 || counts[trace.Spawn] < 1000 || counts[trace.Fork] == 0 || counts[trace.Exec] < 3000 {
		t.Errorf("counts %v", counts)
	}
}
