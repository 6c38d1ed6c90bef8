package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// jsonEvent is one line of a testdata/*.jsonl trace. snap lists the
// snapshot columns in schema order.
type jsonEvent struct {
	TimeNs      int64    `json:"time_ns"`
	PID         int32    `json:"pid"`
	PPID        int32    `json:"ppid"`
	Kind        string   `json:"kind"`
	ChildPID    int32    `json:"child_pid"`
	CloneFlags  *uint64  `json:"clone_flags"`
	Comm        string   `json:"comm"`
	ExecPath    string   `json:"exec_path"`
	Argv        []string `json:"argv"`
	ExitStatus  *int32   `json:"exit_status"`
	Signal      int32    `json:"signal"`
	CoreDumped  bool     `json:"core_dumped"`
	Snap        []any    `json:"snap"`
	ChildExecNs *int64   `json:"child_exec_ns"`
	Comment     string   `json:"comment"`
}

// buildTrace turns testdata/NAME.jsonl into NAME.arrow in dir.
func buildTrace(t *testing.T, name, dir string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := filepath.Join(dir, name+".arrow")
	w, err := arrowio.Create(out, trace.Meta{Source: "test", SourceOS: "linux", Origin: "testdata/" + name + ".jsonl"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var j jsonEvent
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			t.Fatalf("%s.jsonl:%d: %v", name, line, err)
		}
		if j.Comment != "" {
			continue
		}
		ev := trace.Event{TimeNs: j.TimeNs, PID: j.PID, PPID: j.PPID, Kind: trace.Kind(j.Kind), ChildPID: j.ChildPID,
			Comm: j.Comm, ExecPath: j.ExecPath, Argv: j.Argv, Signal: j.Signal, CoreDumped: j.CoreDumped}
		if j.CloneFlags != nil {
			ev.CloneFlags, ev.HasCloneFlags = *j.CloneFlags, true
		}
		if j.ExitStatus != nil {
			ev.ExitStatus, ev.HasExitStatus = *j.ExitStatus, true
		}
		if j.ChildExecNs != nil {
			ev.ChildExecNs, ev.HasChildExec = *j.ChildExecNs, true
		}
		if len(j.Snap) == 11 {
			n := func(i int) int64 { return int64(j.Snap[i].(float64)) }
			ev.HasSnapshot = true
			ev.Snapshot = trace.Snapshot{VirtBytes: n(0), WritableBytes: n(1), ResidentBytes: n(2), WritableResidentBytes: n(3),
				AnonResidentBytes: n(4), HugeResidentBytes: n(5), PageTableBytes: n(6), MapEntries: n(7),
				ParentThreads: int32(n(8)), PageSize: int32(n(9)), Source: trace.SnapshotSource(j.Snap[10].(string))}
		}
		if err := w.Append(&ev); err != nil {
			t.Fatalf("%s.jsonl:%d: %v", name, line, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// runCLI runs analyze in-process and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := exitCode(run(args, &out, &errb), &errb)
	return out.String(), errb.String(), code
}

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/analyze -update to create it)", err)
	}
	if got != string(want) {
		os.WriteFile(path+".got", []byte(got), 0o644)
		t.Errorf("output differs from %s; got written to %s.got (diff them; -update accepts)", path, path)
	}
}

// inTempDir builds the small trace into a temporary directory and makes it
// the working directory, so outputs name it "small.arrow" whatever the machine.
func inTempDir(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	buildTrace(t, "small", dir)
	wd, _ := os.Getwd()
	td, _ := filepath.Abs("testdata")
	t.Chdir(dir)
	os.Symlink(td, "testdata")
	_ = wd
}

func TestReplayJSONGolden(t *testing.T) {
	inTempDir(t)
	out, errs, code := runCLI(t, "replay", "--format", "json", "small.arrow")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "replay-small.json", out)
}

func TestReplayTextAndMarkdownGolden(t *testing.T) {
	inTempDir(t)
	for _, f := range []string{"text", "markdown", "csv"} {
		out, errs, code := runCLI(t, "replay", "--format", f, "small.arrow")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errs)
		}
		golden(t, "replay-small."+f, out)
	}
}

func TestExplainGolden(t *testing.T) {
	for _, c := range []struct{ name, format, machine string }{
		{"explain-ppro200.txt", "text", "ppro200"},
		{"explain-zen4.json", "json", "zen4"},
	} {
		out, errs, code := runCLI(t, "explain", "--machine", c.machine, "--resident-mib", "1.2", "--writable-resident-mib", "0.9", "--map-entries", "12", "--format", c.format)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		golden(t, c.name, out)
	}
}

func TestDumpGolden(t *testing.T) {
	inTempDir(t)
	out, errs, code := runCLI(t, "dump", "small.arrow")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "dump-small.csv", out)
	out, _, _ = runCLI(t, "dump", "--format", "jsonl", "--kind", "fork,exit", "small.arrow")
	golden(t, "dump-small-fork-exit.jsonl", out)
}

