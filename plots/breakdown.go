package plots

import (
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

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
	bw := vg.Length(float64(st.Height) * 0.55 / float64(len(strats)+1))
	any := false
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
		var max float64
		for i := range strats {
			var sum float64
			for g := range vals {
				sum += vals[g][i]
			}
			max = math.Max(max, sum)
		}
		scale, unit := timeUnit(max)
		p := st.newPlot()
		p.X.Label.Text = mach.Name + ": cost (" + unit + ") on top of the shared " + fmtSeconds(shared)
		grid := plotter.NewGrid()
		grid.Horizontal.Color = nil
		grid.Vertical.Color = rgb(0xdd, 0xdd, 0xdd)
		grid.Vertical.Width = 0.4
		p.Add(grid)
		var prev *plotter.BarChart
		for g := range vals {
			if g == nG && sumOf(vals[g]) == 0 {
				continue
			}
			v := make(plotter.Values, len(strats))
			// Strategies top to bottom in the model's order.
			for i := range strats {
				v[len(strats)-1-i] = vals[g][i] * scale
			}
			b, err := plotter.NewBarChart(v, bw)
			if err != nil {
				return nil, err
			}
			b.Horizontal = true
			b.Color = groupFills[g]
			b.LineStyle = outline
			if prev != nil {
				b.StackOn(prev)
			}
			prev = b
			p.Add(b)
		}
		names := make([]string, len(strats))
		for i, s := range strats {
			names[len(strats)-1-i] = s.Name
		}
		p.NominalY(names...)
		p.Y.Tick.Label.Font = st.font(st.FontSize - 1)
		roundAxis(&p.X, true)
		f.panels = append(f.panels, p)
	}
	if !any {
		return nil, noData(kind, "no eligible creation with sizes in the traces: every total is zero")
	}
	for g, grp := range StepGroups {
		f.legend = append(f.legend, legendEntry{label: grp.Label, thumbs: []plot.Thumbnailer{boxThumb{groupFills[g]}}})
	}
	if st.Width > 4.5*vg.Inch && len(ms) > 1 {
		// Across a page: the machines side by side.
		f.sideBySide = true
		f.heightScale = 1.2
	} else {
		f.heightScale = 0.45 + 0.6*float64(len(ms))
	}
	return f, nil
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
