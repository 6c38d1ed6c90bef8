package strace

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/decompress"
)

// grepCounts counts creations, execs and exits in a raw log with plain
// line matching, independently of the Reader: each call appears on exactly
// one line with its name and arguments (the complete line or the
// <unfinished ...> half), and each exec result on one line.
type grepCounts struct {
	spawn, thread, vfork, fork, execOK, execFail, plus int
}

var (
	execOKRe   = regexp.MustCompile(`(execve\(.*\)|<\.\.\. execve resumed>.*\)) += 0( <[0-9.]+>)?$`)
	execFailRe = regexp.MustCompile(`(execve\(.*\)|<\.\.\. execve resumed>.*\)) += -1 E[A-Z]+ `)
)

func grepLog(t *testing.T, name string) grepCounts {
	var g grepCounts
	sc := bufio.NewScanner(bytes.NewReader(readLog(t, name)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		isClone := strings.Contains(l, " clone(") || strings.Contains(l, " clone3({")
		switch {
		case isClone && strings.Contains(l, "CLONE_THREAD"):
			g.thread++
		case isClone && strings.Contains(l, "CLONE_VM") && strings.Contains(l, "CLONE_VFORK"):
			g.spawn++
		case strings.Contains(l, " vfork("):
			g.vfork++
		case isClone && !strings.Contains(l, "CLONE_VM"), strings.Contains(l, " fork("):
			g.fork++
		}
		if strings.Contains(l, "execve") {
			if execOKRe.MatchString(l) {
				g.execOK++
			} else if execFailRe.MatchString(l) {
				g.execFail++
			}
		}
		if strings.Contains(l, "+++ exited with ") || strings.Contains(l, "+++ killed by ") {
			g.plus++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestRealLogs converts logs recorded on a real machine (see
// testdata/real/README) and checks the counts against grepLog's.
func TestRealLogs(t *testing.T) {
	for _, name := range []string{"real/make.strace.gz", "real/gobuild.strace.zst"} {
		t.Run(name, func(t *testing.T) {
			g := grepLog(t, filepath.Join("testdata", name))
			out := filepath.Join(t.TempDir(), "t.arrow")
			st, err := ConvertFiles([]Input{{Name: filepath.Join("testdata", name)}}, out, Config{Strict: true, Progress: func(int64) {}})
			if err != nil {
				t.Fatal(err)
			}
			_, evs := tracetest.Read(t, out, nil)
			if err := checkInvariants(evs); err != nil {
				t.Fatal(err)
			}
			k := kindCounts(evs)
			check := func(what string, got, want int) {
				t.Helper()
				if got != want {
					t.Errorf("%s: converter %d, grep %d", what, got, want)
				}
			}
			check("spawn", k[trace.Spawn], g.spawn)
			check("thread", k[trace.Thread], g.thread)
			check("vfork", k[trace.VFork], g.vfork)
			check("fork", k[trace.Fork], g.fork)
			check("exec", k[trace.Exec], g.execOK)
			check("exec_failed", k[trace.ExecFailed], g.execFail)
			// Every thread ends with its own +++ line; the rest are processes.
			check("exit", k[trace.Exit], g.plus-g.thread)
			if st.NotExited != 0 || st.ForcedRelease != 0 || st.SyntaxErrors != 0 || st.Unfinished != 0 {
				t.Errorf("stats %+v", *st)
			}
			if st.MemoryCalls == 0 {
				t.Error("no memory calls applied")
			}
			// child_exec_ns is set exactly for the children that exec'd.
			execd := map[int32]int64{}
			for i := range evs {
				if evs[i].Kind == trace.Exec {
					if _, ok := execd[evs[i].PID]; !ok {
						execd[evs[i].PID] = evs[i].TimeNs
					}
				}
			}
			for i := range evs {
				e := &evs[i]
				if !e.Kind.IsCreation() {
					continue
				}
				if ex, ok := execd[e.ChildPID]; ok != e.HasChildExec || ok && ex != e.ChildExecNs {
					t.Errorf("child_exec_ns of %s, first exec at %d (%v)", formatEvent(e), ex, ok)
				}
			}
			t.Logf("%s; grep %+v", st, g)
		})
	}
}

// TestRealLogsSmallBlocks converts the real logs through the pipeline with
// read-ahead blocks of 64 bytes, so that nearly every line crosses a block,
// and checks the rows against the line-by-line conversion.
func TestRealLogsSmallBlocks(t *testing.T) {
	for _, name := range []string{"real/make.strace.gz", "real/gobuild.strace.zst"} {
		t.Run(name, func(t *testing.T) {
			open := func() io.Reader {
				f, err := os.Open(filepath.Join("testdata", name))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { f.Close() })
				in, done, err := decompress.Reader(f)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(done)
				return in
			}
			if evs := convertBoth(t, Options{}, 0, 64, open); len(evs) < 100 {
				t.Fatalf("only %d rows from a real log", len(evs))
			}
		})
	}
}
