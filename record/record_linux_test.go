//go:build linux && amd64

package record

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/forkcost/forkcost/record/ebpf"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// TestMain doubles as a stand-alone recorder for the tests that signal or
// kill the recording process itself.
func TestMain(m *testing.M) {
	if out := os.Getenv("FORKCOST_TEST_RECORDER_OUT"); out != "" {
		sigs := make(chan os.Signal, 4)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
		args := strings.Split(os.Getenv("FORKCOST_TEST_RECORDER_ARGS"), "\x1f")
		res, err := Run(Options{Args: args, Output: out, Signals: sigs})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(res.ExitStatus)
	}
	os.Exit(m.Run())
}

var (
	progsOnce sync.Once
	progsPath string
	progsSkip string
)

// progs builds testdata/progs.c and checks that recording works here; it
// skips the test, saying why, where gcc or ptrace is unavailable.
func progs(t testing.TB) string {
	t.Helper()
	progsOnce.Do(func() {
		gcc, err := exec.LookPath("gcc")
		if err != nil {
			progsSkip = "gcc not found: the recorder's tests record small C programs built with gcc"
			return
		}
		dir, err := os.MkdirTemp("", "forkcost-progs-")
		if err != nil {
			progsSkip = err.Error()
			return
		}
		progsPath = filepath.Join(dir, "progs")
		if out, err := exec.Command(gcc, "-O1", "-pthread", "-o", progsPath, "testdata/progs.c").CombinedOutput(); err != nil {
			progsSkip = fmt.Sprintf("gcc cannot build testdata/progs.c: %v\n%s", err, out)
			return
		}
		_, err = Run(Options{Args: []string{progsPath, "exit", "0"}, Output: filepath.Join(dir, "probe.arrow")})
		if errors.Is(err, ErrPtraceRefused) {
			progsSkip = "ptrace is unavailable here, so nothing can be recorded: " + err.Error()
		} else if err != nil {
			progsSkip = "recording a trivial program fails: " + err.Error()
		}
	})
	if progsSkip != "" {
		t.Skip(progsSkip)
	}
	return progsPath
}

type recording struct {
	res  Result
	meta trace.Meta
	evs  []trace.Event
	root int32
}

func recordOpts(t testing.TB, opts Options) recording {
	t.Helper()
	if opts.Output == "" {
		opts.Output = filepath.Join(t.TempDir(), "rec.arrow")
	}
	res, err := Run(opts)
	if err != nil {
		t.Fatalf("recording %q: %v", opts.Args, err)
	}
	checkNoTracees(t)
	rec := recording{res: res}
	r, err := arrowio.Open(opts.Output, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec.meta = r.Meta()
	for r.Next() {
		ev := *r.Event()
		if ev.Argv != nil {
			ev.Argv = append([]string(nil), ev.Argv...)
		}
		rec.evs = append(rec.evs, ev)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rec.evs) == 0 || rec.evs[0].Kind != trace.Exec {
		t.Fatalf("first row is not the command's exec: %+v", rec.evs)
	}
	rec.root = rec.evs[0].PID
	var last int64 = -1
	for i, ev := range rec.evs {
		if ev.TimeNs < last {
			t.Errorf("row %d goes back in time: %d < %d", i, ev.TimeNs, last)
		}
		last = ev.TimeNs
	}
	if rec.meta.Source != "record" || rec.meta.SourceOS != "linux" || rec.meta.StartUnixNs == 0 {
		t.Errorf("metadata: %+v", rec.meta)
	}
	return rec
}

func record(t testing.TB, args ...string) recording {
	t.Helper()
	return recordOpts(t, Options{Args: append([]string{progs(t)}, args...)})
}

// backend is a recorder backend the behavioural tests run against.
type backend struct{ via string }

var backends = []backend{{ViaPtrace}, {ViaEBPF}}

var (
	ebpfOnce sync.Once
	ebpfSkip string
)

// check skips the test, saying why, where the backend cannot record.
func (b backend) check(t testing.TB) {
	t.Helper()
	p := progs(t)
	if b.via != ViaEBPF {
		return
	}
	ebpfOnce.Do(func() {
		_, err := Run(Options{Via: ViaEBPF, Args: []string{p, "exit", "0"}, Output: filepath.Join(t.TempDir(), "probe.arrow")})
		var re *ebpf.RefusedError
		if errors.As(err, &re) {
			ebpfSkip = "eBPF is unavailable here, so the eBPF backend cannot be tested: " + err.Error()
		} else if err != nil {
			ebpfSkip = "recording a trivial program with eBPF fails: " + err.Error()
		}
	})
	if ebpfSkip != "" {
		if os.Getenv("FORKCOST_REQUIRE_EBPF") != "" {
			t.Fatal(ebpfSkip + " (FORKCOST_REQUIRE_EBPF is set)")
		}
		t.Skip(ebpfSkip)
	}
}

func (b backend) record(t testing.TB, args ...string) recording {
	t.Helper()
	return b.recordOpts(t, Options{Args: append([]string{progs(t)}, args...)})
}

func (b backend) recordOpts(t testing.TB, opts Options) recording {
	t.Helper()
	b.check(t)
	opts.Via = b.via
	rec := recordOpts(t, opts)
	if rec.res.Backend != b.via || rec.meta.Extra[MetaBackend] != b.via {
		t.Errorf("recorded by %q (metadata %q), want %s", rec.res.Backend, rec.meta.Extra[MetaBackend], b.via)
	}
	return rec
}

// source is the snapshot_source of the backend's creation rows.
func (b backend) source() trace.SnapshotSource {
	if b.via == ViaEBPF {
		return trace.Estimated // writable_resident_bytes is the anonymous resident (see package ebpf)
	}
	return trace.Recorded
}

// TestBackends runs the behavioural tests against every backend.
func TestBackends(t *testing.T) {
	tests := []struct {
		name string
		f    func(*testing.T, backend)
	}{
		{"Fork", testFork}, {"VFork", testVFork}, {"Spawn", testSpawn}, {"Threads", testThreads},
		{"ExecFailed", testExecFailed}, {"ExecFailedThenExit", testExecFailedThenExit},
		{"KilledChild", testKilledChild}, {"CoreDump", testCoreDump}, {"ExitStatus", testExitStatus},
		{"SignalPassedOn", testSignalPassedOn}, {"Resident", testResident}, {"NoEventLost", testNoEventLost},
		{"ManyExec", testManyExec}, {"HeldRowsNeverGuessed", testHeldRowsNeverGuessed},
		{"Interrupted", testInterrupted}, {"JobControl", testJobControl}, {"ThreadExec", testThreadExec},
	}
	for _, b := range backends {
		t.Run(b.via, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) { tc.f(t, b) })
			}
		})
	}
}

