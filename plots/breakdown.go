package plots

import (
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/forkcost/forkcost/model"
)

// SharedSteps are the steps every strategy takes at the same cost for a
// given creation: they cancel out of every comparison, so breakdown leaves
// them out of its bars (its CSV keeps them).
var SharedSteps = []string{"syscall", "proc-create", "block-parent", "exec-load", "unblock-parent"}

// StepGroups gather the other steps into the parts of the seed's lists a
// reader looks for; each bar segment is one group.
var StepGroups = []struct {
	Label string
	Steps []string
}{
	{"PTE write-protect", []string{"cow-mark", "cow-unmark"}},
	{"TLB flush", []string{"tlb-flush"}},
	{"vmspace, spawn setup", []string{"vmspace-create", "vmspace-ref", "spawn-setup"}},
	{"map copy", []string{"map-copy"}},
	{"PTE, page copy", []string{"pte-copy", "page-copy"}},
	{"faults", []string{"child-faults", "parent-faults"}},
	{"teardown", []string{"teardown"}},
}

func stepGroup(step string) int {
	for i, g := range StepGroups {
		if slices.Contains(g.Steps, step) {
			return i
		}
	}
	return -1
}

// Breakdown draws each strategy's total cost over the trace, split by step,
// as stacked horizontal bars, one panel per machine. The steps all
// strategies share are left out of the bars and given in the axis label.
func Breakdown(d TotalsSource, st Style) (*Figure, error) {
	const kind = "breakdown"
	ms := d.Machines()
	strats := model.Strategies()
	f := &Figure{Kind: kind,
		Caption: "each strategy's total cost over the trace's eligible creations, split by step, per machine; steps every strategy shares are left out of the bars",
		Columns: []string{"machine", "strategy", "step", "group", "cost_s"},
		Notes:   []string{"shared steps, left out of the bars: " + strings.Join(SharedSteps, ", ")}}
	nG := len(StepGroups)
	groupFills := fills(nG + 1) // the last for steps in no group
	any := false
	var other bool
	// Panels in a grid: one column for up to three machines in a column
	// of a paper, two beyond; across a page up to four a row.
	cols := 1
	switch wide := st.Width > 4.5*vg.Inch; {
	case wide && len(ms) <= 4:
		cols = len(ms)
	case wide && len(ms) <= 6:
		cols = 3
	case wide:
		cols = 4
	case len(ms) > 3:
		cols = 2
	}
	titles := panelNames(ms)
	for m, mach := range ms {
		vals := make([][]float64, nG+1) // group, strategy
		for g := range vals {
			vals[g] = make([]float64, len(strats))
		}
		var shared float64
		for i, s := range strats {
			total, steps := d.StrategyTotal(m, s.Name)
			if total > 0 {
				any = true
			}
			names := make([]string, 0, len(steps))
			for k := range steps {
				names = append(names, k)
			}
			slices.Sort(names)
			for _, step := range names {
				v := steps[step]
				g := stepGroup(step)
				label := "shared"
				switch {
				case slices.Contains(SharedSteps, step):
					if i == 0 {
						shared += v
					}
				case g >= 0:
					vals[g][i] += v
					label = StepGroups[g].Label
				default:
					vals[nG][i] += v
					label = "other"
				}
				f.Rows = append(f.Rows, []string{mach.Name, s.Name, step, label, ftoa(v)})
			}
		}
		other = other || sumOf(vals[nG]) > 0
		var max float64
		for i := range strats {
			var sum float64
			for g := range vals {
				sum += vals[g][i]
			}
			max = math.Max(max, sum)
		}
		// Each machine its own scale: they differ a hundredfold.
		scale, unit := timeUnit(max)
		p := st.newPlot()
		machineTitle(st, p, titles[m])
		p.X.Label.Text = "Cost (" + unit + "); shared steps: " + fmtSeconds(shared)
		grid := plotter.NewGrid()
		grid.Horizontal.Color = nil
		grid.Vertical.Color = rgb(0xdd, 0xdd, 0xdd)
		grid.Vertical.Width = 0.4
		p.Add(grid)
		sb := &stackedBars{fills: groupFills, rows: len(strats)}
		for i := range strats {
			seg := make([]float64, nG+1)
			for g := range vals {
				seg[g] = vals[g][i] * scale
			}
			sb.values = append(sb.values, seg)
		}
		p.Add(sb)
		// Strategies top to bottom in the model's order; their names on
		// the first column only.
		ticks := make([]plot.Tick, len(strats))
		for i, s := range strats {
			ticks[i] = plot.Tick{Value: float64(len(strats) - 1 - i)}
			if m%cols == 0 {
				ticks[i].Label = s.Name
			}
		}
		p.Y.Tick.Marker = plot.ConstantTicks(ticks)
		p.Y.Tick.Length = 0
		p.Y.Min, p.Y.Max = -0.5, float64(len(strats))-0.5
		p.Y.Tick.Label.Font = st.font(st.FontSize - 1)
		p.X.Max = max * scale
		roundAxis(&p.X, true)
		if st.Width/vg.Length(cols) < 2.5*vg.Inch {
			p.X.Tick.Marker = roundTicks{n: 4} // three to five labels: room for them
		}
		f.panels = append(f.panels, p)
	}
	if !any {
		return nil, noData(kind, "no eligible creation with sizes in the traces: every total is zero")
	}
	for g, grp := range StepGroups {
		f.legend = append(f.legend, legendEntry{label: grp.Label, thumbs: []plot.Thumbnailer{boxThumb{fill: groupFills[g], hatch: g}}})
	}
	if other {
		f.legend = append(f.legend, legendEntry{label: "other", thumbs: []plot.Thumbnailer{boxThumb{fill: groupFills[nG], hatch: nG}}})
	}
	f.cols = cols
	rows := (len(ms) + cols - 1) / cols
	// About 1.25 in a row of panels, and room for the legend.
	lh := legendHeight(st, f.legend, st.Width-2)
	f.heightScale = float64(vg.Length(rows)*1.25*vg.Inch+lh+8) / float64(st.Height)
	return f, nil
}

// stackedBars draws horizontal bars of stacked segments, one bar per row
// (row 0 on top), each segment filled and hatched by its group, so that
// the groups stay apart in greyscale.
type stackedBars struct {
	values [][]float64 // row, segment
	fills  []color.Color
	rows   int
}

func (b *stackedBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, segs := range b.values {
		y := float64(b.rows - 1 - i)
		y0, y1 := trY(y-0.32), trY(y+0.32)
		x := 0.0
		for g, v := range segs {
			if v <= 0 {
				continue
			}
			r := vg.Rectangle{Min: vg.Point{X: trX(x), Y: y0}, Max: vg.Point{X: trX(x + v), Y: y1}}
			fillBox(&c, r, b.fills[g], g)
			x += v
		}
	}
}

func (b *stackedBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, segs := range b.values {
		xmax = math.Max(xmax, sumOf(segs))
	}
	return 0, xmax, -0.5, float64(b.rows) - 0.5
}

func sumOf(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// fmtSeconds formats seconds with a readable unit: 86.98 s, 612 ms.
func fmtSeconds(s float64) string {
	scale, unit := timeUnit(s)
	v := s * scale
	prec := 0
	switch {
	case math.Abs(v) < 10:
		prec = 2
	case math.Abs(v) < 100:
		prec = 1
	}
	return strconvF(v, prec) + " " + unit
}
