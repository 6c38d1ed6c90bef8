//go:build linux && cgo

package calibrate

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCloneFlags runs the helper's probe (fork+exec, vfork+exec,
// posix_spawn, fork+exit, in that order) under strace and checks what the
// kernel was asked for: the copy-on-write fork is a clone without CLONE_VM,
// the vfork is the vfork system call, which the kernel defines as clone
// with CLONE_VM|CLONE_VFORK (kernel/fork.c, SYSCALL_DEFINE0(vfork)), or
// such a clone, and posix_spawn is a clone or clone3 with CLONE_VM|CLONE_VFORK.
func TestCloneFlags(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed: cannot check the clone flags")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, target, err := writeTarget()
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	log := filepath.Join(t.TempDir(), "strace.txt")
	cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=clone,clone3,vfork,fork", "-o", log, exe)
	cmd.Env = append(os.Environ(), helperEnv+"=bench=probe;target="+target)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "ptrace") || strings.Contains(string(out), "Operation not permitted") {
			t.Skipf("strace cannot trace here (ptrace not permitted): %s", strings.TrimSpace(string(out)))
		}
		t.Fatalf("strace: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "done") {
		t.Fatalf("the helper did not finish:\n%s", out)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`^\d+\s+(clone3?|vfork|fork)\((.*)\)\s+=\s+\d+`)
	var calls []string
	for _, line := range strings.Split(string(data), "\n") {
		if m := call.FindStringSubmatch(line); m != nil {
			calls = append(calls, m[1]+"("+m[2]+")")
		}
	}
	t.Logf("creations:\n  %s", strings.Join(calls, "\n  "))
	if len(calls) != 4 {
		t.Fatalf("want 4 process creations (fork+exec, vfork+exec, posix_spawn, fork+exit), strace saw %d:\n%s", len(calls), data)
	}
	cow := func(c string) bool {
		return strings.HasPrefix(c, "clone") && !strings.Contains(c, "CLONE_VM") && !strings.Contains(c, "CLONE_VFORK") || strings.HasPrefix(c, "fork(")
	}
	shared := func(c string) bool {
		return strings.HasPrefix(c, "clone") && strings.Contains(c, "CLONE_VM") && strings.Contains(c, "CLONE_VFORK")
	}
	if !cow(calls[0]) || !cow(calls[3]) {
		t.Errorf("the copy-on-write forks are %q and %q: want clone without CLONE_VM", calls[0], calls[3])
	}
	if !(calls[1] == "vfork()" || shared(calls[1])) {
		t.Errorf("the vfork is %q: want vfork() or clone with CLONE_VM|CLONE_VFORK", calls[1])
	}
	if !shared(calls[2]) {
		t.Errorf("posix_spawn is %q: want clone with CLONE_VM|CLONE_VFORK", calls[2])
	}
}
