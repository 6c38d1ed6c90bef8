package strace

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
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
	if c.Live() != 1 || len(c.attached) != 0 || len(c.deadOrphans) != 0 || c.Held() != 0 || rd.Unfinished() != 0 || len(c.lanes.Tops()) != 0 {
		t.Errorf("state after 5000 processes: live %d attached %d dead orphans %d held %d unfinished %d tops %d",
			c.Live(), len(c.attached), len(c.deadOrphans), c.Held(), rd.Unfinished(), len(c.lanes.Tops()))
	}
	c.Finish()
	if c.Stats.Creations[trace.VFork] != 5000 || c.Stats.Execs != 5001 || c.Stats.Exits != 5000 {
		t.Errorf("stats %s", &c.Stats)
	}
}

func TestOpenAnyConvertsRawLogs(t *testing.T) {
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "forkcost-convert-*"))
	rd, err := arrowio.OpenAny("testdata/s_f_ttt_T.txt", nil, nil)
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
	if _, err := arrowio.OpenAny("testdata/prog.c", nil, nil); err == nil {
		t.Error("a C file opened as a trace")
	}
}

func TestOldStraceAndFlags(t *testing.T) {
	// strace 4.x: env as [/* N vars */], no +++ lines, old signal lines.
	// Also: a failed clone, CLONE_PARENT, numeric flags, a plain clone
	// with CLONE_VM (neither fork nor spawn).
	evs, _ := convertText(t, Options{}, `100  execve("/bin/sh", ["sh", "-c", "ls"], [/* 25 vars */]) = 0
100  clone(child_stack=0, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = -1 EAGAIN (Resource temporarily unavailable)
100  clone(child_stack=0, flags=0x1200000|17, child_tidptr=0x7f) = 101
101  clone(child_stack=0, flags=CLONE_PARENT|SIGCHLD) = 102
102  execve("/bin/ls", ["ls"], [/* 1 var */]) = 0
102  exit_group(2)                     = ?
101  clone(child_stack=0x1000, flags=CLONE_VM|SIGCHLD) = 103
103  exit(0) = ?
101  exit_group(0)                     = ?
100  --- SIGCHLD (Child exited) @ 0 (0) ---
100  wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 2}], 0, NULL) = 102
100  wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], 0, NULL) = 101
100  exit_group(1)                     = ?
`)
	var got []string
	for i := range evs {
		e := &evs[i]
		switch {
		case e.Kind.IsCreation():
			got = append(got, fmt.Sprintf("%d %s %d flags=%#x", e.PID, e.Kind, e.ChildPID, e.CloneFlags))
		case e.Kind == trace.Exec:
			got = append(got, fmt.Sprintf("%d exec ppid=%d %s", e.PID, e.PPID, e.ExecPath))
		case e.Kind == trace.Exit:
			got = append(got, fmt.Sprintf("%d exit status=%d/%v sig=%d core=%v", e.PID, e.ExitStatus, e.HasExitStatus, e.Signal, e.CoreDumped))
		}
	}
	want := []string{
		"100 exec ppid=0 /bin/sh",
		"100 fork 101 flags=0x1200011", // the failed clone made nothing
		"101 fork 102 flags=0x8011",
		"102 exec ppid=100 /bin/ls",               // CLONE_PARENT: 101's parent is 102's parent
		"102 exit status=2/true sig=0 core=false", // exit_group, confirmed by wait4
		"101 exit status=0/true sig=0 core=false", // exit_group(0) comes before wait4's status
		// 103 never exec'd and its exit(0) was never confirmed: its creation
		// waits (held) until the end of the log, where its exit is taken
		// from exit(0).
		"101 clone 103 flags=0x111",
		"103 exit status=0/true sig=0 core=false",
		"100 exit status=1/true sig=0 core=false", // exit_group at the end of the log
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestArgNames(t *testing.T) {
	// strace -N (6.16+) names the arguments.
	evs, c := convertText(t, Options{}, `7  execve(pathname="/bin/true", argv=["true", "x"], envp=0x1 /* 1 var */) = 0
7  mmap(addr=NULL, len=8192, prot=PROT_READ|PROT_WRITE, flags=MAP_PRIVATE|MAP_ANONYMOUS, fd=-1, offset=0) = 0x7f0000000000
7  clone(child_stack=NULL, flags=SIGCHLD) = 8
7  exit_group(status=4) = ?
`)
	ex := find(evs, func(e *trace.Event) bool { return e.Kind == trace.Exec })
	if ex == nil || ex.ExecPath != "/bin/true" || strings.Join(ex.Argv, " ") != "true x" {
		t.Errorf("exec %v", ex)
	}
	if c.Stats.MemoryCalls != 1 {
		t.Errorf("mmap with argument names not applied")
	}
	if e := exitOf(evs, 7); e == nil || e.ExitStatus != 4 {
		t.Errorf("exit %v", e)
	}
	if f := find(evs, func(e *trace.Event) bool { return e.Kind == trace.Fork }); f == nil || f.Snapshot.VirtBytes != addrBaseline()+8192 {
		t.Errorf("fork snapshot %v", f)
	}
}

func TestCutArgsCounted(t *testing.T) {
	_, c := convertText(t, Options{}, `7  execve("/bin/true", ["/bin/tru"..., "1", ...], 0x1 /* 1 var */) = 0
7  execve("/bin/a", ["a", "xyz"...], 0x1 /* 1 var */) = 0
7  execve("/bin/a", ["a"], 0x1 /* 1 var */) = 0
`)
	if c.Stats.CutArgs != 2 {
		t.Errorf("CutArgs %d", c.Stats.CutArgs)
	}
}

// TestPipelineSilentLines feeds the pipelined conversion megabytes of lines
// that make no record (-k stack frames, blank lines, first halves of split
// calls), which finish many read-ahead blocks inside one call to Next. The
// batch must be passed on early, or the reading goroutine would wait for
// blocks forever.
func TestPipelineSilentLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("100  1700000000.000000 execve(\"/bin/sh\", [\"sh\"], 0x1 /* 1 var */) = 0\n")
	for b.Len() < 3*16*readAheadBlock {
		b.WriteString(" > /usr/lib/x86_64-linux-gnu/libc.so.6(__libc_start_main+0x80) [0x29e40]\n\n")
		b.WriteString("100  1700000000.100000 wait4(-1,  <unfinished ...>\n")
	}
	b.WriteString("100  1700000000.200000 <... wait4 resumed>0x7ffc, 0, NULL) = -1 ECHILD (No child processes)\n")
	b.WriteString("100  1700000000.300000 +++ exited with 0 +++\n")
	var evs []trace.Event
	c := NewConverter(Options{}, func(ev *trace.Event) error { evs = append(evs, *ev); return nil })
	errc := make(chan error, 1)
	go func() { errc <- RunPipelined(NewReader(strings.NewReader(b.String()), "log"), c, nil) }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the pipelined conversion of silent lines did not finish: deadlocked")
	}
	if k := kindCounts(evs); k[trace.Exec] != 1 || k[trace.Exit] != 1 {
		t.Errorf("events %v, want one exec and one exit", k)
	}
}

