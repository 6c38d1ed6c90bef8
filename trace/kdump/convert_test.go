package kdump

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/textconv"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The golden table of each fixture: every row, in order.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) < 10 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			evs, c, _, errs := convert(t, name, bsd.Options{})
			if len(errs) != 0 {
				t.Fatalf("syntax errors: %v", errs)
			}
			if err := bsd.CheckInvariants(evs, true); err != nil {
				t.Fatal(err)
			}
			if c.Held() != 0 {
				t.Fatalf("%d rows held after Finish", c.Held())
			}
			got := lines(evs)
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".txt")+".golden")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("conversion differs from %s:\n%s", golden, diff(string(want), got))
			}
		})
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("- " + a + "\n+ " + c + "\n")
		}
	}
	return b.String()
}

// The same scenario printed by each OS's kdump, with and without each time
// flag, gives the same rows (times apart) on every OS where the calls exist.
func TestSameScenarioAcrossFlags(t *testing.T) {
	groups := [][]string{
		{"netbsd_T.txt", "netbsd_R.txt", "netbsd_none.txt", "netbsd_E.txt", "netbsd_n_T.txt"},
		{"freebsd_none.txt", "freebsd_H_E.txt", "freebsd_A_T.txt", "freebsd_R.txt", "freebsd_H_T.txt", "freebsd_n.txt"},
		{"openbsd_none.txt", "openbsd_H_R.txt", "openbsd_T.txt", "openbsd_H_E.txt"},
		{"dragonfly_T.txt", "dragonfly_none.txt", "dragonfly_R.txt"},
	}
	strip := func(evs []trace.Event) string {
		var b strings.Builder
		for i := range evs {
			e := evs[i]
			e.TimeNs, e.ChildExecNs = 0, 0
			b.WriteString(bsd.FormatEvent(&e) + "\n")
		}
		return b.String()
	}
	for _, g := range groups {
		evs0, _, _, _ := convert(t, g[0], bsd.Options{})
		for _, name := range g[1:] {
			evs, _, _, _ := convert(t, name, bsd.Options{})
			if a, b := strip(evs0), strip(evs); a != b {
				t.Errorf("%s and %s differ:\n%s", g[0], name, diff(a, b))
			}
		}
	}
	// The time flags give the same clock: -T, -E and -R of one run agree.
	for _, g := range [][]string{{"netbsd_T.txt", "netbsd_R.txt", "netbsd_E.txt"}, {"openbsd_T.txt", "openbsd_H_R.txt", "openbsd_H_E.txt"},
		{"freebsd_A_T.txt", "freebsd_R.txt", "freebsd_H_E.txt"}} {
		a, _, _, _ := convert(t, g[0], bsd.Options{})
		for _, name := range g[1:] {
			b, _, _, _ := convert(t, name, bsd.Options{})
			for i := range a {
				if a[i].TimeNs != b[i].TimeNs {
					t.Fatalf("%s row %d: time %d, %s: %d", g[0], i, a[i].TimeNs, name, b[i].TimeNs)
				}
			}
		}
	}
}

// kinds lists the rows' kinds with their pids, for the edge-case tests.
func kinds(evs []trace.Event) string {
	var s []string
	for _, e := range evs {
		k := string(e.Kind)
		if e.ChildPID != 0 {
			k += ">" + itoa(e.ChildPID)
		}
		s = append(s, itoa(e.PID)+":"+k)
	}
	return strings.Join(s, " ")
}

