package strace

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
)

// TestLiveStrace records a small shell script with the strace on this
// machine and checks what is known of it: sh forks twice (a subshell and an
// external command), the command execs /bin/true, the subshell exits 3, sh
// exits 0. Skipped when strace is missing or cannot trace.
func TestLiveStrace(t *testing.T) {
	if testing.Short() {
		t.Skip("records a process")
	}
	st, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("no strace")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "live.strace")
	cmd := exec.Command(st, "-f", "-ttt", "-T", "-e", "trace=process,memory", "-o", log,
		sh, "-c", "/bin/true x; (exit 3); exit 0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("strace cannot trace here: %v: %s", err, out)
	}
	out := filepath.Join(dir, "live.arrow")
	if _, err := ConvertFiles([]Input{{Name: log}}, out, Config{Strict: true}); err != nil {
		raw, _ := os.ReadFile(log)
		t.Fatalf("%v\n%s", err, raw)
	}
	_, evs := tracetest.Read(t, out, nil)
	if err := checkInvariants(evs); err != nil {
		t.Fatal(err)
	}
	root := evs[0].PID
	var creations []trace.Event
	for _, e := range evs {
		if e.Kind.IsCreation() && e.PID == root {
			creations = append(creations, e)
		}
	}
	if len(creations) != 2 {
		t.Fatalf("sh made %d creations, want 2: %v", len(creations), kindCounts(evs))
	}
	ex := find(evs, func(e *trace.Event) bool { return e.Kind == trace.Exec && e.ExecPath == "/bin/true" })
	if ex == nil || ex.PID != creations[0].ChildPID || !creations[0].HasChildExec || creations[0].ChildExecNs != ex.TimeNs {
		t.Errorf("exec of /bin/true by the first child: %v", ex)
	}
	if e := exitOf(evs, creations[1].ChildPID); e == nil || e.ExitStatus != 3 || creations[1].HasChildExec {
		t.Errorf("subshell exit %v", e)
	}
	if e := exitOf(evs, root); e == nil || e.ExitStatus != 0 {
		t.Errorf("sh exit %v", e)
	}
	for _, c := range creations {
		if c.Snapshot.VirtBytes <= addrBaseline() || c.Snapshot.MapEntries <= 13 {
			t.Errorf("sh's address space was not rebuilt from its mmaps: %s", formatEvent(&c))
		}
	}
}

func addrBaseline() int64 { return NewConverter(Options{}, nil).base.VirtBytes }
