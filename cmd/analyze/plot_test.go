package main

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/trace"
)

// TestMain points the demo's figures at a temporary directory, so that
// tests running 'analyze' without arguments leave nothing in the source
// tree.
func TestMain(m *testing.M) {
	if os.Getenv("FORKCOST_RUN_ANALYZE") == "1" {
		main() // the test binary as analyze itself (signals_test.go)
	}
	dir, err := os.MkdirTemp("", "forkcost-demo")
	if err != nil {
		panic(err)
	}
	demoFigureDir = filepath.Join(dir, "forkcost-figures")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// allFigureNames are the base names plot writes for the default machines.
var allFigureNames = []string{"savings-vs-size", "cost-vs-size-ppro200", "cost-vs-size-zen4", "cumulative",
	"breakdown", "machines", "size-cdf", "sensitivity-ppro200", "sensitivity-zen4", "timeline-ppro200", "timeline-zen4"}

func TestPlotWritesEveryFigure(t *testing.T) {
	inTempDir(t)
	args := []string{"plot", "--out", "figs", "--format", "svg,pdf,png", "small.arrow"}
	out, errs, code := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasSuffix(out, "wrote 11 figures (44 files) to figs\n") {
		t.Errorf("stdout does not end with the count:\n%s", out)
	}
	first := map[string][]byte{}
	for _, name := range allFigureNames {
		for _, ext := range []string{"svg", "pdf", "png", "csv"} {
			p := filepath.Join("figs", name+"."+ext)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("missing %s", p)
				continue
			}
			first[p] = data
		}
	}
	csv := string(first[filepath.Join("figs", "machines.csv")])
	for _, want := range []string{"# figure machines: ", "# forkcost " + version.Tool + ", model " + version.Model, "# trace small.arrow: testdata/small.jsonl",
		"# machine zen4: profile builtin:zen4.toml sha256:", "# command: analyze plot --out figs --format svg,pdf,png small.arrow", "machine,versus,native,saved_s"} {
		if !strings.Contains(csv, want) {
			t.Errorf("machines.csv lacks %q:\n%s", want, csv)
		}
	}
	entries, _ := os.ReadDir("figs")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	// The same command again gives the same bytes, in every format.
	if _, errs, code := runCLI(t, args...); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errs)
	}
	for p, want := range first {
		got, _ := os.ReadFile(p)
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs between two runs", p)
		}
	}
}

func TestPlotFigureWidthAndOverrides(t *testing.T) {
	inTempDir(t)
	_, errs, code := runCLI(t, "plot", "--out", "wide", "--figure", "cumulative,sensitivity", "--format", "png",
		"--width", "7in", "--machine", "zen4", "--set", "zen4.soft_fault_ns=1500", "small.arrow")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	entries, _ := os.ReadDir("wide")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "cumulative.csv cumulative.png sensitivity-zen4.csv sensitivity-zen4.png" {
		t.Errorf("wrote %s", got)
	}
	f, err := os.Open(filepath.Join("wide", "cumulative.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w != 7*plots.PNGDPI {
		t.Errorf("--width 7in: %d px wide, want %d", w, 7*plots.PNGDPI)
	}
	csv, _ := os.ReadFile(filepath.Join("wide", "sensitivity-zen4.csv"))
	if !strings.Contains(string(csv), "overrides soft_fault_ns=1500") || !strings.Contains(string(csv), "soft_fault_ns,1500,750,3000,") {
		t.Errorf("sensitivity CSV does not carry the override:\n%s", csv)
	}
}

func TestPlotUsageErrors(t *testing.T) {
	inTempDir(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plot", "--figure", "pie", "small.arrow"}, `unknown figure "pie"`},
		{[]string{"plot", "--format", "gif", "small.arrow"}, `--format "gif"`},
		{[]string{"plot", "--width", "3.3", "small.arrow"}, "give a unit"},
		{[]string{"plot", "--width", "0.2in", "small.arrow"}, "between 1.5in and 20in"},
		{[]string{"plot", "--machine", "vax", "small.arrow"}, `unknown machine "vax"`},
		{[]string{"plot"}, "no TRACE"},
	} {
		_, errs, code := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) || !oneLineUsage(errs) {
			t.Errorf("analyze %v: exit %d, stderr %q; want exit 2, %q on one line and the pointer to --help", c.args, code, firstLines(errs), c.want)
		}
	}
}

