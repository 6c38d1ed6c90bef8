//go:build linux

package ebpf

import (
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// open loads the tracer or skips the test, saying why.
func open(t *testing.T, cfg Config) *Tracer {
	t.Helper()
	tr, err := Open(cfg)
	var re *RefusedError
	if errors.As(err, &re) {
		t.Skipf("eBPF is unavailable here, so the eBPF recorder cannot be tested: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

// TestEvents watches everything while a shell forks and execs, and checks
// the shell's events.
func TestEvents(t *testing.T) {
	tr := open(t, Config{Mode: All})
	cmd := exec.Command("/bin/sh", "-c", "/bin/true a b; /nonexistent/x 2>/dev/null; exit 3")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := int32(cmd.Process.Pid)
	cmd.Wait()
	var got []Event
	seen := map[int32]bool{pid: true}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		var ev Event
		ok, err := tr.Next(time.Now().Add(50*time.Millisecond), &ev)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			if len(got) > 0 {
				break
			}
			continue
		}
		if seen[ev.PID] {
			if ev.Type == Fork {
				seen[ev.Child] = true
			}
			got = append(got, ev)
		}
	}
	var kinds []string
	for _, ev := range got {
		kinds = append(kinds, ev.String())
	}
	t.Logf("events:\n%s", strings.Join(kinds, "\n"))
	var forks, execs, exits int
	for _, ev := range got {
		switch ev.Type {
		case Fork:
			forks++
			if ev.Value <= 0 || ev.TotalVM <= 0 || ev.MapCount < 3 || ev.AnonPages <= 0 || !ev.VMAWalked || ev.WritableBytes <= 0 {
				t.Errorf("fork event vm=%d maps=%d anon=%d file=%d walked=%v writable=%d thr=%d pt=%d", ev.TotalVM, ev.MapCount, ev.AnonPages, ev.FilePages, ev.VMAWalked, ev.WritableBytes, ev.Threads, ev.PageTableBytes)
			}
		case Exec:
			execs++
			if ev.Path == "/bin/true" && strings.Join(ev.Argv, " ") != "/bin/true a b" {
				t.Errorf("exec argv %q", ev.Argv)
			}
		case Exit:
			exits++
			if ev.PID == pid && (ev.Code>>8 != 3) {
				t.Errorf("shell exit code %#x, want status 3", ev.Code)
			}
		}
	}
	if forks < 1 || execs < 1 || exits < 2 {
		t.Errorf("%d forks, %d execs, %d exits", forks, execs, exits)
	}
	if lost, _ := tr.Drops(); lost != 0 {
		t.Errorf("%d events lost", lost)
	}
}

// TestRefusal injects refusals and checks that each is explained.
func TestRefusal(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		want []string
	}{
		{"no capabilities", Config{InjectLoadError: syscall.EPERM, Env: Env{Status: "CapEff:\t0000000000000000\nSeccomp:\t0\n", Lockdown: "[none] integrity confidentiality"}},
			[]string{"CAP_BPF", "CAP_PERFMON", "setcap", "--cap-add=BPF", "--via ptrace"}},
		{"seccomp", Config{InjectLoadError: syscall.EPERM, Env: Env{Status: "CapEff:\t000001ffffffffff\nSeccomp:\t2\n", Lockdown: "[none]"}},
			[]string{"seccomp", "seccomp=unconfined"}},
		{"lockdown", Config{InjectLoadError: syscall.EPERM, Env: Env{Status: "CapEff:\t000001ffffffffff\n", Lockdown: "none integrity [confidentiality]"}},
			[]string{"locked down", "lockdown="}},
		{"no BTF", Config{InjectLoadError: errNoBTF, Env: Env{BTFPath: "/nonexistent/vmlinux", Status: "CapEff:\t000001ffffffffff\n", Lockdown: "[none]"}},
			[]string{"BTF", "CONFIG_DEBUG_INFO_BTF"}},
	} {
		_, err := Open(c.cfg)
		var re *RefusedError
		if !errors.As(err, &re) {
			t.Errorf("%s: err = %v, want a RefusedError", c.name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not mention %q", c.name, err, w)
			}
		}
	}
}