// TestPipelineColored checks that ANSI colours are stripped the same way
// when reading ahead (which looks for the escape once per block) as line
// by line.
func TestPipelineColored(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "100  1700000000.%06d brk(NULL) = 0x5555%04x\n", i, i)
		if i == 2500 {
			b.WriteString("\x1b[33m100\x1b[0m  1700000000.500000 \x1b[1mexecve\x1b[0m(\"/bin/ls\", [\"ls\"], 0x1 /* 1 var */) = \x1b[32m0\x1b[0m\n")
		}
	}
	b.WriteString("100  1700000001.000000 +++ exited with 0 +++\n")
	evs := convertBoth(t, Options{}, 0, 0, bytesLog([]byte(b.String())))
	if k := kindCounts(evs); k[trace.Exec] != 1 {
		t.Fatalf("%v, want the coloured exec", k)
	}
}

// Options.MaxAge writes a creation whose child has not acted within it,
// without child_exec_ns; without MaxAge the same log waits for the exec.
func TestMaxAge(t *testing.T) {
	log := `100 1700000000.000000 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101
101 1700000000.100000 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
100 1700000005.000000 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000010000
101 1700000006.000000 execve("/bin/true", ["true"], 0x1 /* 1 var */) = 0
`
	for _, c := range []struct {
		maxAge   int64
		hasExec  bool
		released int64
	}{{0, true, 0}, {2e9, false, 1}} {
		var evs []trace.Event
		conv := NewConverter(Options{MaxAge: c.maxAge}, func(ev *trace.Event) error { evs = append(evs, *ev); return nil })
		if err := Run(NewReader(strings.NewReader(log), "log"), conv, nil); err != nil {
			t.Fatal(err)
		}
		var fork *trace.Event
		for i := range evs {
			if evs[i].Kind == trace.Fork {
				fork = &evs[i]
			}
		}
		if fork == nil || fork.HasChildExec != c.hasExec || conv.Stats.ForcedRelease != c.released {
			t.Errorf("MaxAge %d: fork %v, forced %d", c.maxAge, fork, conv.Stats.ForcedRelease)
		}
	}
}