func itoa(v int32) string {
	if v == 0 {
		return "0"
	}
	neg := v < 0
	if neg {
		v = -v
	}
	var b []byte
	for v > 0 {
		b = append([]byte{byte('0' + v%10)}, b...)
		v /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

func find(evs []trace.Event, pid int32, kind trace.Kind) *trace.Event {
	for i := range evs {
		if evs[i].PID == pid && evs[i].Kind == kind {
			return &evs[i]
		}
	}
	return nil
}

func TestLinking(t *testing.T) {
	cases := []struct {
		name, log, want string
		check           func(t *testing.T, evs []trace.Event, c *bsd.Converter)
	}{
		{"child records before the parent's RET (vfork)", `
   10 sh       CALL  vfork
   11 sh       CALL  execve(0x1,0x2,0x3)
   11 sh       NAMI  "/bin/ls"
   11 ls       RET   execve JUSTRETURN
   10 sh       RET   vfork 11/0xb
   11 ls       CALL  exit(0)
`, "10:vfork>11 11:exec 11:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if evs[1].PPID != 10 || !evs[0].HasChildExec || evs[0].ChildExecNs != evs[1].TimeNs {
				t.Errorf("ppid %d, child_exec %v %d", evs[1].PPID, evs[0].HasChildExec, evs[0].ChildExecNs)
			}
		}},
		{"child's first record is a CALL, not RET fork 0", `
   10 sh       CALL  fork
   11 sh       CALL  getpid
   11 sh       RET   getpid 11/0xb
   10 sh       RET   fork 11/0xb
   11 sh       CALL  exit(0x2)
`, "10:fork>11 11:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if evs[1].ExitStatus != 2 || evs[1].PPID != 10 {
				t.Errorf("exit %s", bsd.FormatEvent(&evs[1]))
			}
		}},
		{"two forks open at once (make -j): linked by the returned pids", `
   10 make     CALL  fork
   20 make     CALL  fork
   21 make     CALL  execve(0x1,0x2,0x3)
   11 make     CALL  execve(0x1,0x2,0x3)
   11 make     NAMI  "/bin/cc"
   21 make     NAMI  "/bin/ld"
   20 make     RET   fork 21/0x15
   11 cc       RET   execve JUSTRETURN
   21 ld       RET   execve JUSTRETURN
   10 make     RET   fork 11/0xb
   11 cc       CALL  exit(0)
   21 ld       CALL  exit(0)
`, "10:fork>11 20:fork>21 21:exec 11:exec 11:exit 21:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if e := find(evs, 21, trace.Exec); e.PPID != 20 || e.ExecPath != "/bin/ld" {
				t.Errorf("pid 21: %s", bsd.FormatEvent(e))
			}
			if e := find(evs, 11, trace.Exec); e.PPID != 10 || e.ExecPath != "/bin/cc" {
				t.Errorf("pid 11: %s", bsd.FormatEvent(e))
			}
		}},
		{"child that exits before the parent's RET", `
   10 sh       CALL  vfork
   11 sh       CALL  exit(0x7f)
   10 sh       RET   vfork 11/0xb
   10 sh       CALL  exit(0)
`, "10:vfork>11 11:exit 10:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if evs[0].HasChildExec || evs[1].ExitStatus != 127 || evs[1].PPID != 10 {
				t.Errorf("%s / %s", bsd.FormatEvent(&evs[0]), bsd.FormatEvent(&evs[1]))
			}
		}},
		{"pid reuse", `
   10 sh       CALL  fork
   10 sh       RET   fork 11/0xb
   11 sh       CALL  exit(0)
   10 sh       CALL  fork
   10 sh       RET   fork 11/0xb
   11 sh       CALL  exit(0x1)
`, "10:fork>11 11:exit 10:fork>11 11:exit", nil},
		{"failed fork: the new pid seen meanwhile is nobody's child", `
   10 sh       CALL  fork
   30 other    CALL  getpid
   10 sh       RET   fork -1 errno 35 Resource temporarily unavailable
   30 other    CALL  exit(0)
`, "30:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if c.Stats.FailedForks != 1 || c.Stats.Unclaimed != 1 || evs[0].PPID != 0 {
				t.Errorf("stats %+v", c.Stats)
			}
		}},
		{"exec without its RET: the command name changed", `
   10 sh       CALL  execve(0x1,0x2,0x3)
   10 sh       NAMI  "/bin/cat"
   10 cat      CALL  read(0,0x1,0x10)
   10 cat      CALL  exit(0)
`, "10:exec 10:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if evs[0].Comm != "cat" || evs[0].ExecPath != "/bin/cat" {
				t.Errorf("%s", bsd.FormatEvent(&evs[0]))
			}
		}},
		{"a caught SIGSEGV is not a death", `
   10 sh       PSIG  SIGSEGV SIG_DFL code=SEGV_MAPERR
   10 sh       CALL  exit(0x1)
`, "10:signal 10:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if evs[1].ExitStatus != 1 || evs[1].Signal != 0 {
				t.Errorf("%s", bsd.FormatEvent(&evs[1]))
			}
		}},
		{"death by signal: PSIG SIG_DFL then nothing", `
   10 sh       CALL  fork
   10 sh       RET   fork 11/0xb
   11 sh       PSIG  SIGABRT SIG_DFL
   10 sh       CALL  wait4(0xffffffff,0x7f7fffffe5cc,0,0)
   10 sh       RET   wait4 11/0xb
   10 sh       CALL  exit(0)
`, "10:fork>11 11:signal 11:exit 10:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if e := find(evs, 11, trace.Exit); e.Signal != 6 || e.HasExitStatus {
				t.Errorf("%s", bsd.FormatEvent(e))
			}
		}},
		{"SIGCHLD's default action is not fatal", `
   10 sh       PSIG  SIGCHLD SIG_DFL
`, "10:signal", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if c.Stats.NotExited != 1 {
				t.Errorf("stats %+v", c.Stats)
			}
		}},
		{"rfork: no RFPROC is no process; RFPROC|RFMEM is a clone", `
   10 p        CALL  rfork(0x4<RFFDG>)
   10 p        RET   rfork 0
   10 p        CALL  rfork(RFPROC|RFMEM)
   10 p        RET   rfork 11/0xb
   11 p        CALL  exit(0)
`, "10:clone>11 11:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if !evs[0].HasCloneFlags || evs[0].CloneFlags != bsd.RFPROC|bsd.RFMEM {
				t.Errorf("%s", bsd.FormatEvent(&evs[0]))
			}
		}},
		{"threads are not creations, and count in the parent", `
   10   10 p        CALL  _lwp_create(0x1,0x40,0x2)
   10   10 p        RET   _lwp_create 0
   10   11 p        CALL  _lwp_self
   10   10 p        CALL  fork
   10   10 p        RET   fork 12/0xc
   12   12 p        CALL  exit(0)
`, "10:thread>11 10:fork>12 12:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if evs[1].Snapshot.ParentThreads != 2 || c.Stats.Creations[trace.Thread] != 0 {
				t.Errorf("%s", bsd.FormatEvent(&evs[1]))
			}
		}},
		{"posix_spawn whose child appears after the RET", `
   10   10 sh       CALL  posix_spawn(0x1,0x2,0,0,0x3,0x4)
   10   10 sh       NAMI  "/usr/bin/true"
   10   10 sh       RET   posix_spawn 0
   11   11 true     CALL  exit(0)
`, "10:spawn>11 11:exec 11:exit", func(t *testing.T, evs []trace.Event, c *bsd.Converter) {
			if evs[1].ExecPath != "/usr/bin/true" || evs[1].PPID != 10 || !evs[0].HasChildExec {
				t.Errorf("%s / %s", bsd.FormatEvent(&evs[0]), bsd.FormatEvent(&evs[1]))
			}
		}},
		{"failed posix_spawn", `
   10   10 sh       CALL  posix_spawn(0x1,0x2,0,0,0x3,0x4)
   10   10 sh       RET   posix_spawn -1 errno 2 No such file or directory
   10   10 sh       CALL  exit(0)
`, "10:exit", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, conv, _, errs := convertText(t, strings.TrimPrefix(c.log, "\n"), bsd.Options{})
			if len(errs) != 0 {
				t.Fatal(errs)
			}
			if got := kinds(evs); got != c.want {
				t.Fatalf("rows %s, want %s\n%s", got, c.want, lines(evs))
			}
			if err := bsd.CheckInvariants(evs, true); err != nil {
				t.Error(err)
			}
			if c.check != nil {
				c.check(t, evs, conv)
			}
		})
	}
}

