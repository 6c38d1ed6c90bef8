package main

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

// TestTreeGolden: the tree of the real recorded build, as text (ASCII, no
// colours: stdout is not a terminal) and collapsed, the small trace's
// JSON, and a real make's strace log (a copy of
// trace/strace/testdata/real/make.strace.gz) with command lines.
func TestTreeGolden(t *testing.T) {
	inTempDir(t)
	for _, c := range []struct {
		golden string
		args   []string
	}{
		{"tree-dietlibc.text", []string{"tree", "embedded:dietlibc-build.arrow"}},
		{"tree-dietlibc-collapsed.text", []string{"tree", "-v", "--min-saved", "1ms", "--depth", "2", "embedded:dietlibc-build.arrow"}},
		{"tree-small.json", []string{"tree", "--format", "json", "small.arrow"}},
		// A raw strace log of a real make, converted on the fly.
		{"tree-make-strace.text", []string{"tree", "-v", "testdata/make.strace.gz"}},
	} {
		out, errs, code := runCLI(t, c.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		golden(t, c.golden, out)
	}
}

// TestTreeRootIsReplay: the JSON root's creations, eligible creations and
// saving are replay's for the same trace, machine and filters.
func TestTreeRootIsReplay(t *testing.T) {
	inTempDir(t)
	for _, trace := range []string{"small.arrow", "testdata/make.strace.gz", "embedded:dietlibc-build.arrow", "embedded:libc-build.arrow"} {
		for _, filters := range [][]string{nil, {"--comm", "gcc"}, {"--kind", "spawn,fork"}, {"--since", "5s", "--until", "20s"}, {"--min-parent-mib", "2"}} {
			machines := []string{"ppro200"}
			if filters == nil {
				machines = append(machines, "zen4")
			}
			for _, machine := range machines {
				args := append([]string{"--machine", machine}, filters...)
				args = append(args, trace)
				rout, errs, code := runCLI(t, append([]string{"replay", "--format", "json", "--mc-draws", "0"}, args...)...)
				if code != 0 {
					t.Fatalf("replay %v: exit %d: %s", args, code, errs)
				}
				tout, errs, code := runCLI(t, append([]string{"tree", "--format", "json"}, args...)...)
				if code != 0 {
					t.Fatalf("tree %v: exit %d: %s", args, code, errs)
				}
				var rep struct {
					Trace struct {
						Creations, Eligible int64
					}
					Machines []struct {
						SavedS float64 `json:"saved_s"`
					}
				}
				var root struct {
					Creations, Eligible int64
					SavedS              float64 `json:"saved_s"`
				}
				if err := json.Unmarshal([]byte(rout), &rep); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal([]byte(tout), &root); err != nil {
					t.Fatal(err)
				}
				want := rep.Machines[0].SavedS
				if root.Creations != rep.Trace.Creations || root.Eligible != rep.Trace.Eligible || math.Abs(root.SavedS-want) > 1e-9*math.Abs(want) {
					t.Errorf("%v: tree root %d creations, %d eligible, %v s; replay %d, %d, %v s", args,
						root.Creations, root.Eligible, root.SavedS, rep.Trace.Creations, rep.Trace.Eligible, want)
				}
			}
		}
	}
}

// TestTreeTerminal: box-drawing characters and colours with --color
// always (as on a terminal), none with never.
func TestTreeTerminal(t *testing.T) {
	out, _, code := runCLI(t, "tree", "--color", "always", "embedded:libc-build.arrow")
	if code != 0 || !strings.Contains(out, "├─ ") || !strings.Contains(out, "\033[1m") {
		t.Errorf("--color always: exit %d, no box drawing or colour:\n%.600s", code, out)
	}
	out, _, _ = runCLI(t, "tree", "--color", "never", "embedded:libc-build.arrow")
	if strings.Contains(out, "├") || strings.Contains(out, "\033[") {
		t.Errorf("--color never: box drawing or colour:\n%.600s", out)
	}
	for _, args := range [][]string{{"tree"}, {"tree", "a", "b"}, {"tree", "--min-saved", "soon", "x"}, {"tree", "--machine", "ppro200,zen4", "x"}, {"tree", "--depth", "-1", "x"}} {
		if _, errs, code := runCLI(t, args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, want a usage error: %s", args, code, errs)
		}
	}
}

// TestTreeBadInput: a trace that cannot be read is one line naming it,
// not "bad.txt: bad.txt: ...", exit 1.
func TestTreeBadInput(t *testing.T) {
	inTempDir(t)
	os.WriteFile("bad.txt", []byte("Dear reader,\nthis is not a trace.\n"), 0o644)
	for _, name := range []string{"bad.txt", "missing.arrow"} {
		_, errs, code := runCLI(t, "tree", name)
		if code != 1 || !strings.Contains(errs, name) || strings.Contains(errs, name+": "+name) || strings.Count(errs, "\n") != 1 {
			t.Errorf("tree %s: exit %d: %q", name, code, errs)
		}
	}
}
