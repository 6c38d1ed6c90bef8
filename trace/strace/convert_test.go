package strace

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// checkInvariants reports rows that break the trace schema's rules, and
// children whose rows come before their creation row.
func checkInvariants(evs []trace.Event) error {
	created := map[int32]int{}  // child pid -> index of its creation row
	firstRow := map[int32]int{} // pid -> index of its first row
	for i := range evs {
		ev := &evs[i]
		if _, err := trace.ParseKind(string(ev.Kind)); err != nil {
			return fmt.Errorf("row %d: %v", i, err)
		}
		if ev.TimeNs < 0 || ev.PID < 0 || ev.PPID < 0 || ev.ChildPID < 0 {
			return fmt.Errorf("row %d: negative time or pid: %s", i, formatEvent(ev))
		}
		isCreate := ev.Kind.IsCreation()
		if isCreate != ev.HasSnapshot {
			return fmt.Errorf("row %d: snapshot only on creation rows: %s", i, formatEvent(ev))
		}
		if (isCreate || ev.Kind == trace.Thread) && ev.ChildPID <= 0 {
			return fmt.Errorf("row %d: creation without child: %s", i, formatEvent(ev))
		}
		if !isCreate && ev.HasChildExec {
			return fmt.Errorf("row %d: child_exec_ns on a non-creation row", i)
		}
		if ev.HasChildExec && ev.ChildExecNs < ev.TimeNs {
			return fmt.Errorf("row %d: child exec'd before it was created: %s", i, formatEvent(ev))
		}
		if ev.Kind == trace.Exit && ev.HasExitStatus && ev.Signal != 0 {
			return fmt.Errorf("row %d: exit with both status and signal", i)
		}
		if ev.HasSnapshot {
			s := ev.Snapshot
			for _, v := range []int64{s.VirtBytes, s.WritableBytes, s.ResidentBytes, s.WritableResidentBytes, s.AnonResidentBytes, s.PageTableBytes, s.MapEntries} {
				if v < 0 {
					return fmt.Errorf("row %d: negative size: %s", i, formatEvent(ev))
				}
			}
			if s.WritableBytes > s.VirtBytes || s.ResidentBytes > s.VirtBytes || s.WritableResidentBytes > s.WritableBytes || s.PageSize != 4096 || s.ParentThreads < 1 {
				return fmt.Errorf("row %d: inconsistent sizes: %s", i, formatEvent(ev))
			}
		}
		if isCreate {
			created[ev.ChildPID] = i
		}
		if _, ok := firstRow[ev.PID]; !ok {
			firstRow[ev.PID] = i
		}
	}
	for child, ci := range created {
		if fi, ok := firstRow[child]; ok && fi < ci && evs[fi].PID == child {
			// Allowed only for pid reuse: an earlier process with the same pid.
			reused := false
			for j := fi; j < ci; j++ {
				if evs[j].PID == child && evs[j].Kind == trace.Exit {
					reused = true
				}
			}
			if !reused {
				return fmt.Errorf("pid %d has row %d before its creation row %d", child, fi, ci)
			}
		}
	}
	return nil
}

func kindCounts(evs []trace.Event) map[trace.Kind]int {
	m := map[trace.Kind]int{}
	for i := range evs {
		m[evs[i].Kind]++
	}
	return m
}

func find(evs []trace.Event, f func(*trace.Event) bool) *trace.Event {
	for i := range evs {
		if f(&evs[i]) {
			return &evs[i]
		}
	}
	return nil
}

func exitOf(evs []trace.Event, pid int32) *trace.Event {
	return find(evs, func(e *trace.Event) bool { return e.Kind == trace.Exit && e.PID == pid })
}