// Look-ahead is bounded: a child that never execs holds at most MaxHeld
// rows; its creation row is then written without child_exec_ns.
func TestMaxHeld(t *testing.T) {
	var b strings.Builder
	b.WriteString("   10 sh       CALL  fork\n   10 sh       RET   fork 11/0xb\n")
	for i := 0; i < 50; i++ {
		b.WriteString("   10 sh       CALL  mmap(0,0x1000,0x3,0x1002,0xffffffff,0)\n   10 sh       RET   mmap 4096/0x1000\n")
	}
	b.WriteString("   11 sh       CALL  execve(0x1,0x2,0x3)\n   11 ls       RET   execve JUSTRETURN\n")
	evs, c, _, _ := convertText(t, b.String(), bsd.Options{Options: textconv.Options{MaxHeld: 8}})
	if c.Stats.ForcedRelease == 0 || evs[0].Kind != trace.Fork || evs[0].HasChildExec {
		t.Errorf("forced %d, first row %s", c.Stats.ForcedRelease, bsd.FormatEvent(&evs[0]))
	}
	if err := bsd.CheckInvariants(evs, true); err != nil {
		t.Error(err)
	}
	evs, c, _, _ = convertText(t, b.String(), bsd.Options{})
	if c.Stats.ForcedRelease != 0 || !evs[0].HasChildExec {
		t.Errorf("without the limit: %s", bsd.FormatEvent(&evs[0]))
	}
}

