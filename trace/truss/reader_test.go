package truss

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestLineShapes(t *testing.T) {
	cases := []struct {
		line   string
		pid    int32
		hasPID bool
		typ    bsd.Type
		check  func(r *bsd.Record) bool
	}{
		{"  739: stat(\"/root/.clint/plugins\",0xbfbfe680) ERR#2 'No such file or directory'", 739, true, bsd.Syscall,
			func(r *bsd.Record) bool { return r.Ret == bsd.RetError && r.Errno == 2 && string(r.Name) == "stat" }},
		{"34233: openat(AT_FDCWD,\"/dev/urandom\",O_RDONLY,00) = 24 (0x18)", 34233, true, bsd.Syscall,
			func(r *bsd.Record) bool { return r.Ret == bsd.RetValue && r.RetVal == 24 }},
		{"34233: SIGNAL 20 (SIGCHLD) code=CLD_EXITED pid=34234 uid=1001 status=0", 34233, true, bsd.Psig,
			func(r *bsd.Record) bool {
				return r.Signal == 20 && string(r.SigName) == "SIGCHLD" && strings.HasPrefix(string(r.Info), "code=")
			}},
		{"34233: process exit, rval = 3", 34233, true, bsd.ProcExit,
			func(r *bsd.Record) bool { return r.Status == 3 && !r.Killed }},
		{"34233: process killed, signal = 11 (core dumped)", 34233, true, bsd.ProcExit,
			func(r *bsd.Record) bool { return r.Killed && r.Signal == 11 && r.CoreDumped }},
		{"34233: <new process>", 34233, true, bsd.NewProc, nil},
		{"34233 100234: <new thread 100235>", 34233, true, bsd.NewThread,
			func(r *bsd.Record) bool { return r.TID == 100235 }},
		{"34233: <thread 100235 exited>", 34233, true, bsd.ThreadExit, nil},
		{"100235: getpid()\t\t\t\t\t\t = 34233 (0x85b9)", 0, false, bsd.Syscall,
			func(r *bsd.Record) bool { return r.HasTID && r.TID == 100235 }},
		{"fork()\t\t\t\t\t\t = 1235 (0x4d3)", 0, false, bsd.Syscall,
			func(r *bsd.Record) bool { return r.RetVal == 1235 && string(r.Name) == "fork" }},
		{"34233: 0.000123456 execve(\"/bin/ls\",[ \"ls\", \"-l\" ],0x7fffffffe6d8) EJUSTRETURN", 34233, true, bsd.Syscall,
			func(r *bsd.Record) bool { return r.Ret == bsd.RetJustReturn && r.HasTime && r.Time == 123456 }},
		{"34233: 1.000000000 0.000001000 exit(0x0)\t\t", 34233, true, bsd.Syscall,
			func(r *bsd.Record) bool { return r.Ret == bsd.RetNone && r.Time == 1e9 }},
		{"34233: execve(\"/bin/a)b\",0x1,0x2) ERR#-2 'Unknown error: -2'", 34233, true, bsd.Syscall,
			func(r *bsd.Record) bool {
				return r.Ret == bsd.RetJustReturn && string(r.Args) == "\"/bin/a)b\",0x1,0x2"
			}},
	}
	for _, c := range cases {
		recs, errs, err := ReadAll(strings.NewReader(c.line+"\n"), "x")
		if err != nil || len(errs) != 0 || len(recs) != 1 {
			t.Errorf("%q: %v %v %v", c.line, recs, errs, err)
			continue
		}
		r := &recs[0]
		if r.PID != c.pid || r.HasPID != c.hasPID || r.Type != c.typ || c.check != nil && !c.check(r) {
			t.Errorf("%q: got %s", c.line, r)
		}
	}
}

func TestSyntaxErrorFileLine(t *testing.T) {
	text := "  100: fork() = 101 (0x65)\n  100: this is not truss\n  100: read(0,0x1,0x10) = what\n  100: process exit, rval = 0\n"
	recs, errs, _ := ReadAll(strings.NewReader(text), "run.truss")
	if len(recs) != 2 || len(errs) != 2 || errs[0].Line != 2 || errs[1].Line != 3 || errs[0].File != "run.truss" {
		t.Fatalf("records %v errors %v", recs, errs)
	}
	if !strings.HasPrefix(errs[0].Error(), "run.truss:2: ") {
		t.Errorf("%q", errs[0].Error())
	}
}

func TestGuess(t *testing.T) {
	cases := map[string]string{
		"truss_f.txt": "none", "truss_f_d.txt": "elapsed", "truss_f_D.txt": "duration",
		"truss_f_d_D.txt": "elapsed", "truss_f_H_d.txt": "elapsed", "truss_nof.txt": "none",
		"pub_truss_lines.txt": "none",
	}
	for name, want := range cases {
		_, _, rd, _ := convert(t, name, bsd.Options{})
		if rd.TimeForm().String() != want {
			t.Errorf("%s: %s, want %s", name, rd.TimeForm(), want)
		}
	}
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			evs, c, _, errs := convert(t, name, bsd.Options{})
			if len(errs) != 0 {
				t.Fatal(errs)
			}
			if err := bsd.CheckInvariants(evs, true); err != nil {
				t.Fatal(err)
			}
			if c.Held() != 0 {
				t.Fatalf("%d rows held", c.Held())
			}
			got := lines(evs)
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".txt")+".golden")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				os.WriteFile(golden, []byte(got), 0o644)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("differs from %s:\ngot:\n%s", golden, got)
			}
		})
	}
}

func TestLinking(t *testing.T) {
	// The child's lines come before the parent's fork line, which truss
	// prints when fork returns; the creation row goes where the child
	// appeared.
	log := `  10: 0.000000000 getpid()				 = 10 (0xa)
  11: 0.000050000 <new process>
  11: 0.000060000 execve("/bin/ls",[ "ls" ],0x1) EJUSTRETURN
  10: 0.000100000 vfork()				 = 11 (0xb)
  11: 0.000200000 process exit, rval = 0
  10: 0.000300000 SIGNAL 20 (SIGCHLD) code=CLD_EXITED pid=11 uid=0 status=0
  10: 0.000400000 process exit, rval = 0
`
	evs, _, _, errs := convertText(t, log, bsd.Options{})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want := []string{
		"50000 pid=10 vfork child=11",
		"60000 pid=11 ppid=10 exec comm=\"ls\" path=\"/bin/ls\" argv=[\"ls\"]",
		"200000 pid=11 ppid=10 exit comm=\"ls\" status=0",
		"300000 pid=10 signal sig=20",
		"400000 pid=10 exit status=0",
	}
	if len(evs) != len(want) {
		t.Fatalf("%s", lines(evs))
	}
	for i, w := range want {
		if got := bsd.FormatEvent(&evs[i]); !strings.HasPrefix(got, w) {
			t.Errorf("row %d: %s, want %s...", i, got, w)
		}
	}
	if !evs[0].HasChildExec || evs[0].ChildExecNs != 60000 || evs[0].Kind != trace.VFork {
		t.Errorf("%s", bsd.FormatEvent(&evs[0]))
	}
	if err := bsd.CheckInvariants(evs, true); err != nil {
		t.Error(err)
	}
}

// A process whose "process exit" line is missing exits at its exit call.
func TestExitFallback(t *testing.T) {
	evs, c, _, _ := convertText(t, "  10: exit(0x4)\t\t\n", bsd.Options{})
	if len(evs) != 1 || evs[0].Kind != trace.Exit || evs[0].ExitStatus != 4 || c.Stats.ExitFallbacks != 1 {
		t.Fatalf("%s", lines(evs))
	}
}