func (r recording) kinds(pid int32) []trace.Kind {
	var ks []trace.Kind
	for _, ev := range r.evs {
		if pid == 0 || ev.PID == pid {
			ks = append(ks, ev.Kind)
		}
	}
	return ks
}

func (r recording) find(kind trace.Kind, pid int32) []trace.Event {
	var out []trace.Event
	for _, ev := range r.evs {
		if ev.Kind == kind && (pid == 0 || ev.PID == pid) {
			out = append(out, ev)
		}
	}
	return out
}

func (r recording) one(t *testing.T, kind trace.Kind, pid int32) trace.Event {
	t.Helper()
	evs := r.find(kind, pid)
	if len(evs) != 1 {
		t.Fatalf("want one %s row of pid %d, got %d:\n%s", kind, pid, len(evs), r)
	}
	return evs[0]
}

func (r recording) String() string {
	var b strings.Builder
	for _, ev := range r.evs {
		fmt.Fprintf(&b, "  %d %s pid=%d ppid=%d child=%d path=%q argv=%q status=%v/%d sig=%d\n",
			ev.TimeNs, ev.Kind, ev.PID, ev.PPID, ev.ChildPID, ev.ExecPath, ev.Argv, ev.HasExitStatus, ev.ExitStatus, ev.Signal)
	}
	return b.String()
}

// checkNoTracees fails if a process is still traced by, or a child of,
// the test process.
func checkNoTracees(t testing.TB) {
	t.Helper()
	self := strconv.Itoa(os.Getpid())
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) == 2 && (f[0] == "TracerPid:" || f[0] == "PPid:") && f[1] == self {
				t.Errorf("process %s is left over (%s %s)", e.Name(), f[0], f[1])
			}
		}
	}
}

// checkCreation checks a creation row's linking and snapshot.
func checkCreation(t *testing.T, b backend, r recording, ev trace.Event, kind trace.Kind) {
	t.Helper()
	if ev.Kind != kind || ev.PID != r.root || ev.ChildPID == 0 || ev.ChildPID == r.root {
		t.Errorf("creation row: %+v", ev)
	}
	if !ev.HasSnapshot || ev.Snapshot.Source != b.source() || ev.ProcGone {
		t.Fatalf("creation row has no recorded snapshot: %+v", ev)
	}
	s := ev.Snapshot
	if s.MapEntries < 5 || s.VirtBytes < 1<<20 || s.ResidentBytes < 256<<10 || s.ResidentBytes > s.VirtBytes ||
		s.WritableBytes <= 0 || s.WritableBytes > s.VirtBytes || s.WritableResidentBytes <= 0 ||
		s.WritableResidentBytes > s.WritableBytes || s.WritableResidentBytes > s.ResidentBytes ||
		s.AnonResidentBytes <= 0 || s.PageTableBytes <= 0 || s.ParentThreads != 1 || s.PageSize != int32(os.Getpagesize()) {
		t.Errorf("implausible snapshot: %+v", s)
	}
	if !ev.HasFaults || ev.MinFaults <= 0 {
		t.Errorf("creation row has no fault counters: %+v", ev)
	}
	if ev.Comm != "progs" {
		t.Errorf("creation row comm %q, want progs", ev.Comm)
	}
	// The child's rows name the creating process as their parent.
	for _, c := range r.evs {
		if c.PID == ev.ChildPID && c.PPID != ev.PID {
			t.Errorf("child row %+v: ppid %d, want %d", c, c.PPID, ev.PID)
		}
	}
}

func checkExit(t *testing.T, r recording, pid int32, status int32, sig int32) trace.Event {
	t.Helper()
	ex := r.one(t, trace.Exit, pid)
	if sig == 0 && (!ex.HasExitStatus || ex.ExitStatus != status || ex.Signal != 0) {
		t.Errorf("exit row of %d: %+v, want status %d", pid, ex, status)
	}
	if sig != 0 && (ex.HasExitStatus || ex.Signal != sig) {
		t.Errorf("exit row of %d: %+v, want signal %d", pid, ex, sig)
	}
	return ex
}

