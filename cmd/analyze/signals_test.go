package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/forkcost/forkcost/internal/stracegen"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// analyzeCmd runs the test binary as analyze (see TestMain): a process of
// its own, to send real signals to.
func analyzeCmd(args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FORKCOST_RUN_ANALYZE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return cmd, &stderr
}

func waitForFile(t *testing.T, pattern string, timeout time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m, _ := filepath.Glob(pattern); len(m) == 1 {
			return m[0]
		}
	}
	t.Fatalf("no file matches %s after %s", pattern, timeout)
	return ""
}

// TestSignalRemovesTempFile interrupts a conversion of an endless strace
// log while it writes its output: the temporary file must be gone, and the
// process must die of the signal.
func TestSignalRemovesTempFile(t *testing.T) {
	src, err := os.ReadFile(samples + "s_f_ttt_T.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		dir := t.TempDir()
		out := filepath.Join(dir, "out.arrow")
		cmd, stderr := analyzeCmd("convert", "--from", "strace", "-o", out, "-")
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			stracegen.Generate(in, src, 1<<40) // until the process dies
			in.Close()
		}()
		tmp := waitForFile(t, filepath.Join(dir, ".out.arrow.tmp-"+strconv.Itoa(cmd.Process.Pid)+"-*"), time.Minute)
		cmd.Process.Signal(sig)
		err = cmd.Wait()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ws.Signaled() || ws.Signal() != sig {
			t.Errorf("%s: the process ended with %v, want death by the signal", sig, err)
		}
		if !strings.Contains(stderr.String(), "analyze: interrupted: removed "+tmp) {
			t.Errorf("%s: stderr does not name the removed file:\n%s", sig, stderr)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%s: left behind: %v", sig, ents)
		}
	}
}

// deadPid returns the pid of a process that has exited.
func deadPid(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true: ", err)
	}
	return cmd.Process.Pid
}

// TestStaleTempFiles leaves temporary files of out.arrow as killed runs
// would: a later run removes the one whose process is gone, says so, and
// leaves the others.
func TestStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.arrow")
	dead := filepath.Join(dir, fmt.Sprintf(".out.arrow.tmp-%d-1", deadPid(t)))
	live := filepath.Join(dir, fmt.Sprintf(".out.arrow.tmp-%d-2", os.Getpid()))
	legacy := filepath.Join(dir, ".out.arrow.tmp-123456789")
	for _, f := range []string{dead, live, legacy} {
		if err := os.WriteFile(f, []byte("half a table"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd, stderr := analyzeCmd("convert", "-q", "--from", "strace", "-o", out, samples+"s_f_tt.txt")
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{
		"removed " + dead + ", a temporary file left by process",
		live + ": a temporary file of process " + strconv.Itoa(os.Getpid()) + ", which is still running",
		legacy + ": a temporary file of an earlier forkcost that does not name its process; not removed",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	for f, exists := range map[string]bool{dead: false, live: true, legacy: true, out: true} {
		if _, err := os.Stat(f); (err == nil) != exists {
			t.Errorf("%s: exists %v, want %v", f, err == nil, exists)
		}
	}
}

// TestKilledRecordingSalvaged records a build, kills the recorder with
// SIGKILL after 3 s, and recovers the rows from its temporary file: every
// build step that started in the first 2 s (the build logs its shells'
// pids and start times itself) must have its exec row.
func TestKilledRecordingSalvaged(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("recording needs Linux on amd64")
	}
	if testing.Short() {
		t.Skip("a 3 s recording")
	}
	for _, tool := range []string{"make", "cc", "date", "sleep"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip("no ", tool)
		}
	}
	dir := t.TempDir()
	var mk strings.Builder
	mk.WriteString("OBJS = $(patsubst %.c,%.o,$(wildcard *.c))\nall: $(OBJS)\n%.o: %.c\n\t@echo $$$$ $$(date +%s%N) >> steps.log; sleep 0.05; cc -c $< -o $@\n")
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk.String()), 0o644)
	for i := 0; i < 200; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%03d.c", i)), []byte(fmt.Sprintf("int f%d(int x) { return x * %d; }\n", i, i)), 0o644)
	}
	out := filepath.Join(dir, "build.arrow")
	cmd, stderr := analyzeCmd("record", "-q", "-o", out, "--", "make", "-s")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	cmd.Process.Kill()
	cmd.Wait()
	if strings.Contains(stderr.String(), "ptrace refused") {
		t.Skip("ptrace unavailable here")
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".build.arrow.tmp-*"))
	if len(tmps) != 1 {
		t.Fatalf("temporary files after SIGKILL: %v; stderr:\n%s", tmps, stderr)
	}
	salvaged := filepath.Join(dir, "salvaged.arrow")
	_, serr, code := runCLI(t, "convert", "--salvage", tmps[0], "-o", salvaged)
	if code != 0 {
		t.Fatalf("convert --salvage: exit %d: %s", code, serr)
	}
	r, err := arrowio.Open(salvaged, nil)
	if err != nil {
		t.Fatal(err)
	}
	meta := r.Meta()
	execs := map[int32]bool{}
	var rows, last int64
	for r.Next() {
		ev := r.Event()
		rows++
		last = ev.TimeNs
		if ev.Kind == trace.Exec {
			execs[ev.PID] = true
		}
	}
	r.Close()
	if r.Err() != nil || !strings.HasPrefix(meta.Incomplete, "salvaged from "+tmps[0]) || meta.StartUnixNs == 0 {
		t.Fatalf("err %v, meta %+v", r.Err(), meta)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "steps.log"))
	early, missing := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		var pid int32
		var ns int64
		if _, err := fmt.Sscan(line, &pid, &ns); err != nil || ns-meta.StartUnixNs >= 2e9 {
			continue
		}
		early++
		if !execs[pid] {
			missing++
			t.Errorf("the step of shell %d, %.3f s into the recording, has no exec row", pid, float64(ns-meta.StartUnixNs)/1e9)
		}
	}
	t.Logf("salvaged %d rows up to %.3f s; %d build steps started in the first 2 s, %d of them missing; %s",
		rows, float64(last)/1e9, early, missing, strings.TrimSpace(serr))
	if early < 3 {
		t.Fatalf("only %d build steps in the first 2 s: the test proves nothing", early)
	}

	// dump refuses the unfinished file, saying how to read it; --lenient reads it.
	if _, serr, code := runCLI(t, "dump", tmps[0]); code != 1 || !strings.Contains(serr, "analyze convert --salvage "+tmps[0]) {
		t.Errorf("dump of the unfinished file: exit %d, stderr:\n%s", code, serr)
	}
	if dout, serr, code := runCLI(t, "dump", "--lenient", tmps[0]); code != 0 || !strings.Contains(dout, "# INCOMPLETE: "+arrowio.UnfinishedNote) ||
		int64(strings.Count(dout, "\n")) != rows+3 {
		t.Errorf("dump --lenient of the unfinished file: exit %d, %d lines for %d rows, stderr:\n%s", code, strings.Count(dout, "\n"), rows, serr)
	}

	// A later recording to the same file keeps the salvageable one and says why.
	cmd, stderr = analyzeCmd("record", "-q", "-o", out, "--", "true")
	cmd.Dir = dir
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if _, err := os.Stat(tmps[0]); err != nil || !strings.Contains(stderr.String(), "kept: it holds the rows of a recording that was killed") {
		t.Errorf("the killed recording's file: %v; stderr:\n%s", err, stderr)
	}
}