// writeNoEligible writes a trace whose only creation is not eligible: the
// child creates a process before it execs.
func writeNoEligible(t *testing.T, path string) {
	t.Helper()
	snap := trace.Snapshot{VirtBytes: 4 << 20, WritableBytes: 2 << 20, ResidentBytes: 1 << 20, WritableResidentBytes: 1 << 19, MapEntries: 10, PageSize: 4096, Source: trace.Recorded}
	tracetest.Write(t, path, trace.Meta{Source: "test", SourceOS: "linux", Origin: "no eligible creation"}, []trace.Event{
		{TimeNs: 1, PID: 100, Kind: trace.Fork, ChildPID: 101, Comm: "make", Snapshot: snap, HasSnapshot: true},
		{TimeNs: 2, PID: 101, PPID: 100, Kind: trace.Fork, ChildPID: 102, Comm: "make", Snapshot: snap, HasSnapshot: true},
		{TimeNs: 3, PID: 101, PPID: 100, Kind: trace.Exit, Comm: "make"},
	})
}

func TestPlotWithoutEligibleCreations(t *testing.T) {
	inTempDir(t)
	writeNoEligible(t, "none.arrow")
	// By default: every figure that needs creations is skipped with a
	// reason, the model's curves are still drawn.
	out, errs, code := runCLI(t, "plot", "--out", "none", "--format", "svg", "none.arrow")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "skipped cumulative: nothing to plot: no eligible creation with sizes in the traces") {
		t.Errorf("stderr does not say why cumulative was skipped:\n%s", errs)
	}
	if !strings.Contains(out, "cost-vs-size-zen4") {
		t.Errorf("cost-vs-size not drawn:\n%s", out)
	}
	// Asked for by name, a figure that cannot be drawn is an error.
	_, errs, code = runCLI(t, "plot", "--out", "none", "--figure", "cumulative", "none.arrow")
	if code != 1 || !strings.Contains(errs, "no eligible creation") {
		t.Errorf("--figure cumulative on no eligible creations: exit %d, %q", code, errs)
	}
}

func TestDemoWritesFigures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "forkcost-figures")
	out := runDemoInto(t, dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "forkcost: what sharing vfork saves") {
		t.Errorf("the headline is no longer first: %q", lines[0])
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "figures: 9 SVG figures") || !strings.Contains(last, dir+string(filepath.Separator)) {
		t.Errorf("last line does not name the figures' directory: %q", last)
	}
	for _, name := range allFigureNames {
		if strings.HasPrefix(name, "timeline-") {
			continue // the demo draws every figure but the timeline
		}
		for _, ext := range []string{"svg", "csv"} {
			if _, err := os.Stat(filepath.Join(dir, name+"."+ext)); err != nil {
				t.Error(err)
			}
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "cumulative.svg"))
	if !bytes.Contains(svg, []byte("trace "+defaulttrace.Default.Name+": ")) {
		t.Errorf("cumulative.svg metadata does not name the default embedded trace")
	}
}