func testFork(t *testing.T, b backend) {
	r := b.record(t, "fork")
	if r.res.ExitStatus != 0 {
		t.Errorf("exit status %d", r.res.ExitStatus)
	}
	ex := r.evs[0]
	if ex.ExecPath != progs(t) || strings.Join(ex.Argv, " ") != progs(t)+" fork" || ex.Comm != "progs" || ex.PPID != int32(os.Getpid()) {
		t.Errorf("root exec row: %+v", ex)
	}
	f := r.one(t, trace.Fork, r.root)
	checkCreation(t, b, r, f, trace.Fork)
	if !f.HasCloneFlags || f.CloneFlags&unix.CLONE_VM != 0 || f.HasChildExec {
		t.Errorf("fork row: %+v", f)
	}
	checkExit(t, r, f.ChildPID, 7, 0)
	checkExit(t, r, r.root, 0, 0)
	if got := r.kinds(f.ChildPID); len(got) != 1 {
		t.Errorf("child rows: %v", got)
	}
	// Under ptrace every signal sent is delivered; without it, a SIGCHLD
	// whose action is the default is discarded when sent, and eBPF sees
	// only what is delivered.
	if b.via == ViaPtrace && (len(r.find(trace.Signal, r.root)) != 1 || r.find(trace.Signal, r.root)[0].Signal != int32(syscall.SIGCHLD)) {
		t.Errorf("want one SIGCHLD row:\n%s", r)
	}
	if b.via == ViaEBPF && len(r.find(trace.Signal, r.root)) != 0 {
		t.Errorf("want no signal row (SIGCHLD is discarded undelivered):\n%s", r)
	}
	if r.res.Stats.Creations != 1 || r.res.Stats.Rows != int64(len(r.evs)) {
		t.Errorf("stats %+v for %d rows", r.res.Stats, len(r.evs))
	}
}

func testExecChild(t *testing.T, b backend, mode string, kind trace.Kind) {
	r := b.record(t, mode)
	c := r.one(t, kind, r.root)
	checkCreation(t, b, r, c, kind)
	ex := r.one(t, trace.Exec, c.ChildPID)
	if ex.ExecPath != "/bin/true" || strings.Join(ex.Argv, " ") != "true "+mode+"-arg" || ex.Comm != "true" {
		t.Errorf("child exec row: %+v", ex)
	}
	if !c.HasChildExec || c.ChildExecNs != ex.TimeNs {
		t.Errorf("creation row child_exec_ns %v/%d, exec at %d", c.HasChildExec, c.ChildExecNs, ex.TimeNs)
	}
	checkExit(t, r, c.ChildPID, 0, 0)
	checkExit(t, r, r.root, 0, 0)
	if len(r.find(trace.ExecFailed, 0)) != 0 {
		t.Errorf("unexpected exec_failed rows:\n%s", r)
	}
}

func testVFork(t *testing.T, b backend) {
	testExecChild(t, b, "vfork", trace.VFork)
	r := b.record(t, "vfork")
	if v := r.one(t, trace.VFork, r.root); v.HasCloneFlags {
		t.Errorf("vfork takes no flags: %+v", v)
	}
}

func testSpawn(t *testing.T, b backend) {
	testExecChild(t, b, "spawn", trace.Spawn)
	r := b.record(t, "spawn")
	s := r.one(t, trace.Spawn, r.root)
	if !s.HasCloneFlags || s.CloneFlags&(unix.CLONE_VM|unix.CLONE_VFORK) != unix.CLONE_VM|unix.CLONE_VFORK {
		t.Errorf("spawn flags %x", s.CloneFlags)
	}
}

func testThreads(t *testing.T, b backend) {
	r := b.record(t, "threads")
	th := r.find(trace.Thread, r.root)
	if len(th) != 3 {
		t.Fatalf("want 3 thread rows:\n%s", r)
	}
	for _, ev := range th {
		if ev.HasSnapshot || ev.ChildPID == 0 || ev.CloneFlags&unix.CLONE_THREAD == 0 {
			t.Errorf("thread row %+v", ev)
		}
	}
	if r.res.Stats.Creations != 0 {
		t.Errorf("threads counted as creations: %+v", r.res.Stats)
	}
	for _, k := range r.kinds(0) {
		if k.IsCreation() {
			t.Errorf("creation row among threads:\n%s", r)
		}
	}
	if len(r.find(trace.Exit, 0)) != 1 {
		t.Errorf("want one exit row (threads are not processes):\n%s", r)
	}
	checkExit(t, r, r.root, 0, 0)
}

func testExecFailed(t *testing.T, b backend) {
	r := b.record(t, "execfail")
	f := r.one(t, trace.Fork, r.root)
	fail := r.one(t, trace.ExecFailed, f.ChildPID)
	if fail.ExecPath != "/nonexistent/forkcost-no-such-program" || fail.PPID != r.root {
		t.Errorf("exec_failed row: %+v", fail)
	}
	ex := r.one(t, trace.Exec, f.ChildPID)
	if ex.ExecPath != "/bin/true" || ex.TimeNs < fail.TimeNs {
		t.Errorf("exec row after the failure: %+v", ex)
	}
	if !f.HasChildExec || f.ChildExecNs != ex.TimeNs {
		t.Errorf("child_exec_ns should be the successful exec's time: %+v", f)
	}
	if got := r.kinds(f.ChildPID); fmt.Sprint(got) != "[exec_failed exec exit]" {
		t.Errorf("child rows %v", got)
	}
}