// prog.c does the same creations under every strace flag set: 4 forks (one
// via clone without CLONE_VM), a vfork, a posix_spawn (clone3
// CLONE_VM|CLONE_VFORK), 2 threads, 5 successful execs and 1 failed, and
// 7 process exits. Every sample of it must say so.
func TestSamplesOfProg(t *testing.T) {
	samples := []string{"s_f_ttt_T.txt", "s_f_tt.txt", "s_f_t.txt", "s_f_r.txt", "s_stderr_f.txt", "s_yy.txt",
		"s_Xraw.txt", "s_Xverbose.txt", "s_v.txt", "s_seccomp.txt", "s_all.txt", "s_Y_n_ns.txt", "s_nosig.txt"}
	for _, name := range samples {
		t.Run(name, func(t *testing.T) {
			evs, c, errs := convertFiles(t, Options{}, name)
			if len(errs) > 0 {
				t.Fatalf("syntax errors: %v", errs)
			}
			if err := checkInvariants(evs); err != nil {
				t.Fatal(err)
			}
			k := kindCounts(evs)
			want := map[trace.Kind]int{trace.Fork: 4, trace.VFork: 1, trace.Spawn: 1, trace.Thread: 2, trace.Exec: 5, trace.ExecFailed: 1, trace.Exit: 7}
			for kind, n := range want {
				if k[kind] != n {
					t.Errorf("%s: %d rows, want %d (%v)", kind, k[kind], n, k)
				}
			}
			if k[trace.Clone] != 0 {
				t.Errorf("clone rows: %d", k[trace.Clone])
			}
			if c.Stats.UnknownPIDRows != 0 {
				t.Errorf("%d rows without pid", c.Stats.UnknownPIDRows)
			}
			// The failed exec then the exec of the first fork's child, and
			// child_exec_ns of its creation is the successful exec's time.
			var forkRow *trace.Event
			for i := range evs {
				if evs[i].Kind == trace.Fork {
					forkRow = &evs[i]
					break
				}
			}
			ex := find(evs, func(e *trace.Event) bool { return e.Kind == trace.Exec && e.PID == forkRow.ChildPID })
			if ex == nil || ex.ExecPath != "/bin/true" || strings.Join(ex.Argv, "|") != `true|x y|"quoted"` || ex.Comm != "true" {
				t.Fatalf("exec of first child: %+v", ex)
			}
			if !forkRow.HasChildExec || forkRow.ChildExecNs != ex.TimeNs {
				t.Errorf("child_exec_ns %v %d, want %d", forkRow.HasChildExec, forkRow.ChildExecNs, ex.TimeNs)
			}
			if f := find(evs, func(e *trace.Event) bool { return e.Kind == trace.ExecFailed }); f.ExecPath != "/nonexistent/foo" || f.PID != forkRow.ChildPID {
				t.Errorf("exec_failed row %s", formatEvent(f))
			}
			// vfork child runs sh -c "exit 3".
			vf := find(evs, func(e *trace.Event) bool { return e.Kind == trace.VFork })
			if e := exitOf(evs, vf.ChildPID); e == nil || !e.HasExitStatus || e.ExitStatus != 3 || e.PPID != vf.PID {
				t.Errorf("vfork child exit: %v", e)
			}
			if !vf.HasChildExec {
				t.Errorf("vfork row lacks child_exec_ns (child exec'd before the parent returned)")
			}
			sp := find(evs, func(e *trace.Event) bool { return e.Kind == trace.Spawn })
			if sp.CloneFlags&0x4100 != 0x4100 || !sp.HasChildExec {
				t.Errorf("spawn row %s", formatEvent(sp))
			}
			// The 3rd fork's child raised SIGSEGV, the 4th got SIGTERM,
			// unless the log hides the +++ lines and signals (s_nosig).
			var forks []*trace.Event
			for i := range evs {
				if evs[i].Kind == trace.Fork {
					forks = append(forks, &evs[i])
				}
			}
			if name != "s_nosig.txt" {
				if e := exitOf(evs, forks[1].ChildPID); e == nil || e.Signal != 11 || e.HasExitStatus {
					t.Errorf("SIGSEGV child exit %v", e)
				}
				if e := exitOf(evs, forks[2].ChildPID); e == nil || e.Signal != 15 {
					t.Errorf("SIGTERM child exit %v", e)
				}
			}
			root := evs[0].PID
			if e := exitOf(evs, root); e == nil || e.ExitStatus != 2 || !e.HasExitStatus {
				t.Errorf("prog exit %v", e)
			}
			for _, th := range []trace.Kind{trace.Thread} {
				for i := range evs {
					if evs[i].Kind == th && (evs[i].PID != root || evs[i].CloneFlags&0x10000 == 0) {
						t.Errorf("thread row %s", formatEvent(&evs[i]))
					}
				}
			}
		})
	}
}