// TestDocsFiguresUpToDate reruns the commands docs/figures.md gives and
// compares every file with the committed one.
func TestDocsFiguresUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("draws every figure of two traces in two formats")
	}
	docs, err := filepath.Abs(filepath.Join("..", "..", "docs"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(docs, "figures.md"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	for _, c := range []struct{ cmd, dir string }{
		{"go run ./cmd/analyze plot --format svg,png --out docs/figures embedded:dietlibc-build.arrow", "figures"},
		{"go run ./cmd/analyze plot --format svg,png --out docs/figures/libc-build embedded:libc-build.arrow", filepath.Join("figures", "libc-build")},
	} {
		if !strings.Contains(string(doc), c.cmd) {
			t.Fatalf("docs/figures.md no longer gives the command %q: update this test", c.cmd)
		}
		args := strings.Fields(strings.TrimPrefix(c.cmd, "go run ./cmd/analyze "))
		if _, errs, code := runCLI(t, args...); code != 0 {
			t.Fatalf("%s: exit %d: %s", c.cmd, code, errs)
		}
		made, _ := os.ReadDir(filepath.Join("docs", c.dir))
		var stale []string
		files := 0
		for _, e := range made {
			if e.IsDir() {
				continue
			}
			files++
			got, _ := os.ReadFile(filepath.Join("docs", c.dir, e.Name()))
			want, err := os.ReadFile(filepath.Join(docs, c.dir, e.Name()))
			if err != nil || !bytes.Equal(got, want) {
				stale = append(stale, e.Name())
			}
		}
		have, _ := os.ReadDir(filepath.Join(docs, c.dir))
		committed := 0
		for _, e := range have {
			if !e.IsDir() {
				committed++
			}
		}
		if files != committed {
			t.Errorf("%s makes %d files, docs/%s holds %d", c.cmd, files, c.dir, committed)
		}
		if len(stale) > 0 {
			t.Errorf("docs/%s is stale (%s): rerun, from the repository root,\n\t%s", c.dir, strings.Join(stale, " "), c.cmd)
		}
	}
}

// lastCumulative reads each machine's last running total from a
// cumulative.csv.
func lastCumulative(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(l, "#") || strings.HasPrefix(l, "machine,") {
			continue
		}
		f := strings.Split(l, ",")
		last[f[0]] = f[2]
	}
	return last
}

func TestPlotSeveralTraces(t *testing.T) {
	inTempDir(t)
	data, _ := os.ReadFile("small.arrow")
	os.WriteFile("again.arrow", data, 0o644)
	for _, c := range []struct {
		out   string
		paths []string
	}{{"one", []string{"small.arrow"}}, {"two", []string{"small.arrow", "again.arrow"}}} {
		args := append([]string{"plot", "--figure", "cumulative", "--format", "svg", "--out", c.out}, c.paths...)
		if _, errs, code := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
	}
	one, two := lastCumulative(t, filepath.Join("one", "cumulative.csv")), lastCumulative(t, filepath.Join("two", "cumulative.csv"))
	for m, v := range one {
		var a, b float64
		if _, err := fmt.Sscan(v, &a); err != nil {
			t.Fatal(err)
		}
		fmt.Sscan(two[m], &b)
		if a <= 0 || math.Abs(b-2*a) > 1e-9*b {
			t.Errorf("%s: one trace saves %v s, the same trace twice %v s", m, a, b)
		}
	}
	csv, _ := os.ReadFile(filepath.Join("two", "cumulative.csv"))
	if !strings.Contains(string(csv), "# trace again.arrow: ") {
		t.Errorf("the second trace is not in the provenance:\n%s", csv)
	}
}

// A --set range makes one machine per value: the figures name each
// variant (the machines figure by its value, under an axis label naming
// the machine and parameter), in file names kept to safe characters.
func TestPlotMachineVariants(t *testing.T) {
	inTempDir(t)
	_, errs, code := runCLI(t, "plot", "--machine", "ppro200", "--set", "ppro200.tlb_flush_ns=100:1600:x2",
		"--figure", "machines,cost-vs-size", "--format", "svg", "--out", "v", "small.arrow")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	svg, err := os.ReadFile(filepath.Join("v", "machines.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte(">ppro200, tlb_flush_ns<")) {
		t.Errorf("machines.svg does not say what its variants vary")
	}
	for _, v := range []string{"100", "200", "400", "800", "1600"} {
		if !bytes.Contains(svg, []byte(">"+v+"<")) {
			t.Errorf("machines.svg does not label the variant tlb_flush_ns=%s", v)
		}
		if _, err := os.Stat(filepath.Join("v", "cost-vs-size-ppro200_tlb_flush_ns_"+v+"_.svg")); err != nil {
			t.Error(err)
		}
	}
}

// plot takes replay's filters, and its provenance names them.
func TestPlotFilters(t *testing.T) {
	inTempDir(t)
	_, errs, code := runCLI(t, "plot", "--figure", "machines", "--format", "svg", "--comm", "make", "--out", "f", "small.arrow")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	csv, _ := os.ReadFile(filepath.Join("f", "machines.csv"))
	if !strings.Contains(string(csv), "# filters: ") {
		t.Errorf("machines.csv does not name the filters:\n%s", csv)
	}
	if _, errs, code := runCLI(t, "plot", "--since", "yesterday-ish", "small.arrow"); code != 2 || !strings.Contains(errs, "--since") {
		t.Errorf("bad --since: exit %d, %q", code, firstLines(errs))
	}
}