// TestExecFailedThenExit checks failed attempts that no exec follows: each
// is known to have failed only from the thread's next event, here the
// next attempt and then the exit.
func testExecFailedThenExit(t *testing.T, b backend) {
	r := b.record(t, "execfailexit")
	f := r.one(t, trace.Fork, r.root)
	if got := r.kinds(f.ChildPID); fmt.Sprint(got) != "[exec_failed exec_failed exit]" {
		t.Fatalf("child rows %v, want two exec_failed and the exit:\n%s", got, r)
	}
	fails := r.find(trace.ExecFailed, f.ChildPID)
	if fails[0].ExecPath != "/nonexistent/forkcost-no-such-program" || fails[1].ExecPath != "/nonexistent/forkcost-nor-this-one" {
		t.Errorf("exec_failed paths %q, %q", fails[0].ExecPath, fails[1].ExecPath)
	}
	checkExit(t, r, f.ChildPID, 127, 0)
	if f.HasChildExec {
		t.Errorf("child_exec_ns set for a child that never exec'd: %+v", f)
	}
}

func TestExecFailuresOff(t *testing.T) {
	r := recordOpts(t, Options{Args: []string{progs(t), "execfail"}, NoExecFailures: true})
	if len(r.find(trace.ExecFailed, 0)) != 0 || len(r.find(trace.Exec, 0)) != 2 {
		t.Errorf("without the exec trap, want two exec rows and no exec_failed:\n%s", r)
	}
}

func testKilledChild(t *testing.T, b backend) {
	r := b.record(t, "killed")
	f := r.one(t, trace.Fork, r.root)
	ex := checkExit(t, r, f.ChildPID, 0, int32(syscall.SIGKILL))
	if ex.CoreDumped {
		t.Errorf("SIGKILL dumps no core: %+v", ex)
	}
	checkExit(t, r, r.root, 0, 0)
}

func testCoreDump(t *testing.T, b backend) {
	dir := t.TempDir()
	r := b.recordOpts(t, Options{Args: []string{progs(t), "core"}, Dir: dir})
	f := r.one(t, trace.Fork, r.root)
	sig := r.one(t, trace.Signal, f.ChildPID)
	if sig.Signal != int32(syscall.SIGABRT) {
		t.Errorf("signal row %+v", sig)
	}
	ex := checkExit(t, r, f.ChildPID, 0, int32(syscall.SIGABRT))
	pattern, _ := os.ReadFile("/proc/sys/kernel/core_pattern")
	if strings.HasPrefix(string(pattern), "|") {
		t.Logf("core_pattern pipes to a program (%s): core_dumped=%v not checked", strings.TrimSpace(string(pattern)), ex.CoreDumped)
	} else if !ex.CoreDumped {
		t.Errorf("exit row should say the core was dumped: %+v", ex)
	}
	checkExit(t, r, r.root, 0, 0)
}

func testExitStatus(t *testing.T, b backend) {
	r := b.record(t, "exit", "42")
	if r.res.ExitStatus != 42 || r.res.Signal != 0 || r.res.ExitCode() != 42 {
		t.Errorf("result %+v, want exit status 42", r.res)
	}
	checkExit(t, r, r.root, 42, 0)

	r = b.record(t, "die")
	if r.res.ExitStatus != 128+int(syscall.SIGTERM) || r.res.Signal != int(syscall.SIGTERM) {
		t.Errorf("result %+v, want 143 (SIGTERM)", r.res)
	}
	checkExit(t, r, r.root, 0, int32(syscall.SIGTERM))
}

func testSignalPassedOn(t *testing.T, b backend) {
	r := b.record(t, "signal")
	if r.res.ExitStatus != 0 {
		t.Errorf("the program's SIGUSR1 handler did not run under the recorder (status %d)", r.res.ExitStatus)
	}
	s := r.one(t, trace.Signal, r.root)
	if s.Signal != int32(syscall.SIGUSR1) || s.Comm != "progs" {
		t.Errorf("signal row %+v", s)
	}
}

// TestResident checks that a parent that touched N MiB shows N MiB
// resident and writable-resident, within a few percent.
func testResident(t *testing.T, b backend) {
	for _, mib := range []int64{16, 64} {
		r := b.record(t, "touch", strconv.FormatInt(mib, 10))
		f := r.one(t, trace.Fork, r.root)
		checkCreation(t, b, r, f, trace.Fork)
		n := mib << 20
		s := f.Snapshot
		within := func(name string, v int64) {
			// The program's own text, libc and stack add about a MiB.
			if v < n || float64(v) > float64(n)*1.03+(1<<20) {
				t.Errorf("%d MiB touched: %s = %.2f MiB, want within a few percent of %d MiB", mib, name, float64(v)/(1<<20), mib)
			}
		}
		within("resident_bytes", s.ResidentBytes)
		within("writable_resident_bytes", s.WritableResidentBytes)
		within("anon_resident_bytes", s.AnonResidentBytes)
		if s.WritableBytes < n || s.VirtBytes < n {
			t.Errorf("sizes %+v", s)
		}
		// Touching N MiB of fresh memory takes a fault per page (or per
		// huge page, with transparent huge pages).
		if minPages := n / int64(os.Getpagesize()); f.MinFaults < minPages && s.HugeResidentBytes == 0 {
			t.Errorf("min_faults %d at the fork, want at least %d", f.MinFaults, minPages)
		}
		// The exit row's counters are the parent's after the fork.
		ex := checkExit(t, r, r.root, 0, 0)
		if !ex.HasFaults || ex.MinFaults < f.MinFaults {
			t.Errorf("exit row counters %+v after fork's %d", ex, f.MinFaults)
		}
	}
}