func TestSampleFFMerge(t *testing.T) {
	files, _ := filepath.Glob("testdata/ff/s_ff.*")
	if len(files) != 9 {
		t.Fatalf("want 9 -ff files, have %d", len(files))
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimPrefix(f, "testdata/"))
	}
	evs, _, errs := convertFiles(t, Options{}, names...)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := checkInvariants(evs); err != nil {
		t.Fatal(err)
	}
	k := kindCounts(evs)
	single, _, _ := convertFiles(t, Options{}, "s_f_tt.txt")
	ks := kindCounts(single)
	for _, kind := range trace.Kinds {
		if k[kind] != ks[kind] {
			t.Errorf("%s: -ff set has %d rows, the -f log of the same program %d", kind, k[kind], ks[kind])
		}
	}
	// Merged by time: times never go down except where a creation waited.
	for i := 1; i < len(evs); i++ {
		if evs[i].TimeNs < evs[i-1].TimeNs && !evs[i].Kind.IsCreation() && !evs[i-1].Kind.IsCreation() {
			t.Errorf("row %d goes back in time: %s after %s", i, formatEvent(&evs[i]), formatEvent(&evs[i-1]))
		}
	}
	// Via ExpandFF from the prefix.
	ins, err := ExpandFF([]string{"testdata/ff/s_ff"})
	if err != nil || len(ins) != 9 || ins[0].PID == 0 {
		t.Fatalf("ExpandFF: %v %v", ins, err)
	}
}

