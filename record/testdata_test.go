package record

import (
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// TestRecordedTestdata checks the recorded libc build kept in
// testdata/recorded (see its README): it reads, and every creation has a
// recorded snapshot.
func TestRecordedTestdata(t *testing.T) {
	r, err := arrowio.Open("../testdata/recorded/dietlibc-build.arrow", nil)
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

// TestRecordedEBPFTestdata checks the same build recorded with the eBPF
// backend: the same creations, and the measured costs on them.
func TestRecordedEBPFTestdata(t *testing.T) {
	r, err := arrowio.Open("../testdata/recorded/dietlibc-build-ebpf.arrow", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if m := r.Meta(); m.Source != "record" || m.Extra[MetaBackend] != ViaEBPF || m.Incomplete != "" || m.Version != "1.2" {
		t.Errorf("metadata %+v", m)
	}
	counts := map[trace.Kind]int{}
	var created, measured, blocked, vforks, execs, timed int
	for r.Next() {
		ev := r.Event()
		counts[ev.Kind]++
		switch {
		case ev.Kind.IsCreation():
			created++
			if !ev.HasSnapshot || ev.Snapshot.Source != trace.Estimated || ev.Snapshot.ResidentBytes <= 0 || !ev.HasCreateNs || ev.CreateNs <= 0 {
				t.Fatalf("row %d: creation without snapshot or create_ns: %+v", r.Row(), ev)
			}
			if ev.HasPostCreateFaults {
				measured++
			}
			if ev.Kind == trace.VFork || ev.Kind == trace.Spawn {
				vforks++
				if ev.HasParentBlockedNs && ev.ParentBlockedNs > 0 {
					blocked++
				}
			}
		case ev.Kind == trace.Exec:
			execs++
			if ev.HasExecNs && ev.ExecNs > 0 {
				timed++
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if counts[trace.VFork] != 2112 || counts[trace.Spawn] != 1775 || counts[trace.Fork] != 20 || counts[trace.Exec] != 3906 || counts[trace.Exit] != 3908 {
		t.Errorf("counts %v", counts)
	}
	if measured < created*99/100 || blocked != vforks || timed != execs {
		t.Errorf("post_create_faults on %d of %d creations, parent_blocked_ns on %d of %d vfork/spawn, exec_ns on %d of %d execs",
			measured, created, blocked, vforks, timed, execs)
	}
}