func TestUsageErrors(t *testing.T) {
	inTempDir(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"replay", "--nope", "small.arrow"}, "unknown flag: --nope"},
		{[]string{"replay", "--format", "xml", "small.arrow"}, `--format "xml"`},
		{[]string{"replay", "--machine", "vax", "small.arrow"}, `unknown machine "vax"`},
		{[]string{"replay", "--set", "zen4.syscall_ns=1", "--machine", "ppro200", "small.arrow"}, `"zen4" is not selected`},
		{[]string{"replay", "--set", "ppro200.warp_ns=1", "small.arrow"}, `unknown parameter "warp_ns"`},
		{[]string{"replay", "--set", "ppro200.syscall_ns=-5", "small.arrow"}, "negative"},
		{[]string{"replay"}, "no TRACE"},
		{[]string{"explain", "--resident-mib", "-1"}, "--resident-mib"},
		{[]string{"synth", "nothing"}, `unknown workload "nothing"`},
		{[]string{"dump", "--kind", "spoon", "small.arrow"}, `unknown event kind "spoon"`},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, c := range cases {
		_, errs, code := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) || !oneLineUsage(errs) {
			t.Errorf("analyze %v: exit %d, stderr %q; want exit 2, %q on one line and the pointer to --help", c.args, code, firstLines(errs), c.want)
		}
	}
}

func firstLines(s string) string {
	lines := strings.SplitN(s, "\n", 3)
	if len(lines) > 2 {
		lines = lines[:2]
	}
	return strings.Join(lines, "\n")
}

func TestHelpAndVersion(t *testing.T) {
	for _, cmd := range commands {
		out, _, code := runCLI(t, cmd.name, "--help")
		if code != 0 || !strings.Contains(out, "usage: analyze "+cmd.name) || !strings.Contains(out, "example:") {
			t.Errorf("analyze %s --help: exit %d, output lacks usage or example:\n%s", cmd.name, code, out)
		}
	}
	out, _, code := runCLI(t, "--version")
	if code != 0 || !strings.Contains(out, "model") {
		t.Errorf("--version: %d %q", code, out)
	}
}

func TestRuntimeErrorsNameTheFile(t *testing.T) {
	inTempDir(t)
	// A strace log is converted on the fly (see convert_test.go); other
	// text is an error naming the file.
	os.WriteFile("log.txt", []byte("Dear reader,\nthis is not a trace.\n"), 0o644)
	_, errs, code := runCLI(t, "replay", "log.txt")
	if code != 1 || !strings.Contains(errs, "log.txt") {
		t.Errorf("replay of a text file: exit %d, %q", code, errs)
	}
	_, errs, code = runCLI(t, "replay", "missing.arrow")
	if code != 1 || !strings.Contains(errs, "missing.arrow") {
		t.Errorf("replay of a missing file: exit %d, %q", code, errs)
	}
}

// TestSavedOnRealForks checks the headline's honest half against an
// independent path: the saving on the creations that really forked is what
// replay --kind fork saves over all of them, and the counts by kind are
// the trace's own.
func TestSavedOnRealForks(t *testing.T) {
	inTempDir(t)
	var all, forks replay.Summary
	for _, c := range []struct {
		sum  *replay.Summary
		args []string
	}{{&all, nil}, {&forks, []string{"--kind", "fork"}}} {
		out, errs, code := runCLI(t, append(append([]string{"replay", "--format", "json", "--mc-draws", "0"}, c.args...), "small.arrow")...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if err := json.Unmarshal([]byte(out), c.sum); err != nil {
			t.Fatal(err)
		}
	}
	if k := all.Trace.CreationsByKind; k["fork"] != 4 || k["vfork"] != 1 || k["spawn"] != 1 || k["clone"] != 1 || len(k) != 4 {
		t.Errorf("creations_by_kind = %v, want the 4 fork, 1 vfork, 1 spawn, 1 clone of testdata/small.jsonl", k)
	}
	if in := all.Trace.Inputs[0].CreationsByKind; in["fork"] != 4 {
		t.Errorf("the input's creations_by_kind = %v", in)
	}
	for i, m := range all.Machines {
		f := forks.Machines[i]
		if m.ForksEvaluated != f.Evaluated || m.ForksEvaluated == 0 || math.Abs(m.SavedOnForksS-f.SavedS) > 1e-12 || m.SavedOnForksS >= m.SavedS {
			t.Errorf("%s: saved on forks %v over %d, but replay --kind fork saves %v over %d (what-if %v)", m.Machine, m.SavedOnForksS, m.ForksEvaluated, f.SavedS, f.Evaluated, m.SavedS)
		}
	}
}