// TestNoEventLost forks 1,000 short-lived children from 4 threads.
func testNoEventLost(t *testing.T, b backend) {
	r := b.record(t, "many", "4", "250")
	forks := r.find(trace.Fork, r.root)
	if len(forks) != 1000 {
		t.Fatalf("%d fork rows, want 1000", len(forks))
	}
	exits := map[int32]trace.Event{}
	for _, ev := range r.find(trace.Exit, 0) {
		exits[ev.PID] = ev
	}
	for _, f := range forks {
		ex, ok := exits[f.ChildPID]
		if !ok || !ex.HasExitStatus || ex.ExitStatus != 0 || ex.PPID != r.root || ex.TimeNs < f.TimeNs {
			t.Fatalf("fork of %d: exit row %+v (found %v)", f.ChildPID, ex, ok)
		}
		if !f.HasSnapshot || f.Snapshot.ParentThreads < 2 {
			t.Fatalf("fork from a threaded parent: %+v", f.Snapshot)
		}
	}
	if len(exits) != 1001 || len(r.find(trace.Thread, r.root)) != 4 {
		t.Errorf("%d exit rows (want 1001), %d thread rows (want 4)", len(exits), len(r.find(trace.Thread, r.root)))
	}
}

// TestProcGone: a process that vanished before its /proc files were read
// yields a row marked proc_gone, without a snapshot, and no error.
func TestProcGone(t *testing.T) {
	r := recordOpts(t, Options{Args: []string{progs(t), "fork"}, procGone: func(int) bool { return true }})
	f := r.one(t, trace.Fork, r.root)
	if !f.ProcGone || f.HasSnapshot || f.HasFaults || f.ChildPID == 0 {
		t.Errorf("fork row should be marked proc_gone, without snapshot: %+v", f)
	}
	checkExit(t, r, f.ChildPID, 7, 0)
	checkExit(t, r, r.root, 0, 0)
}

// TestRefused injects an EPERM from PTRACE_SEIZE, as a container without
// CAP_SYS_PTRACE or a strict Yama setting would give.
func TestRefused(t *testing.T) {
	p := progs(t)
	out := filepath.Join(t.TempDir(), "rec.arrow")
	_, err := Run(Options{Args: []string{p, "fork"}, Output: out,
		seize: func(int, int) error { return syscall.EPERM }})
	if !errors.Is(err, ErrPtraceRefused) {
		t.Fatalf("err = %v, want ErrPtraceRefused", err)
	}
	for _, want := range []string{"operation not permitted", "CAP_SYS_PTRACE", "--cap-add=SYS_PTRACE", "ptrace_scope"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
	checkNoTracees(t)
}

func testInterrupted(t *testing.T, b backend) {
	p := progs(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "rec.arrow")
	sigs := make(chan os.Signal, 1)
	// Interrupt once a few creations are recorded, however loaded the
	// machine.
	var once sync.Once
	progress := func(s Stats) {
		if s.Creations >= 5 {
			once.Do(func() { sigs <- syscall.SIGINT })
		}
	}
	r := b.recordOpts(t, Options{Args: []string{p, "forever"}, Output: out, Signals: sigs,
		Progress: progress, ProgressEvery: time.Millisecond})
	if r.res.ExitStatus != 130 || r.res.Incomplete == "" {
		t.Errorf("result %+v, want status 130 and an incomplete mark", r.res)
	}
	if r.meta.Incomplete != r.res.Incomplete || !strings.Contains(r.meta.Incomplete, "SIGINT") {
		t.Errorf("metadata incomplete %q, result %q", r.meta.Incomplete, r.res.Incomplete)
	}
	if len(r.find(trace.Fork, r.root)) < 3 {
		t.Errorf("want several forks before the interrupt:\n%s", r)
	}
	checkExit(t, r, r.root, 0, int32(syscall.SIGINT))
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("want only the trace in %s, got %v", dir, ents)
	}
}