// Address spaces: mmap, munmap, mprotect, break, NetBSD mremap, and
// minherit(MAP_INHERIT_NONE) leaving a range out of a forked child.
func TestAddressSpace(t *testing.T) {
	base := int64(1024+232+132+16+8) << 10
	log := `
   10   10 p        CALL  mmap(0,0x200000,PROT_READ|PROT_WRITE,0x1002<PRIVATE,ANONYMOUS,ALIGN=NONE>,0xffffffff,0,0)
   10   10 p        RET   mmap 1048576/0x100000
   10   10 p        CALL  munmap(0x100000,0x1000)
   10   10 p        RET   munmap 0
   10   10 p        CALL  mprotect(0x200000,0x1000,PROT_NONE)
   10   10 p        RET   mprotect 0
   10   10 p        CALL  obreak(0x1000000)
   10   10 p        RET   obreak 0
   10   10 p        CALL  obreak(0x1010000)
   10   10 p        RET   obreak 0
   10   10 p        CALL  mmap(0,0x1000,PROT_READ,0x1002<PRIVATE,ANONYMOUS>,0xffffffff,0,0)
   10   10 p        RET   mmap -1 errno 12 Cannot allocate memory
   10   10 p        CALL  fork
   10   10 p        RET   fork 11/0xb
   10   10 p        CALL  mremap(0x101000,0x1ff000,0,0x3ff000,0)
   10   10 p        RET   mremap 8388608/0x800000
   10   10 p        CALL  minherit(0x800000,0x3ff000,0x2)
   10   10 p        RET   minherit 0
   10   10 p        CALL  fork
   10   10 p        RET   fork 12/0xc
   12   12 p        CALL  fork
   12   12 p        RET   fork 13/0xd
`
	evs, c, _, _ := convertText(t, strings.TrimPrefix(log, "\n"), bsd.Options{})
	var forks []trace.Event
	for _, e := range evs {
		if e.Kind == trace.Fork {
			forks = append(forks, e)
		}
	}
	if len(forks) != 3 {
		t.Fatalf("%s", lines(evs))
	}
	// 2 MiB - 4 KiB mapped, + 64 KiB of heap.
	if v := forks[0].Snapshot.VirtBytes - base; v != 0x200000-0x1000+0x10000 {
		t.Errorf("first fork: %d bytes over the baseline", v)
	}
	// mremap grew the mapping to 4 MiB - 4 KiB.
	if v := forks[1].Snapshot.VirtBytes - base; v != 0x400000-0x1000+0x10000 {
		t.Errorf("second fork: %d bytes over the baseline", v)
	}
	// The grandchild's parent did not inherit the minherit(NONE) range.
	if v := forks[2].Snapshot.VirtBytes - base; v != 0x10000 {
		t.Errorf("third fork: %d bytes over the baseline", v)
	}
	if c.Stats.MemoryCalls != 6 || c.Stats.Minherit != 1 {
		t.Errorf("stats %+v", c.Stats)
	}
}

// Without thread ids, the calls of two threads of one process interleave:
// a CALL of another kind does not cancel the open one.
func TestInterleavedThreadsWithoutTIDs(t *testing.T) {
	log := `   10 p        CALL  mmap(0,0x100000,0x3,0x1002,0xffffffff,0)
   10 p        CALL  read(0x3,0x7fffffffe000,0x1000)
   10 p        RET   mmap 1048576/0x100000
   10 p        RET   read 16/0x10
   10 p        CALL  fork
   10 p        RET   fork 11/0xb
`
	evs, _, _, _ := convertText(t, log, bsd.Options{})
	if kinds(evs) != "10:mmap 10:fork>11" {
		t.Fatalf("%s", lines(evs))
	}
}
