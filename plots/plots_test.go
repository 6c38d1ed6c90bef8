package plots_test

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"rsc.io/pdf"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/synth"
	"github.com/forkcost/forkcost/trace"
)

func TestGolden(t *testing.T) {
	for _, c := range []struct {
		example func()
		names   []string
	}{
		{ExampleSavingsVsSize, []string{"savings-vs-size"}},
		{ExampleCostVsSize, []string{"cost-vs-size-ppro200", "cost-vs-size-zen4"}},
		{ExampleCumulative, []string{"cumulative"}},
		{ExampleBreakdown, []string{"breakdown"}},
		{ExampleMachineSavings, []string{"machines"}},
		{ExampleSizeCDF, []string{"size-cdf"}},
		{ExampleSensitivity, []string{"sensitivity-ppro200", "sensitivity-zen4"}},
		{ExampleTimeline, []string{"timeline-ppro200", "timeline-zen4"}},
		{ExamplePredictedVsObserved, []string{"predicted-vs-observed", "predicted-vs-measured"}},
		{ExampleResidualsVsSize, []string{"residuals-vs-size", "residuals-vs-size-creations"}},
	} {
		ran := false
		for _, name := range c.names {
			t.Run(name, func(t *testing.T) {
				ex := c.example
				if ran {
					ex = func() {} // one run writes all of its figures
				}
				ran = true
				checkGolden(t, ex, name)
			})
		}
	}
}

// render draws every figure of a fresh replay of the small trace in format.
func renderAll(t *testing.T, format string) map[string][]byte {
	t.Helper()
	d := smallData()
	figs, skipped := plots.Make(d, plots.Kinds, st)
	if len(skipped) > 0 {
		t.Fatal(skipped)
	}
	prov := plots.ProvenanceOf(d.Summary(), "test")
	out := map[string][]byte{}
	for _, f := range figs {
		var buf bytes.Buffer
		if err := f.Render(&buf, format, st, prov); err != nil {
			t.Fatalf("%s.%s: %v", f.Name(), format, err)
		}
		out[f.Name()] = buf.Bytes()
		var cbuf bytes.Buffer
		if err := f.WriteCSV(&cbuf, prov); err != nil {
			t.Fatal(err)
		}
		out[f.Name()+".csv"] = cbuf.Bytes()
	}
	return out
}

func TestReproducibleAndValid(t *testing.T) {
	for _, format := range plots.Formats {
		t.Run(format, func(t *testing.T) {
			a, b := renderAll(t, format), renderAll(t, format)
			if len(a) != 22 {
				t.Errorf("%d outputs, want 11 figures and 11 CSVs", len(a))
			}
			for name, got := range a {
				if !bytes.Equal(got, b[name]) {
					t.Errorf("%s.%s: two runs gave different bytes", name, format)
				}
				if strings.HasSuffix(name, ".csv") {
					continue
				}
				switch format {
				case "pdf":
					if !bytes.HasPrefix(got, []byte("%PDF-")) || !bytes.Contains(got[len(got)-16:], []byte("%%EOF")) {
						t.Errorf("%s.pdf: not a complete PDF", name)
					}
					if bytes.Contains(got, []byte("/CreationDate")) && !bytes.Contains(got, []byte("D:1970")) {
						t.Errorf("%s.pdf: creation date is not fixed", name)
					}
					// A PDF reader finds one page and the provenance in the
					// document information.
					r, err := pdf.NewReader(bytes.NewReader(got), int64(len(got)))
					if err != nil {
						t.Errorf("%s.pdf: %v", name, err)
						continue
					}
					if n := r.NumPage(); n != 1 {
						t.Errorf("%s.pdf: %d pages", name, n)
					}
					info := r.Trailer().Key("Info")
					if info.Key("Title").Text() != name || !strings.Contains(info.Key("Keywords").Text(), "machine ppro200: profile testdata/ppro200.toml sha256:") {
						t.Errorf("%s.pdf: document information lacks the provenance: %v", name, info)
					}
				case "png":
					img, err := png.Decode(bytes.NewReader(got))
					if err != nil {
						t.Errorf("%s.png: %v", name, err)
						continue
					}
					if w := img.Bounds().Dx(); w != int(math.Round(3.3*plots.PNGDPI)) {
						t.Errorf("%s.png: %d pixels wide, want 3.3 in at %d dpi", name, w, plots.PNGDPI)
					}
					if !bytes.Contains(got, []byte("tEXtDescription")) || !bytes.Contains(got, []byte("model "+version.Model)) {
						t.Errorf("%s.png: no provenance text chunk", name)
					}
				case "svg":
					dec := xml.NewDecoder(bytes.NewReader(got))
					for {
						_, err := dec.Token()
						if err == io.EOF {
							break
						}
						if err != nil {
							t.Errorf("%s.svg: not well-formed XML: %v", name, err)
							break
						}
					}
					for _, want := range []string{`<metadata id="forkcost-provenance">`, "forkcost " + version.Tool + ", model " + version.Model, "trace testdata:libc-build-12.arrow: synth libc-build", "machine ppro200: profile testdata/ppro200.toml sha256:", "command: test"} {
						if !bytes.Contains(got, []byte(want)) {
							t.Errorf("%s.svg: metadata lacks %q", name, want)
						}
					}
				}
			}
		})
	}
}

