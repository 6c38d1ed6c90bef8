package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/forkcost/forkcost/record"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func TestRecordCLI(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("recording needs Linux on amd64")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	out := filepath.Join(t.TempDir(), "cli.arrow")
	var stdout, stderr bytes.Buffer
	err = run([]string{"record", "-o", out, "--", sh, "-c", "echo hello; /bin/true; exit 3"}, &stdout, &stderr)
	if errors.Is(err, record.ErrPtraceRefused) {
		t.Skip("ptrace unavailable here: ", err)
	}
	if code := exitCode(err, &stderr); code != 3 {
		t.Fatalf("exit code %d (%v), want the command's 3; stderr:\n%s", code, err, stderr.String())
	}
	if stdout.String() != "hello\n" {
		t.Errorf("the command's output %q did not reach stdout", stdout.String())
	}
	if !strings.Contains(stderr.String(), "exited with status 3; wrote") || !strings.Contains(stderr.String(), "recorded with ") {
		t.Errorf("summary (with the backend) missing from stderr:\n%s", stderr.String())
	}
	r, err := arrowio.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var kinds []string
	for r.Next() {
		kinds = append(kinds, string(r.Event().Kind))
	}
	if got := strings.Join(kinds, " "); !strings.HasPrefix(got, "exec ") || !strings.Contains(got, "exit") {
		t.Errorf("rows: %s", got)
	}
}

func TestRecordUsage(t *testing.T) {
	for _, args := range [][]string{
		{"record"},
		{"record", "-o", "x.txt", "--", "true"},
		{"record", "--no-such-flag", "--", "true"},
		{"record", "--via", "ptrace", "--all"},
		{"record", "--via", "magic", "--", "true"},
		{"record", "--all", "--pid", "1"},
		{"record", "--duration", "1s", "--", "true"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(args, &stdout, &stderr)
		if code := exitCode(err, &stderr); code != 2 || !oneLineUsage(stderr.String()) {
			t.Errorf("%q: exit code %d, stderr:\n%s", args, code, stderr.String())
		}
	}
}

func TestRecordNotFound(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("recording needs Linux on amd64")
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run([]string{"record", "-o", filepath.Join(dir, "x.arrow"), "--", "forkcost-no-such-command"}, &stdout, &stderr)
	if code := exitCode(err, &stderr); code != 127 || !strings.Contains(stderr.String(), "not found") {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr.String())
	}
	err = run([]string{"record", "-o", filepath.Join(dir, "no", "x.arrow"), "--", "true"}, &stdout, &stderr)
	if code := exitCode(err, &stderr); code != 1 || !strings.Contains(stderr.String(), "is not a directory") {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr.String())
	}
}

// TestRecordAll records the whole system for a moment beside a command
// (eBPF; skipped where it is refused).
func TestRecordAll(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("recording needs Linux on amd64")
	}
	out := filepath.Join(t.TempDir(), "all.arrow")
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				exec.Command("/bin/true").Run()
				time.Sleep(10 * time.Millisecond)
			}
		}
	}()
	var stdout, stderr bytes.Buffer
	err := run([]string{"record", "--via", "ebpf", "--all", "--duration", "500ms", "-o", out}, &stdout, &stderr)
	close(stop)
	<-done
	if err != nil && strings.Contains(stderr.String()+err.Error(), "eBPF refused") {
		t.Skip("eBPF unavailable here: ", err)
	}
	if code := exitCode(err, &stderr); code != 0 {
		t.Fatalf("exit code %d (%v); stderr:\n%s", code, err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "watched the whole system") || !strings.Contains(stderr.String(), "recorded with ebpf") {
		t.Errorf("summary: %s", stderr.String())
	}
	r, err := arrowio.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	execs := 0
	for r.Next() {
		if ev := r.Event(); ev.Kind == trace.Exec && ev.ExecPath == "/bin/true" {
			execs++
		}
	}
	if execs == 0 {
		t.Errorf("no exec of /bin/true seen system-wide")
	}
}