// recorderProcess runs the recorder in a child process (TestMain), so
// that the test can signal or kill it.
func recorderProcess(t *testing.T, out string, args ...string) *exec.Cmd {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "FORKCOST_TEST_RECORDER_OUT="+out, "FORKCOST_TEST_RECORDER_ARGS="+strings.Join(args, "\x1f"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// waitFor polls ok for up to 15 s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for i := 0; i < 600; i++ {
		if ok() {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// markerProcs lists processes whose command line holds marker, with their
// states.
func markerProcs(marker string) map[string]string {
	found := map[string]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !strings.Contains(string(b), marker) {
			continue
		}
		st, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if i := strings.LastIndexByte(string(st), ')'); i > 0 && i+2 < len(st) {
			found[e.Name()] = string(st[i+2])
		}
	}
	return found
}

func TestSIGTERMToRecorder(t *testing.T) {
	p := progs(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "rec.arrow")
	marker := fmt.Sprintf("marker-term-%d", os.Getpid())
	cmd := recorderProcess(t, out, p, "forever", marker)
	waitFor(t, "the command to run", func() bool { return len(markerProcs(marker)) > 0 })
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 128+int(syscall.SIGTERM) {
		t.Errorf("recorder ended with %v, want the command's status 143", err)
	}
	r, err := arrowio.Open(out, nil)
	if err != nil {
		t.Fatalf("no finished trace after SIGTERM: %v", err)
	}
	defer r.Close()
	if !strings.Contains(r.Meta().Incomplete, "SIGTERM") {
		t.Errorf("metadata incomplete = %q", r.Meta().Incomplete)
	}
	n := 0
	for r.Next() {
		n++
	}
	if r.Err() != nil || n < 2 {
		t.Errorf("%d rows, err %v", n, r.Err())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("want only the trace in %s, got %v", dir, ents)
	}
	if left := markerProcs(marker); len(left) != 0 {
		t.Errorf("processes left: %v", left)
	}
}

func TestSIGKILLToRecorder(t *testing.T) {
	p := progs(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "rec.arrow")
	marker := fmt.Sprintf("marker-kill-%d", os.Getpid())
	cmd := recorderProcess(t, out, p, "forever", marker)
	waitFor(t, "the command to run", func() bool { return len(markerProcs(marker)) > 0 })
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the trace exists after SIGKILL (%v)", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || !strings.Contains(ents[0].Name(), ".tmp-") {
		t.Errorf("want only the temporary file in %s, got %v", dir, ents)
	}
	// PTRACE_O_EXITKILL kills the tracees with the tracer: none is left
	// running or stopped (a zombie awaiting its reaper is gone already).
	waitFor(t, "the tracees to die", func() bool {
		for _, state := range markerProcs(marker) {
			if state != "Z" && state != "X" {
				return false
			}
		}
		return true
	})
}

// TestJobControl: a process that stops itself stays stopped (the recorder
// keeps it in its group-stop) until a SIGCONT, as without the recorder.
// The program exits 3 if it ran on before a SIGCONT was sent.
func testJobControl(t *testing.T, b backend) {
	r := b.record(t, "stopcont")
	if r.res.ExitStatus != 0 {
		t.Errorf("exit status %d (3: the process ran on before SIGCONT)", r.res.ExitStatus)
	}
	var stops, conts []trace.Event
	for _, ev := range r.find(trace.Signal, r.root) {
		switch ev.Signal {
		case int32(syscall.SIGSTOP):
			stops = append(stops, ev)
		case int32(syscall.SIGCONT):
			conts = append(conts, ev)
		}
	}
	if b.via == ViaEBPF {
		// A SIGCONT whose action is the default resumes the process
		// when sent and is never delivered.
		if len(stops) != 1 || len(conts) != 0 {
			t.Fatalf("want a SIGSTOP row and no SIGCONT row:\n%s", r)
		}
		return
	}
	if len(stops) != 1 || len(conts) == 0 || conts[len(conts)-1].TimeNs < stops[0].TimeNs {
		t.Fatalf("want a SIGSTOP row, then SIGCONT rows:\n%s", r)
	}
}

// TestThreadExec: a non-leader thread execs; the process keeps its pid.
func testThreadExec(t *testing.T, b backend) {
	r := b.record(t, "threadexec")
	if got := fmt.Sprint(r.kinds(0)); got != "[exec thread exec exit]" {
		t.Fatalf("rows %s:\n%s", got, r)
	}
	ex := r.evs[2]
	if ex.PID != r.root || ex.ExecPath != "/bin/true" || strings.Join(ex.Argv, " ") != "true thread-exec" || ex.Comm != "true" {
		t.Errorf("exec row %+v", ex)
	}
	checkExit(t, r, r.root, 0, 0)
}

// TestProcUnreadable: when /proc cannot be read at all (hidepid, a
// sandbox), rows lack snapshots, are not marked proc_gone, and the result
// warns.
func TestProcUnreadable(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, nil, 0o644)
	r := recordOpts(t, Options{Args: []string{progs(t), "fork"}, procRoot: notDir})
	f := r.one(t, trace.Fork, r.root)
	if f.ProcGone || f.HasSnapshot {
		t.Errorf("fork row %+v", f)
	}
	if len(r.res.Warnings) != 1 || !strings.Contains(r.res.Warnings[0], "/proc") {
		t.Errorf("warnings %q", r.res.Warnings)
	}
}