func TestSampleKillCore(t *testing.T) {
	evs, _, errs := convertFiles(t, Options{}, "s_kill_core.txt")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := checkInvariants(evs); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"4311 exit sig=9",
		"4312 exit sig=11 core",
		"4313 exit status=7",
		"4314 exit status=5",
		"4315 exit status=6",
		"4310 exit status=0",
	}
	var got []string
	for i := range evs {
		e := &evs[i]
		if e.Kind != trace.Exit {
			continue
		}
		s := fmt.Sprintf("%d exit", e.PID)
		if e.HasExitStatus {
			s += fmt.Sprintf(" status=%d", e.ExitStatus)
		}
		if e.Signal != 0 {
			s += fmt.Sprintf(" sig=%d", e.Signal)
		}
		if e.CoreDumped {
			s += " core"
		}
		got = append(got, s)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("exits:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// raw clone(CLONE_VM|CLONE_VFORK|SIGCHLD): spawn; raw SYS_fork: fork
	// without flags; raw SYS_vfork: vfork.
	kinds := map[int32]trace.Kind{}
	for i := range evs {
		if evs[i].Kind.IsCreation() {
			kinds[evs[i].ChildPID] = evs[i].Kind
			if evs[i].ChildPID == 4314 && evs[i].HasCloneFlags {
				t.Errorf("fork() has no flags")
			}
		}
	}
	if kinds[4313] != trace.Spawn || kinds[4314] != trace.Fork || kinds[4315] != trace.VFork || kinds[4311] != trace.Fork {
		t.Errorf("kinds %v", kinds)
	}
}

func TestSampleThreadExec(t *testing.T) {
	evs, _, _ := convertFiles(t, Options{}, "s_thread_exec.txt")
	if err := checkInvariants(evs); err != nil {
		t.Fatal(err)
	}
	k := kindCounts(evs)
	if k[trace.Exec] != 2 || k[trace.Exit] != 1 || k[trace.Thread] != 1 {
		t.Fatalf("counts %v", k)
	}
	ex := find(evs, func(e *trace.Event) bool { return e.Kind == trace.Exec && e.ExecPath == "/bin/true" })
	if ex == nil || ex.PID != 4303 || strings.Join(ex.Argv, " ") != "true from-thread" {
		t.Fatalf("thread's execve must replace the process 4303: %v", ex)
	}
	if e := exitOf(evs, 4303); e == nil || e.Comm != "true" {
		t.Errorf("exit %v", e)
	}
	if exitOf(evs, 4304) != nil {
		t.Errorf("the superseded thread has no exit of its own")
	}
}

func TestSampleQuietExits(t *testing.T) {
	// -qq: no "+++ exited" lines; killed ones stay; SIGCHLD gives the rest.
	evs, _, _ := convertFiles(t, Options{}, "s_Z_qq.txt")
	if err := checkInvariants(evs); err != nil {
		t.Fatal(err)
	}
	if e := exitOf(evs, 4512); e == nil || !e.HasExitStatus || e.ExitStatus != 0 {
		t.Errorf("4512 exit from SIGCHLD: %v", e)
	}
	if e := exitOf(evs, 4517); e == nil || e.Signal != 11 {
		t.Errorf("4517 killed: %v", e)
	}
	// No -f: no pids; the vfork child's exit comes from wait4's status.
	evs, c, _ := convertFiles(t, Options{}, "s_nof.txt")
	if err := checkInvariants(evs); err != nil {
		t.Fatal(err)
	}
	if vf := find(evs, func(e *trace.Event) bool { return e.Kind == trace.VFork }); vf == nil || vf.ChildPID != 4503 || vf.PID != 0 {
		t.Errorf("vfork %v", vf)
	}
	if e := exitOf(evs, 0); e == nil || e.ExitStatus != 4 {
		t.Errorf("sh exit %v", e)
	}
	if c.Stats.UnknownPIDRows == 0 {
		t.Errorf("rows without pid are not counted")
	}
}

func TestSampleSmall(t *testing.T) {
	for _, tc := range []struct {
		name string
		argv string
	}{
		{"s_argv_trunc.txt", "/bin/tru|1|2|3|4|5|6|7"},
		{"s_nonascii.txt", "/bin/true|tab\there\nnl|\xc3\xa9\x01"},
		{"s_t_r.txt", "/bin/true"},
		{"s_i.txt", "sh|-c|true"},
	} {
		evs, _, errs := convertFiles(t, Options{}, tc.name)
		if len(errs) > 0 {
			t.Errorf("%s: %v", tc.name, errs)
		}
		ex := find(evs, func(e *trace.Event) bool { return e.Kind == trace.Exec })
		if ex == nil || strings.Join(ex.Argv, "|") != tc.argv {
			t.Errorf("%s: argv %q, want %q", tc.name, ex.Argv, tc.argv)
		}
		if exitOf(evs, ex.PID) == nil {
			t.Errorf("%s: no exit", tc.name)
		}
	}
	evs, _, _ := convertFiles(t, Options{}, "s_k.txt")
	if k := kindCounts(evs); k[trace.Exec] != 3 || k[trace.Exit] != 3 {
		t.Errorf("s_k: %v", k)
	}
}

// TestGolden compares whole conversions, written as Arrow and read back,
// with golden text files (go test -update rewrites them).
func TestGolden(t *testing.T) {
	for _, name := range []string{"s_f_ttt_T.txt", "s_stderr_f.txt", "s_kill_core.txt", "s_seccomp.txt", "s_thread_exec.txt"} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "t.arrow")
			if _, err := ConvertFiles([]Input{{Name: filepath.Join("testdata", name)}}, out, Config{}); err != nil {
				t.Fatal(err)
			}
			rd, err := arrowio.Open(out, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			var b strings.Builder
			m := rd.Meta()
			fmt.Fprintf(&b, "# source=%s os=%s start=%d synthetic=%v time_form=%s\n", m.Source, m.SourceOS, m.StartUnixNs, m.TimeSynthetic, m.Extra[MetaTimeForm])
			for rd.Next() {
				b.WriteString(formatEvent(rd.Event()))
				b.WriteByte('\n')
			}
			if err := rd.Err(); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".txt")+".golden")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != string(want) {
				t.Errorf("conversion differs from %s (go test -update to accept):\n%s", golden, diffLines(string(want), b.String()))
			}
		})
	}
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, a, c)
			if b.Len() > 2000 {
				break
			}
		}
	}
	return b.String()
}

// TestBitsMemo checks the decoder's memo of flag sets against parseBits,
// over more distinct sets than it holds, so that entries are replaced.
func TestBitsMemo(t *testing.T) {
	sets := []string{"PROT_READ", "PROT_READ|PROT_WRITE", "PROT_NONE", "PROT_READ|PROT_EXEC",
		"PROT_WRITE", "0x7", "", "PROT_READ|PROT_WRITE|PROT_EXEC", "PROT_READ /* x */|PROT_WRITE"}
	var m bitsMemo
	scratch := make([]byte, 0, 64)
	for round := 0; round < 3; round++ {
		for i := range sets {
			s := sets[(i*5+round)%len(sets)]
			want, _ := parseBits([]byte(s), protNames, scratch)
			if got := m.parse([]byte(s), protNames, scratch); got != want {
				t.Errorf("memo of %q = %#x, want %#x", s, got, want)
			}
		}
	}
}