// closingQuote, which jumps from quote to quote, finds the quote that the
// byte-by-byte scan (a backslash escapes the next byte) finds.
func TestClosingQuote(t *testing.T) {
	slow := func(s []byte, i int) int {
		for i < len(s) && s[i] != '"' {
			if s[i] == '\\' {
				i++
			}
			i++
		}
		return min(i, len(s))
	}
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte(`"\a,`)
	for n := 0; n < 20000; n++ {
		s := make([]byte, rng.Intn(12))
		for i := range s {
			s[i] = alphabet[rng.Intn(len(alphabet))]
		}
		for i := 0; i <= len(s); i++ {
			if got, want := closingQuote(s, i), slow(s, i); got != want {
				t.Fatalf("closingQuote(%q, %d) = %d, want %d", s, i, got, want)
			}
		}
	}
}

// TestFallbackExitOrder: processes whose exit_group is the last thing the
// log shows get their exit rows at the end, in time order and by pid
// among equal times, whatever order the converter's map hands them out in
// (FuzzParse found two conversions of one log writing them in two orders).
func TestFallbackExitOrder(t *testing.T) {
	var b strings.Builder
	for pid := 3610; pid < 3618; pid++ {
		fmt.Fprintf(&b, "%d  00:04:53 exit_group(%d)            = ?\n", pid, pid-3600)
	}
	for run := 0; run < 20; run++ {
		evs, _ := convertText(t, Options{}, b.String())
		var pids []int32
		for i := range evs {
			if evs[i].Kind == trace.Exit {
				pids = append(pids, evs[i].PID)
			}
		}
		if len(pids) != 8 || !slices.IsSorted(pids) {
			t.Fatalf("run %d: exit rows of pids %v, want the 8 of them in pid order", run, pids)
		}
	}
}

// TestSplitMemoryCall checks that a pipeline converts split memory calls
// as the line-by-line conversion does, in the usual case and in those that
// a shortcut reading the resumed half alone (tried on 2026-12-06, see the
// README) gets wrong unless it falls back to joining the halves: arguments
// in the resumed half, a mark or a return in the first half, a call
// interrupted or without a return.
func TestSplitMemoryCall(t *testing.T) {
	const fork = "1 1.000100 clone(child_stack=NULL, flags=SIGCHLD) = 2\n"
	cases := map[string]string{
		"usual": "1 1.000000 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n" +
			"1 1.000010 <... mmap resumed>) = 0x7f0000000000 <0.000010>\n",
		"failed": "1 1.000000 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n" +
			"1 1.000010 <... mmap resumed>) = -1 ENOMEM (Cannot allocate memory)\n",
		"munmap failed": "1 1.000000 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n" +
			"1 1.000005 munmap(0x7f0000000000, 4096 <unfinished ...>\n1 1.000010 <... munmap resumed>) = -1 EINVAL (Invalid argument)\n",
		"mprotect, mremap, brk": "1 1.000000 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n" +
			"1 1.000001 mprotect(0x7f0000000000, 4096, PROT_READ|PROT_WRITE <unfinished ...>\n1 1.000002 <... mprotect resumed>) = 0\n" +
			"1 1.000003 mremap(0x7f0000000000, 8192, 16384, MREMAP_MAYMOVE <unfinished ...>\n1 1.000004 <... mremap resumed>) = 0x7f1000000000\n" +
			"1 1.000005 brk(0x560000021000 <unfinished ...>\n1 1.000006 <... brk resumed>) = 0x560000021000\n",
		"arguments in the resumed half": "1 1.000000 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n" +
			"1 1.000005 munmap(0x7f0000000000, 4096 <unfinished ...>\n1 1.000010 <... munmap resumed>)5) = 0\n",
		"interrupted": "1 1.000000 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0 <unfinished ...>\n" +
			"1 1.000010 <... mmap resumed> <unfinished ...>) = ?\n",
		"no return": "1 1.000000 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0 <unfinished ...>\n" +
			"1 1.000010 <... mmap resumed>)\n",
		"a mark in the first half": "1 1.000000 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0 <unfinished ...> <unfinished ...>\n" +
			"1 1.000010 <... mmap resumed>) = 0x7f0000000000\n",
		"a return in the first half": "1 1.000020 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0) = 5 (<unfinished ...>\n" +
			"1 1.000030 <... mmap resumed>)\n",
	}
	for name, log := range cases {
		t.Run(name, func(t *testing.T) {
			data := []byte(log + fork)
			for _, block := range []int{0, 64} {
				convertBoth(t, Options{}, 4096, block, bytesLog(data))
			}
		})
	}
}
