package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
)

// writeForks writes a trace of n fork+exec+exit rounds from one 8 MiB
// parent: every creation is eligible and costs the same, so that savings
// are exactly proportional to n.
func writeForks(t testing.TB, path string, n int) {
	t.Helper()
	snap := trace.Snapshot{VirtBytes: 32 << 20, WritableBytes: 16 << 20, ResidentBytes: 8 << 20, WritableResidentBytes: 4 << 20,
		AnonResidentBytes: 4 << 20, PageTableBytes: 64 << 10, MapEntries: 40, ParentThreads: 1, PageSize: 4096, Source: trace.Recorded}
	tracetest.WriteSeq(t, path, trace.Meta{Source: "test", SourceOS: "linux", Origin: fmt.Sprintf("%d forks", n)},
		tracetest.ForkExecExit(n, func(int) trace.Snapshot { return snap }))
}

type compareJSON struct {
	Rows []struct {
		Metric  string
		Machine string
		A, B    struct {
			N      int
			Median float64
		}
		Delta *float64
		Test  *struct {
			P     float64
			Exact bool
		}
		Significant bool
	}
}

func runCompareJSON(t *testing.T, args ...string) compareJSON {
	t.Helper()
	out, errs, code := runCLI(t, append([]string{"compare", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var c compareJSON
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCompareKnownDifference: B has twice A's creations, all alike, so
// every count, total and saving doubles (+100%) and the parent size does
// not change.
func TestCompareKnownDifference(t *testing.T) {
	inTempDir(t)
	writeForks(t, "a.arrow", 10)
	writeForks(t, "b.arrow", 20)
	c := runCompareJSON(t, "a.arrow", "b.arrow")
	if len(c.Rows) != 3+3*2 {
		t.Fatalf("%d rows", len(c.Rows))
	}
	for _, r := range c.Rows {
		want := 1.0
		if r.Metric == "mean parent resident" {
			want = 0
			if r.A.Median != 8 {
				t.Errorf("mean parent resident %v MiB, want 8", r.A.Median)
			}
		}
		if r.Delta == nil || math.Abs(*r.Delta-want) > 1e-9 {
			t.Errorf("%s %s: delta %v, want %v", r.Metric, r.Machine, r.Delta, want)
		}
		if r.Test != nil {
			t.Errorf("%s: a test with one trace per side", r.Metric)
		}
	}
}

// TestCompareSets: five traces a side, A with 10..14 creations and B with
// 20..24, fully separated: the exact test gives p = 2/252 on the savings
// and the delta of the medians is (22-12)/12. The parent size is the same
// in every trace: all ties, p = 1, not significant.
func TestCompareSets(t *testing.T) {
	inTempDir(t)
	var args []string
	for i := 0; i < 5; i++ {
		writeForks(t, fmt.Sprintf("a%d.arrow", i), 10+i)
		args = append(args, fmt.Sprintf("a%d.arrow", i))
	}
	args = append(args, "vs")
	for i := 0; i < 5; i++ {
		writeForks(t, fmt.Sprintf("b%d.arrow", i), 20+i)
		args = append(args, fmt.Sprintf("b%d.arrow", i))
	}
	c := runCompareJSON(t, args...)
	for _, r := range c.Rows {
		if r.A.N != 5 || r.B.N != 5 || r.Test == nil {
			t.Fatalf("%s: n=%d+%d test %v", r.Metric, r.A.N, r.B.N, r.Test)
		}
		if r.Metric == "mean parent resident" {
			if r.Significant || r.Test.P != 1 {
				t.Errorf("equal parent sizes: p=%v significant=%v", r.Test.P, r.Significant)
			}
			continue
		}
		if math.Abs(r.Test.P-2.0/252) > 1e-12 || !r.Test.Exact || !r.Significant {
			t.Errorf("%s %s: p=%v exact=%v significant=%v, want exact p=2/252", r.Metric, r.Machine, r.Test.P, r.Test.Exact, r.Significant)
		}
		if math.Abs(*r.Delta-10.0/12) > 1e-9 {
			t.Errorf("%s %s: delta %v, want 10/12", r.Metric, r.Machine, *r.Delta)
		}
	}
	// Two traces a side can never be significant: the output says so.
	out, _, code := runCLI(t, "compare", "a0.arrow", "a1.arrow", "vs", "b0.arrow", "b1.arrow")
	if code != 0 || !strings.Contains(out, "smallest p the test can give is 0.333") || !strings.Contains(out, " ~ ") {
		t.Errorf("n=2+2:\n%s", out)
	}
}

func TestCompareGolden(t *testing.T) {
	inTempDir(t)
	var args []string
	for i := 0; i < 4; i++ {
		writeForks(t, fmt.Sprintf("a%d.arrow", i), 10+i)
		writeForks(t, fmt.Sprintf("b%d.arrow", i), 13+2*i)
	}
	for i := 0; i < 4; i++ {
		args = append(args, fmt.Sprintf("a%d.arrow", i))
	}
	args = append(args, "vs")
	for i := 0; i < 4; i++ {
		args = append(args, fmt.Sprintf("b%d.arrow", i))
	}
	for _, f := range []string{"text", "markdown", "latex", "csv"} {
		out, errs, code := runCLI(t, append([]string{"compare", "--format", f}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errs)
		}
		golden(t, "compare-sets."+f, out)
	}
	out, errs, code := runCLI(t, "compare", "--format", "latex", "--machine", "zen4", "a0.arrow", "b3.arrow")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "compare-pair.latex", out)
}

func TestCompareUsage(t *testing.T) {
	inTempDir(t)
	for _, args := range [][]string{
		{"small.arrow"},
		{"small.arrow", "small.arrow", "small.arrow"},
		{"vs", "small.arrow"},
		{"small.arrow", "vs", "small.arrow", "vs", "small.arrow"},
		{"--alpha", "1.5", "small.arrow", "small.arrow"},
	} {
		if _, errs, code := runCLI(t, append([]string{"compare"}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errs)
		}
	}
}

// TestTablesGolden: replay and machines show as LaTeX and markdown, and
// the formats the other commands gained with report.Generate.
func TestTablesGolden(t *testing.T) {
	inTempDir(t)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"replay-small.latex", []string{"replay", "--format", "latex", "small.arrow"}},
		{"replay-small-filtered.latex", []string{"replay", "--format", "latex", "--kind", "fork", "--comm", "make", "small.arrow"}},
		{"replay-small-filtered.markdown", []string{"replay", "--format", "markdown", "--kind", "fork", "--comm", "make", "small.arrow"}},
		{"machines-show-ppro200.latex", []string{"machines", "show", "ppro200", "--format", "latex"}},
		{"machines-show-zen4.markdown", []string{"machines", "show", "zen4", "--format", "markdown", "--set", "zen4.syscall_ns=200"}},
		{"machines-list.markdown", []string{"machines", "--format", "markdown"}},
		{"machines-diff-small.csv", []string{"machines", "diff", "ppro200", "zen4", "small.arrow", "--format", "csv"}},
		{"explain-zen4.csv", []string{"explain", "--machine", "zen4", "--resident-mib", "64", "--format", "csv"}},
		{"tree-small.latex", []string{"tree", "small.arrow", "--format", "latex"}},
		{"dump-small.markdown", []string{"dump", "small.arrow", "--limit", "4", "--format", "markdown"}},
		{"dump-small.text", []string{"dump", "small.arrow", "--limit", "4", "--format", "text"}},
	} {
		out, errs, code := runCLI(t, c.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		golden(t, c.name, out)
	}
}