// testManyExec: 8 threads each fork 200 children that exec, while two
// busy loops compete for the CPUs: exactly 1,600 creations, each with its
// child's exec and exit, and no exec written as failed (issue 16: under
// load, held attempts used to be guessed as failures).
func testManyExec(t *testing.T, b backend) {
	b.check(t)
	for i := 0; i < 2; i++ {
		// Orphaned at once, so that no recorder reaps it or counts it
		// among the test's children.
		out, err := exec.Command("/bin/sh", "-c", "while :; do :; done >/dev/null 2>&1 & echo $!").Output()
		pid, perr := strconv.Atoi(strings.TrimSpace(string(out)))
		if err != nil || perr != nil {
			t.Fatalf("starting a CPU hog: %v %v", err, perr)
		}
		defer syscall.Kill(pid, syscall.SIGKILL)
	}
	r := b.record(t, "manyexec", "8", "200")
	forks := r.find(trace.Fork, r.root)
	if len(forks) != 1600 || r.res.Stats.Creations != 1600 {
		t.Fatalf("%d fork rows (stats %d), want 1600", len(forks), r.res.Stats.Creations)
	}
	execs := map[int32]trace.Event{}
	for _, ev := range r.find(trace.Exec, 0) {
		execs[ev.PID] = ev
	}
	for _, f := range forks {
		ex, ok := execs[f.ChildPID]
		if !ok || ex.ExecPath != "/bin/true" || ex.TimeNs < f.TimeNs {
			t.Fatalf("fork of %d: exec row %+v (found %v)", f.ChildPID, ex, ok)
		}
	}
	if n := len(r.find(trace.Exit, 0)); n != 1601 {
		t.Errorf("%d exit rows, want 1601", n)
	}
	if len(r.find(trace.ExecFailed, 0)) != 0 {
		t.Errorf("exec_failed rows among successful execs")
	}
}

// testHeldRowsNeverGuessed makes every exec attempt outlast the hold bound
// (set to nothing): no row is then written with a guessed outcome. A
// success is never written as exec_failed, a failure is written once it is
// known, and creation rows forced out lack only what was not yet known.
func testHeldRowsNeverGuessed(t *testing.T, b backend) {
	defer func(ns, re int64) { maxHoldNs, ebpfReorderNs = ns, re }(maxHoldNs, ebpfReorderNs)
	maxHoldNs, ebpfReorderNs = 0, 0
	for _, c := range []struct {
		mode  string
		kinds string
		fails []string
	}{
		{"execfail", "[exec_failed exec exit]", []string{"/nonexistent/forkcost-no-such-program"}},
		{"execfailexit", "[exec_failed exec_failed exit]", []string{"/nonexistent/forkcost-no-such-program", "/nonexistent/forkcost-nor-this-one"}},
		{"vfork", "[exec exit]", nil},
	} {
		r := b.record(t, c.mode)
		f := r.find(trace.Fork, r.root)
		if c.mode == "vfork" {
			f = r.find(trace.VFork, r.root)
		}
		if len(f) != 1 {
			t.Fatalf("%s: want one creation:\n%s", c.mode, r)
		}
		if got := fmt.Sprint(r.kinds(f[0].ChildPID)); got != c.kinds {
			t.Errorf("%s: child rows %s, want %s:\n%s", c.mode, got, c.kinds, r)
		}
		var fails []string
		for _, ev := range r.find(trace.ExecFailed, 0) {
			fails = append(fails, ev.ExecPath)
		}
		if fmt.Sprint(fails) != fmt.Sprint(c.fails) {
			t.Errorf("%s: exec_failed rows for %q, want %q", c.mode, fails, c.fails)
		}
		if r.res.Stats.Unresolved == 0 {
			t.Errorf("%s: no creation row was forced out by a zero hold bound", c.mode)
		}
		if _, ok := r.meta.Extra[MetaUnknownExec]; ok {
			t.Errorf("%s: unknown exec attempts listed although every outcome was seen: %q", c.mode, r.meta.Extra[MetaUnknownExec])
		}
	}
}

// TestMeasuredCosts checks the eBPF backend's measured costs against what
// the programs do.
func TestMeasuredCosts(t *testing.T) {
	b := backend{ViaEBPF}
	t.Run("create_ns grows with the parent", func(t *testing.T) {
		big := int64(1024)
		if testing.Short() {
			big = 256
		}
		create := func(mib int64) int64 {
			r := b.record(t, "touch", strconv.FormatInt(mib, 10))
			f := r.one(t, trace.Fork, r.root)
			if !f.HasCreateNs || f.CreateNs <= 0 {
				t.Fatalf("touch %d: fork row without create_ns: %+v", mib, f)
			}
			return f.CreateNs
		}
		small, large := create(1), create(big)
		t.Logf("create_ns: %d ns with 1 MiB touched, %d ns with %d MiB (%.1fx)", small, large, big, float64(large)/float64(small))
		if large < 3*small {
			t.Errorf("create_ns %d with %d MiB touched is not several times %d with 1 MiB", large, big, small)
		}
	})
	t.Run("parent_blocked_ns of a vfork", func(t *testing.T) {
		r := b.record(t, "vforksleep")
		v := r.one(t, trace.VFork, r.root)
		if !v.HasParentBlockedNs || v.ParentBlockedNs < 50e6 {
			t.Errorf("vfork whose child slept 50 ms before exec: parent_blocked_ns %v/%d, want >= 50 ms", v.HasParentBlockedNs, v.ParentBlockedNs)
		}
		if !v.HasCreateNs || v.CreateNs <= 0 || v.CreateNs > v.ParentBlockedNs {
			t.Errorf("create_ns %v/%d", v.HasCreateNs, v.CreateNs)
		}
		ex := r.one(t, trace.Exec, v.ChildPID)
		if !ex.HasExecNs || ex.ExecNs <= 0 {
			t.Errorf("exec row without exec_ns: %+v", ex)
		}
		f := r.find(trace.Fork, 0)
		if len(f) != 0 {
			t.Errorf("fork rows in a vfork program: %v", f)
		}
	})
	t.Run("post_create_faults of a parent that writes after its child exec'd", func(t *testing.T) {
		r := b.record(t, "cowwrite", "64")
		f := r.one(t, trace.Fork, r.root)
		const pages = 64 << 20 >> 12
		t.Logf("post_create_faults %d for %d pages written", f.PostCreateFaults, pages)
		if !f.HasPostCreateFaults || f.PostCreateFaults < pages || f.PostCreateFaults > pages*105/100+500 {
			t.Errorf("post_create_faults %v/%d, want close to %d", f.HasPostCreateFaults, f.PostCreateFaults, pages)
		}
		if f.HasParentBlockedNs {
			t.Errorf("parent_blocked_ns on a fork: %+v", f)
		}
	})
}