// readCSV parses a figure's CSV: the '#' header lines, and the records.
func readCSV(t *testing.T, f *plots.Figure) (header []string, recs [][]string) {
	t.Helper()
	var buf bytes.Buffer
	if err := f.WriteCSV(&buf, plots.Provenance{"prov line"}); err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	for _, l := range strings.SplitAfter(buf.String(), "\n") {
		if strings.HasPrefix(l, "# ") {
			header = append(header, strings.TrimSpace(l[2:]))
		} else {
			body.WriteString(l)
		}
	}
	recs, err := csv.NewReader(strings.NewReader(body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return header, recs
}

func TestCumulativeEndsAtReplaysSaving(t *testing.T) {
	d := smallData()
	f, err := plots.Cumulative(d, st)
	if err != nil {
		t.Fatal(err)
	}
	header, recs := readCSV(t, f)
	if header[1] != "prov line" {
		t.Errorf("CSV header %q: want the provenance after the figure line", header)
	}
	last := map[string]float64{}
	for _, r := range recs[1:] {
		v, err := strconv.ParseFloat(r[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		last[r[0]] = v
	}
	for _, m := range d.Summary().Machines {
		if got := last[m.Machine]; math.Abs(got-m.SavedS) > 1e-9*m.SavedS {
			t.Errorf("%s: cumulative CSV ends at %v s, replay saved %v s", m.Machine, got, m.SavedS)
		}
	}
}

func TestMachinesAndBreakdownCSVMatchReplay(t *testing.T) {
	d := smallData()
	f, err := plots.MachineSavings(d, st)
	if err != nil {
		t.Fatal(err)
	}
	_, recs := readCSV(t, f)
	for _, m := range d.Summary().Machines {
		found := false
		for _, r := range recs[1:] {
			if r[0] == m.Machine && r[1] == model.ForkCOW {
				v, _ := strconv.ParseFloat(r[3], 64)
				found = true
				if math.Abs(v-m.SavedS) > 1e-9*m.SavedS {
					t.Errorf("%s: machines CSV says %v s saved over fork-cow, replay %v", m.Machine, v, m.SavedS)
				}
			}
			if r[0] == m.Machine && r[1] == m.Native && r[2] != "yes" {
				t.Errorf("%s: native %s not marked", m.Machine, m.Native)
			}
		}
		if !found {
			t.Errorf("%s: no fork-cow row", m.Machine)
		}
	}
	f, err = plots.Breakdown(d, st)
	if err != nil {
		t.Fatal(err)
	}
	_, recs = readCSV(t, f)
	sums := map[string]float64{}
	for _, r := range recs[1:] {
		v, _ := strconv.ParseFloat(r[4], 64)
		sums[r[0]+"/"+r[1]] += v
	}
	for _, m := range d.Summary().Machines {
		for s, tot := range m.Strategies {
			if got := sums[m.Machine+"/"+s]; math.Abs(got-tot.TotalS) > 1e-9*tot.TotalS {
				t.Errorf("%s %s: breakdown CSV steps sum to %v, replay total %v", m.Machine, s, got, tot.TotalS)
			}
		}
	}
}

func TestSensitivity(t *testing.T) {
	d := smallData()
	for m, ms := range d.Summary().Machines {
		base, swings := d.Sensitivity(m)
		if math.Abs(base-ms.SavedS) > 1e-9*ms.SavedS {
			t.Errorf("%s: re-evaluated saving %v s, replay %v s", ms.Machine, base, ms.SavedS)
		}
		if len(swings) != len(plots.SensitivityParams()) {
			t.Errorf("%s: %d swings, want one per parameter", ms.Machine, len(swings))
		}
		for _, s := range swings {
			spec, _ := model.LookupParam(s.Param)
			switch {
			case s.Param == "exec_load_ns" || s.Param == "syscall_ns":
				// Shared by both strategies: no effect on the saving.
				if math.Abs(s.SavedLow-base) > 1e-9*base || math.Abs(s.SavedHigh-base) > 1e-9*base {
					t.Errorf("%s %s: a shared step moved the saving: %v, %v vs %v", ms.Machine, s.Param, s.SavedLow, s.SavedHigh, base)
				}
			case strings.HasPrefix(spec.Unit, "ns"):
				// The model is linear in its time costs: doubling adds
				// twice what halving takes away.
				lo, hi := base-s.SavedLow, s.SavedHigh-base
				if math.Abs(hi-2*lo) > 1e-6*base {
					t.Errorf("%s %s: halved -%v, doubled +%v: not linear", ms.Machine, s.Param, lo, hi)
				}
			}
		}
		if s := swings[0]; s.Low != s.Value/2 || s.High != s.Value*2 {
			t.Errorf("%s: %s %v halved to %v, doubled to %v", ms.Machine, s.Param, s.Value, s.Low, s.High)
		}
	}
}

// degenerate replays a trace of generated creations.
func degenerate(t *testing.T, gen func(emit synth.Emit) error, names ...string) *plots.Data {
	t.Helper()
	rd, err := openEvents("testdata:degenerate.arrow", trace.Meta{Source: "synth", SourceOS: "synthetic", Origin: "test", TimeSynthetic: true}, gen)
	if err != nil {
		t.Fatal(err)
	}
	d, err := collect(rd, names...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// forks emits n forks by pid 100, each child exec'ing (eligible) or, with
// nested, creating a process first (not eligible).
func forks(n int, resident int64, nested bool) func(synth.Emit) error {
	return func(emit synth.Emit) error {
		tm := int64(0)
		put := func(ev trace.Event) error { tm += 1e6; ev.TimeNs = tm; return emit(&ev) }
		for i := 0; i < n; i++ {
			child := int32(1000 + 2*i)
			snap := trace.Snapshot{VirtBytes: 2 * resident, WritableBytes: resident, ResidentBytes: resident, WritableResidentBytes: resident / 2, AnonResidentBytes: resident / 2, MapEntries: 10, PageSize: 4096, Source: trace.Synthetic}
			if err := put(trace.Event{PID: 100, Kind: trace.Fork, ChildPID: child, Comm: "sh", Snapshot: snap, HasSnapshot: true}); err != nil {
				return err
			}
			if nested {
				if err := put(trace.Event{PID: child, PPID: 100, Kind: trace.Fork, ChildPID: child + 1, Comm: "sh", Snapshot: snap, HasSnapshot: true}); err != nil {
					return err
				}
				if err := put(trace.Event{PID: child + 1, PPID: child, Kind: trace.Thread, Comm: "sh"}); err != nil {
					return err
				}
			}
			if err := put(trace.Event{PID: child, PPID: 100, Kind: trace.Exec, Comm: "cc", ExecPath: "/usr/bin/cc"}); err != nil {
				return err
			}
			if err := put(trace.Event{PID: child, PPID: 100, Kind: trace.Exit, Comm: "cc", HasExitStatus: true}); err != nil {
				return err
			}
		}
		return nil
	}
}

func skippedKinds(skipped []error) map[string]string {
	out := map[string]string{}
	for _, err := range skipped {
		kind, msg, _ := strings.Cut(err.Error(), ": ")
		out[kind] = msg
	}
	return out
}

func TestDegenerateInputs(t *testing.T) {
	t.Run("no creations", func(t *testing.T) {
		d := degenerate(t, forks(0, 0, false))
		figs, skipped := plots.Make(d, plots.Kinds, st)
		for _, f := range figs {
			if f.Kind != "cost-vs-size" {
				t.Errorf("%s drawn from a trace without creations", f.Name())
			}
		}
		sk := skippedKinds(skipped)
		for _, k := range []string{"savings-vs-size", "cumulative", "breakdown", "machines", "size-cdf", "sensitivity", "timeline"} {
			if !strings.Contains(sk[k], "nothing to plot") {
				t.Errorf("%s: skipped with %q, want a 'nothing to plot' message", k, sk[k])
			}
		}
		for _, err := range skipped {
			if !errors.Is(err, plots.ErrNoData) {
				t.Errorf("%v does not wrap ErrNoData", err)
			}
		}
	})
	t.Run("no eligible creations", func(t *testing.T) {
		d := degenerate(t, forks(3, 1<<20, true))
		if d.Summary().Trace.Creations == 0 || d.Creations() != 0 {
			t.Fatalf("fixture: %d creations, %d eligible with sizes", d.Summary().Trace.Creations, d.Creations())
		}
		_, skipped := plots.Make(d, plots.Kinds, st)
		if sk := skippedKinds(skipped); !strings.Contains(sk["cumulative"], "no eligible creation") {
			t.Errorf("cumulative: %q", sk["cumulative"])
		}
	})
	t.Run("single machine", func(t *testing.T) {
		d := degenerate(t, forks(5, 1<<20, false), "zen4")
		figs, skipped := plots.Make(d, plots.Kinds, st)
		if len(skipped) > 0 || len(figs) != 8 {
			t.Fatalf("%d figures, skipped %v; want all 8", len(figs), skipped)
		}
		for _, f := range figs {
			var buf bytes.Buffer
			if err := f.Render(&buf, "svg", st, nil); err != nil {
				t.Errorf("%s: %v", f.Name(), err)
			}
		}
	})
	t.Run("zero-size parents", func(t *testing.T) {
		d := degenerate(t, forks(4, 0, false))
		figs, skipped := plots.Make(d, plots.Kinds, st)
		sk := skippedKinds(skipped)
		for _, k := range []string{"savings-vs-size", "size-cdf"} {
			if !strings.Contains(sk[k], "zero resident size") {
				t.Errorf("%s: skipped with %q, want it to name the zero-size parents", k, sk[k])
			}
		}
		drawn := map[string]bool{}
		for _, f := range figs {
			drawn[f.Kind] = true
		}
		for _, k := range []string{"cumulative", "breakdown", "machines", "cost-vs-size"} {
			if !drawn[k] {
				t.Errorf("%s not drawn for zero-size parents (skipped: %q)", k, sk[k])
			}
		}
	})
	t.Run("some zero-size parents", func(t *testing.T) {
		both := func(emit synth.Emit) error {
			if err := forks(2, 0, false)(emit); err != nil {
				return err
			}
			return forks(3, 1<<20, false)(emit)
		}
		d := degenerate(t, both)
		f, err := plots.SavingsVsSize(d, st)
		if err != nil {
			t.Fatal(err)
		}
		header, recs := readCSV(t, f)
		if !strings.Contains(strings.Join(header, "\n"), "4 points (creations times machines) have a zero-size parent") {
			t.Errorf("header does not say that zero-size parents are left off:\n%s", strings.Join(header, "\n"))
		}
		zeros := 0
		for _, r := range recs {
			if r[1] == "creation" && r[2] == "0" {
				zeros++
			}
		}
		if zeros != 4 { // 2 creations on 2 machines
			t.Errorf("%d zero-size rows in the CSV, want 4", zeros)
		}
	})
}

func TestParseWidth(t *testing.T) {
	for in, want := range map[string]float64{"3.3in": 3.3 * 72, "7in": 7 * 72, "single": 3.3 * 72, "double": 7 * 72, "84mm": 84 / 25.4 * 72, "240pt": 240} {
		got, err := plots.ParseWidth(in)
		if err != nil || math.Abs(float64(got)-want) > 1e-6 {
			t.Errorf("ParseWidth(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "3.3", "wide", "-1in", "0.5in", "100in", "NaNin"} {
		if _, err := plots.ParseWidth(in); err == nil {
			t.Errorf("ParseWidth(%q): no error", in)
		}
	}
}

func TestDoubleColumn(t *testing.T) {
	d := smallData()
	wide := plots.Paper(plots.DoubleColumn)
	f, err := plots.Cumulative(d, wide)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Render(&buf, "png", wide, nil); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w != 7*plots.PNGDPI {
		t.Errorf("7in figure is %d px wide, want %d", w, 7*plots.PNGDPI)
	}
}

func TestFigureNamesStayInTheirDirectory(t *testing.T) {
	for machine, want := range map[string]string{"zen4": "cost-vs-size-zen4", "../../etc/x": "cost-vs-size-_._.._etc_x", "my box": "cost-vs-size-my_box", ".hidden": "cost-vs-size-_hidden"} {
		f := &plots.Figure{Kind: "cost-vs-size", Machine: machine}
		if got := f.Name(); got != want {
			t.Errorf("machine %q: file name %q, want %q", machine, got, want)
		}
	}
}

func TestSVGFontFallback(t *testing.T) {
	svg := renderAll(t, "svg")["machines"]
	if bytes.Contains(svg, []byte("font-family:Liberation Sans;")) || !bytes.Contains(svg, []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")) {
		t.Error("SVG text names Liberation Sans without a metric-compatible fallback")
	}
}

func TestMachinesIntervals(t *testing.T) {
	d := smallData()
	f, err := plots.MachineSavings(d, st)
	if err != nil {
		t.Fatal(err)
	}
	header, recs := readCSV(t, f)
	if !strings.Contains(strings.Join(header, "\n"), "5th and 95th percentiles of 50 draws") {
		t.Errorf("header does not explain the ranges:\n%s", strings.Join(header, "\n"))
	}
	for _, m := range d.Summary().Machines {
		for _, r := range recs[1:] {
			if r[0] != m.Machine {
				continue
			}
			var want *replay.Interval
			switch r[1] {
			case model.ForkCOW:
				want = m.SavedInterval
			case m.Native:
				want = m.SavedVsNatInterval
			}
			if want == nil {
				if r[4] != "" || r[5] != "" {
					t.Errorf("%s vs %s: a range where replay has none: %v", m.Machine, r[1], r)
				}
				continue
			}
			if r[4] != strconv.FormatFloat(want.Low, 'g', -1, 64) || r[5] != strconv.FormatFloat(want.High, 'g', -1, 64) {
				t.Errorf("%s vs %s: range %s..%s, replay %v..%v", m.Machine, r[1], r[4], r[5], want.Low, want.High)
			}
		}
	}
}

// A recorded trace measures how much the parent wrote after each fork: the
// sensitivity figure re-evaluates with those writes, as replay costed them.
func TestSensitivityWithMeasuredWrites(t *testing.T) {
	gen := func(emit synth.Emit) error {
		tm := int64(0)
		put := func(ev trace.Event) error { tm += 1e6; ev.TimeNs = tm; return emit(&ev) }
		snap := trace.Snapshot{VirtBytes: 128 << 20, WritableBytes: 64 << 20, ResidentBytes: 64 << 20, WritableResidentBytes: 48 << 20, AnonResidentBytes: 48 << 20, MapEntries: 40, ParentThreads: 1, PageSize: 4096, Source: trace.Recorded}
		faults := int64(1000)
		for i := 0; i < 4; i++ {
			child := int32(1000 + i)
			if err := put(trace.Event{PID: 100, Kind: trace.Fork, ChildPID: child, Comm: "make", Snapshot: snap, HasSnapshot: true, MinFaults: faults, HasFaults: true}); err != nil {
				return err
			}
			if err := put(trace.Event{PID: child, PPID: 100, Kind: trace.Exec, Comm: "cc", ExecPath: "/usr/bin/cc"}); err != nil {
				return err
			}
			faults += int64(500 * (i + 1)) // the parent's writes after fork i
			if err := put(trace.Event{PID: 100, Kind: trace.Mmap, Comm: "make", MinFaults: faults, HasFaults: true}); err != nil {
				return err
			}
		}
		return nil
	}
	d := degenerate(t, gen)
	if d.Summary().Trace.MeasuredParentWrites == 0 {
		t.Fatal("fixture: no measured parent writes")
	}
	for m, ms := range d.Summary().Machines {
		base, _ := d.Sensitivity(m)
		if math.Abs(base-ms.SavedS) > 1e-9*ms.SavedS {
			t.Errorf("%s: re-evaluated saving %v s, replay %v s", ms.Machine, base, ms.SavedS)
		}
	}
}

// ownTotals is a TotalsSource of one's own numbers, not a replay.
type ownTotals struct{}

func (ownTotals) Machines() []plots.Machine {
	return []plots.Machine{{Name: "vax", Native: model.ForkCopy}}
}

func (ownTotals) StrategyTotal(m int, strategy string) (float64, map[string]float64) {
	totals := map[string]float64{model.ForkCopy: 9, model.ForkCOW: 5, model.ForkCOWPTE: 6, model.VForkShare: 3, model.SpawnStrat: 3.5}
	t := totals[strategy]
	return t, map[string]float64{"exec-load": 3, "map-copy": t - 3}
}

// Figures read their data through small interfaces, so numbers of one's
// own draw as well as a replay's.
func TestFiguresFromOwnNumbers(t *testing.T) {
	f, err := plots.MachineSavings(ownTotals{}, st)
	if err != nil {
		t.Fatal(err)
	}
	_, recs := readCSV(t, f)
	want := "[[machine versus native saved_s saved_low_s saved_high_s] [vax fork-copy yes 6  ] [vax fork-cow no 2  ] [vax fork-cow-pte no 3  ]]"
	if got := fmt.Sprint(recs); got != want {
		t.Errorf("machines CSV %s, want %s", got, want)
	}
	if _, err := plots.Breakdown(ownTotals{}, st); err != nil {
		t.Error(err)
	}
	var buf bytes.Buffer
	if err := f.Render(&buf, "svg", st, plots.Provenance{"my own numbers"}); err != nil || !bytes.Contains(buf.Bytes(), []byte("my own numbers")) {
		t.Errorf("render: %v", err)
	}
}
