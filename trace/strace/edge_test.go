package strace

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

func convertText(t *testing.T, opt Options, text string) ([]trace.Event, *Converter) {
	t.Helper()
	var evs []trace.Event
	c := NewConverter(opt, func(ev *trace.Event) error { evs = append(evs, *ev); return nil })
	if err := Run(NewReader(strings.NewReader(text), "log"), c, nil); err != nil {
		t.Fatal(err)
	}
	if err := checkInvariants(evs); err != nil {
		t.Fatal(err)
	}
	return evs, c
}

func TestTruncatedLog(t *testing.T) {
	// The log stops while the child runs: the creation is written without
	// child_exec_ns, no exit is made up.
	evs, c := convertText(t, Options{}, `100  1700000000.000000 execve("/bin/sh", ["sh"], 0x1 /* 1 var */) = 0
100  1700000000.100000 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101
101  1700000000.200000 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
101  1700000000.300000 wait4(-1, `)
	k := kindCounts(evs)
	if k[trace.Fork] != 1 || k[trace.Exit] != 0 || k[trace.Mmap] != 1 {
		t.Fatalf("%v", k)
	}
	if c.Stats.NotExited != 2 {
		t.Errorf("NotExited %d", c.Stats.NotExited)
	}
}

func TestPidReuseAndBackwardsTime(t *testing.T) {
	evs, c := convertText(t, Options{}, `1  1700000000.000000 vfork() = 2
2  1700000000.100000 execve("/bin/a", ["a"], 0x1 /* 1 var */) = 0
2  1700000000.200000 +++ exited with 0 +++
1  1700000000.150000 vfork() = 2
2  1700000000.300000 execve("/bin/b", ["b"], 0x1 /* 1 var */) = 0
2  1700000000.400000 exit_group(3) = ?
1  1700000000.500000 vfork() = 2
2  1700000000.600000 exit_group(0) = ?
2  1700000000.700000 +++ exited with 0 +++
`)
	var got []string
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case trace.VFork:
			got = append(got, "vfork")
		case trace.Exec:
			got = append(got, "exec "+e.ExecPath)
		case trace.Exit:
			got = append(got, "exit "+e.Comm)
		}
	}
	// The second process with pid 2 never printed +++: its exit comes from
	// exit_group when the pid is reused.
	want := "vfork|exec /bin/a|exit a|vfork|exec /bin/b|exit b|vfork|exit "
	if strings.Join(got, "|") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, "|"), want)
	}
	if c.Stats.TimeBackwards != 1 {
		t.Errorf("TimeBackwards %d", c.Stats.TimeBackwards)
	}
}

func TestNoMemoryCallsWarns(t *testing.T) {
	var warnings []string
	out := filepath.Join(t.TempDir(), "t.arrow")
	_, err := ConvertFiles([]Input{{Name: "testdata/s_f_t.txt"}}, out, Config{Warn: func(f string, a ...any) {
		warnings = append(warnings, f)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(warnings, "\n"), "trace=process,memory") {
		t.Errorf("no advice to record memory calls: %q", warnings)
	}
}

func TestMaxHeldBounds(t *testing.T) {
	// A child that never execs and does a lot: held rows stay bounded, the
	// creation is written without child_exec_ns.
	var b strings.Builder
	b.WriteString("1  1700000000.000000 clone(child_stack=NULL, flags=SIGCHLD) = 2\n")
	for i := 0; i < 1000; i++ {
		b.WriteString("2  1700000000.100000 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n")
	}
	evs, c := convertText(t, Options{MaxHeld: 100}, b.String())
	if c.Stats.ForcedRelease != 1 || len(evs) != 1001 || evs[0].Kind != trace.Fork || evs[0].HasChildExec {
		t.Errorf("forced %d rows %d first %s", c.Stats.ForcedRelease, len(evs), formatEvent(&evs[0]))
	}
}

func TestStateBoundedByLiveProcesses(t *testing.T) {
	// 5000 children created, exec'd and reaped one after the other, in a
	// stderr log with "attached" messages and split calls: the state left
	// is the one live process.
	var b strings.Builder
	b.WriteString("execve(\"/bin/make\", [\"make\"], 0x1 /* 1 var */) = 0\n")
	for i := 0; i < 5000; i++ {
		pid := 1000 + i
		fmt.Fprintf(&b, "vfork(strace: Process %d attached\n <unfinished ...>\n", pid)
		fmt.Fprintf(&b, "[pid %5d] execve(\"/bin/cc\", [\"cc\"], 0x1 /* 1 var */ <unfinished ...>\n", pid)
		fmt.Fprintf(&b, "[pid   999] <... vfork resumed>) = %d\n", pid)
		fmt.Fprintf(&b, "[pid %5d] <... execve resumed>) = 0\n", pid)
		fmt.Fprintf(&b, "[pid %5d] exit_group(0) = ?\n", pid)
		fmt.Fprintf(&b, "[pid %5d] +++ exited with 0 +++\n", pid)
		fmt.Fprintf(&b, "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=%d, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n", pid)
	}
	rd := NewReader(strings.NewReader(b.String()), "log")
	var rows int
	c := NewConverter(Options{}, func(*trace.Event) error { rows++; return nil })
	for rd.Next() {
		if r, ok := rd.Result().(*Record); ok {
			c.Add(r)
		} else {
			t.Fatal(rd.Result())
		}
	}
	if c.Live() != 1 || len(c.attached) != 0 || len(c.deadOrphans) != 0 || c.Held() != 0 || rd.Unfinished() != 0 || len(c.tops) != 0 {
		t.Errorf("state after 5000 processes: live %d attached %d dead orphans %d held %d unfinished %d tops %d",
			c.Live(), len(c.attached), len(c.deadOrphans), c.Held(), rd.Unfinished(), len(c.tops))
	}
	c.Finish()
	if c.Stats.Creations[trace.VFork] != 5000 || c.Stats.Execs != 5001 || c.Stats.Exits != 5000 {
		t.Errorf("stats %s", &c.Stats)
	}
}

func TestOpenAnyConvertsRawLogs(t *testing.T) {
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "forkcost-convert-*"))
	rd, err := trace.OpenAny("testdata/s_f_ttt_T.txt", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rd.Next() {
		n++
	}
	if rd.Err() != nil || n != 133 || rd.Meta().Source != "strace" || rd.Name() != "testdata/s_f_ttt_T.txt" {
		t.Errorf("rows %d err %v meta %+v", n, rd.Err(), rd.Meta())
	}
	rd.Close()
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "forkcost-convert-*"))
	if len(after) > len(before) {
		t.Errorf("temporary conversion left behind: %v", after)
	}
	if _, err := trace.OpenAny("testdata/prog.c", nil, nil); err == nil {
		t.Error("a C file opened as a trace")
	}
}