// TestEBPFRefusal injects a refusal of eBPF: ebpf mode fails saying why
// and how to fix it; auto mode records with ptrace and says why.
func TestEBPFRefusal(t *testing.T) {
	p := progs(t)
	dir := t.TempDir()
	_, err := Run(Options{Via: ViaEBPF, Args: []string{p, "fork"}, Output: filepath.Join(dir, "a.arrow"), ebpfRefuse: syscall.EPERM})
	var re *ebpf.RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "to fix it") {
		t.Fatalf("err = %v, want a refusal saying how to fix it", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
	res, err := Run(Options{Via: ViaAuto, Args: []string{p, "fork"}, Output: filepath.Join(dir, "b.arrow"), ebpfRefuse: syscall.EPERM})
	if err != nil {
		t.Fatal(err)
	}
	if res.Backend != ViaPtrace || !strings.Contains(res.BackendWhy, "eBPF refused") {
		t.Errorf("auto after a refusal: backend %q (%s), want ptrace saying why", res.Backend, res.BackendWhy)
	}
	_, err = Run(Options{Via: ViaPtrace, All: true, Output: filepath.Join(dir, "c.arrow")})
	if err == nil || !strings.Contains(err.Error(), "--via ebpf") {
		t.Errorf("ptrace asked for --all: err = %v", err)
	}
}

// TestWatchPID records a running process by pid, for a duration.
func TestWatchPID(t *testing.T) {
	b := backend{ViaEBPF}
	b.check(t)
	cmd := exec.Command(progs(t), "forever")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	checkWatched(t, Options{Via: ViaEBPF, PID: cmd.Process.Pid, Duration: time.Second}, cmd.Process.Pid)
}

// TestWatchCgroup records a cgroup v2 directory made for the test, with
// one process moved into it: only that process's rows are recorded.
func TestWatchCgroup(t *testing.T) {
	b := backend{ViaEBPF}
	b.check(t)
	mounts, _ := os.ReadFile("/proc/self/mounts")
	root := ""
	for _, line := range strings.Split(string(mounts), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[2] == "cgroup2" {
			root = f[1]
			break
		}
	}
	if root == "" {
		t.Skip("no cgroup v2 hierarchy mounted")
	}
	dir := filepath.Join(root, fmt.Sprintf("forkcost-test-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot make a cgroup to watch: %v", err)
	}
	defer os.Remove(dir)
	cmd := exec.Command(progs(t), "forever")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		time.Sleep(50 * time.Millisecond) // the cgroup empties once its last zombie is reaped
	}()
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		t.Skipf("cannot move a process into %s: %v", dir, err)
	}
	checkWatched(t, Options{Via: ViaEBPF, Cgroup: dir, Duration: time.Second}, pid)
}

// TestEventsLost makes the eBPF ring buffer overflow (one page, read only
// after the command has run): the losses are counted and the trace says
// it is incomplete, and still reads.
func TestEventsLost(t *testing.T) {
	b := backend{ViaEBPF}
	b.check(t)
	out := filepath.Join(t.TempDir(), "lost.arrow")
	res, err := Run(Options{Via: ViaEBPF, Args: []string{progs(t), "forkexec", "50"}, Output: out,
		ebpfRing: os.Getpagesize(), ebpfStall: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.EventsLost == 0 || !strings.Contains(res.Incomplete, "lost to a full ring buffer") || res.ExitStatus != 0 {
		t.Fatalf("result %+v, want lost events marking the trace incomplete", res)
	}
	r, err := arrowio.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !strings.Contains(r.Meta().Incomplete, fmt.Sprint(res.EventsLost)) {
		t.Errorf("metadata incomplete %q does not count the %d lost events", r.Meta().Incomplete, res.EventsLost)
	}
	for r.Next() {
	}
	if r.Err() != nil {
		t.Error(r.Err())
	}
}

// checkWatched records with opts and checks that the rows are those of
// the process pid (a program forking in a loop) and its children.
func checkWatched(t *testing.T, opts Options, pid int) {
	t.Helper()
	opts.Output = filepath.Join(t.TempDir(), "watched.arrow")
	res, err := Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := arrowio.Open(opts.Output, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	forks := 0
	for r.Next() {
		ev := r.Event()
		if ev.PID != int32(pid) && ev.PPID != int32(pid) {
			t.Errorf("row of an unwatched process: %v", ev)
		}
		if ev.Kind == trace.Fork {
			forks++
		}
	}
	if forks < 3 || res.Stats.Creations != int64(forks) || res.Incomplete != "" {
		t.Errorf("%d forks in %s (stats %+v, incomplete %q)", forks, opts.Duration, res.Stats, res.Incomplete)
	}
}
