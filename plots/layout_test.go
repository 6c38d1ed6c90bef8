package plots

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/synth"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// manyData replays a small synthetic build on the built-in machines
// named, with the --set sweeps given.
func manyData(t *testing.T, names, sets []string) *Data {
	t.Helper()
	profs, err := machines.Select(names, nil, sets)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "t.arrow")
	lb := synth.DefaultLibcBuild()
	lb.Sources = 12
	var evs []trace.Event
	if err := lb.Generate(func(ev *trace.Event) error { evs = append(evs, *ev); return nil }); err != nil {
		t.Fatal(err)
	}
	tracetest.Write(t, path, lb.Meta(), evs)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := arrowio.OpenIPCBytes("libc-build-12.arrow", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	col := NewCollector(MachinesOf(profs), true)
	r, err := replay.New(replay.Config{Machines: profs, OnEvent: col.OnEvent, OnTraceEvent: col.Observe, Uncertainty: replay.Uncertainty{Draws: 20, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Trace(rd); err != nil {
		t.Fatal(err)
	}
	return col.Data(r.Summary())
}

// Every figure kind, at one column and across a page, with 2, 6 and 8
// machines and an 8-variant sweep: the legend takes at most a quarter of
// the figure, every axis label fits its axis, no two series share colour,
// dash and marker, figures per machine name it inside, and machines of
// tenfold different savings get a scale each (#17).
func TestFiguresHoldUpBeyondTwoMachines(t *testing.T) {
	all := []string{"i486-33", "p5-100", "ppro200", "p2-400", "cortex-a72", "apple-m1", "zen4", "raptorlake"}
	cases := []struct {
		name        string
		names, sets []string
	}{
		{"2 machines", []string{"ppro200", "zen4"}, nil},
		{"6 machines", all[:6], nil},
		{"8 machines", all, nil},
		{"8 variants", []string{"ppro200"}, []string{"ppro200.soft_fault_ns=250:2000:+250"}},
	}
	for _, c := range cases {
		d := manyData(t, c.names, c.sets)
		for _, width := range []vg.Length{SingleColumn, DoubleColumn} {
			st := Paper(width)
			figs, skipped := Make(d, Kinds, st)
			if len(skipped) > 0 {
				t.Fatalf("%s: %v", c.name, skipped)
			}
			for _, f := range figs {
				where := fmt.Sprintf("%s, %s at %.1f in", f.Name(), c.name, float64(width/vg.Inch))
				if err := f.Render(io.Discard, "svg", st, nil); err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				w, h := f.Size(st)
				if lh := legendHeight(st, f.legend, w-2); lh > h/4 {
					t.Errorf("%s: the legend takes %.0f of %.0f pt", where, lh, h)
				}
				rows, cols := f.grid()
				for _, p := range f.panels {
					for _, ax := range []struct {
						a      *plot.Axis
						length vg.Length
					}{{&p.X, w / vg.Length(cols)}, {&p.Y, h / vg.Length(rows)}} {
						for _, line := range strings.Split(ax.a.Label.Text, "\n") {
							if lw := ax.a.Label.TextStyle.Width(line); lw > ax.length-3*st.FontSize {
								t.Errorf("%s: label %q (%.0f pt) does not fit its axis (%.0f pt)", where, line, lw, ax.length)
							}
						}
					}
					if f.Machine != "" && !strings.Contains(p.Title.Text, f.Machine) {
						t.Errorf("%s: does not name its machine inside (title %q)", where, p.Title.Text)
					}
				}
				styles := map[string]string{}
				for _, e := range f.legend {
					for _, th := range e.thumbs {
						lt, ok := th.(lineThumb)
						if !ok || lt.glyph == nil || lt.line.Width == 0 {
							continue
						}
						key := fmt.Sprint(lt.line.Color, lt.line.Dashes, fmt.Sprintf("%T", lt.glyph.Shape))
						if other, dup := styles[key]; dup {
							t.Errorf("%s: %q and %q share colour, dash and marker", where, other, e.label)
						}
						styles[key] = e.label
					}
				}
				if f.Kind == "machines" && c.name == "6 machines" && len(f.panels) != 6 {
					t.Errorf("%s: %d panels; machines ten times apart want a scale each", where, len(f.panels))
				}
				if f.Kind == "machines" && c.name == "8 variants" && width == SingleColumn && !strings.Contains(strings.Join(f.Notes, "\n"), "unlabelled") {
					t.Errorf("%s: bars narrower than their values are labelled, over the next bar's range", where)
				}
				if f.Kind == "breakdown" {
					if len(f.panels) != len(d.Machines()) {
						t.Errorf("%s: %d panels for %d machines", where, len(f.panels), len(d.Machines()))
					}
					if _, cols := f.grid(); w/vg.Length(cols) < 1.5*vg.Inch {
						t.Errorf("%s: %d columns of panels in %.1f in", where, cols, float64(w/vg.Inch))
					}
				}
			}
		}
	}
}

// Byte axes over an octave or two still get three labels.
func TestByteTicksNarrowRange(t *testing.T) {
	for _, r := range [][2]float64{{20, 21}, {20, 22}} {
		n := 0
		for _, tk := range (log2ByteTicks{}).Ticks(r[0], r[1]) {
			if tk.Label != "" {
				n++
			}
		}
		if n < 3 {
			t.Errorf("byte ticks over 2^%v..2^%v: %d labels", r[0], r[1], n)
		}
	}
}
