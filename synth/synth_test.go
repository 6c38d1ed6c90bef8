package synth

import (
	"testing"

	"github.com/forkcost/forkcost/trace"
)

func collect(t *testing.T, gen func(Emit) error) []trace.Event {
	t.Helper()
	var evs []trace.Event
	if err := gen(func(ev *trace.Event) error {
		e := *ev
		e.Argv = append([]string(nil), ev.Argv...)
		evs = append(evs, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestLibcBuildStructure(t *testing.T) {
	c := DefaultLibcBuild()
	c.Sources = 17
	evs := collect(t, c.Generate)
	kinds := map[trace.Kind]int{}
	var last int64
	eligible := 0
	el := trace.NewEligibility(func(d trace.Decision) {
		if d.Eligible {
			eligible++
		}
	})
	for i, ev := range evs {
		kinds[ev.Kind]++
		if ev.TimeNs < last {
			t.Fatalf("event %d goes back in time", i)
		}
		last = ev.TimeNs
		if ev.Kind.IsCreation() {
			if !ev.HasSnapshot || ev.Snapshot.Source != trace.Synthetic || ev.Snapshot.WritableResidentBytes > ev.Snapshot.ResidentBytes {
				t.Fatalf("event %d: bad snapshot %+v", i, ev.Snapshot)
			}
			if !ev.HasChildExec || ev.ChildExecNs <= ev.TimeNs {
				t.Fatalf("event %d: child_exec_ns %d (has %v) not after the creation at %d", i, ev.ChildExecNs, ev.HasChildExec, ev.TimeNs)
			}
		}
		el.Observe(int64(i), &evs[i])
	}
	el.Finish()
	// Per object: make->sh, sh->cc, cc->cpp, cc1, as, sh->ld, sh->mv; then
	// two static libraries (sh, ar, ranlib) and the shared one (sh, ld).
	objects := c.Sources * c.Variants
	wantCreations := 7*objects + 3*2 + 2
	got := kinds[trace.Fork] + kinds[trace.VFork]
	if got != wantCreations {
		t.Errorf("%d creations, want %d", got, wantCreations)
	}
	if kinds[trace.VFork] != 4*objects+3 {
		t.Errorf("%d vforks, want %d (make's and cc's)", kinds[trace.VFork], 4*objects+3)
	}
	if eligible != wantCreations {
		t.Errorf("%d eligible creations, want all %d: every child execs first", eligible, wantCreations)
	}
	if kinds[trace.Exec] != wantCreations+1 || kinds[trace.Exit] != wantCreations+1 {
		t.Errorf("execs %d, exits %d, want %d each", kinds[trace.Exec], kinds[trace.Exit], wantCreations+1)
	}
}

func TestLibcBuildSizesFollowFlags(t *testing.T) {
	c := DefaultLibcBuild()
	c.Sources, c.Jitter = 2, 0
	c.Make = ProcessSize{ResidentKiB: 4096, WritableResidentKiB: 2048, MapEntries: 33}
	for _, ev := range collect(t, c.Generate) {
		if ev.Kind.IsCreation() && ev.Comm == "make" {
			if ev.Snapshot.ResidentBytes != 4096<<10 || ev.Snapshot.WritableResidentBytes != 2048<<10 || ev.Snapshot.MapEntries != 33 {
				t.Fatalf("make's snapshot %+v does not follow --make-kib 4096/2048/33", ev.Snapshot)
			}
		}
	}
}

func TestSweep(t *testing.T) {
	c := DefaultSweep()
	c.MaxMiB, c.Reps = 64, 3
	var sizes []int64
	for _, ev := range collect(t, c.Generate) {
		if ev.Kind == trace.Fork {
			sizes = append(sizes, ev.Snapshot.WritableResidentBytes)
		}
	}
	if len(sizes) != 7*3 {
		t.Fatalf("%d forks, want 7 sizes x 3 reps", len(sizes))
	}
	for i := 3; i < len(sizes); i += 3 {
		if d := sizes[i] - sizes[i-3]; d != (sizes[i-3]-int64(c.Base.WritableResidentKiB)<<10) && i > 3 {
			// Sizes double: each step adds what the previous size touched.
			t.Errorf("size %d grew by %d", i/3, d)
		}
	}
	if sizes[len(sizes)-1] != (64<<20)+int64(c.Base.WritableResidentKiB)<<10 {
		t.Errorf("largest parent %d, want 64 MiB plus the base", sizes[len(sizes)-1])
	}
}
