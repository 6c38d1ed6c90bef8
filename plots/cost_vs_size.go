package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/forkcost/forkcost/model"
)

// CostSizes is the range of parent sizes cost-vs-size draws: 64 KiB to
// 4 GiB, four points per doubling.
var CostSizes = sizeGrid(64<<10, 4<<30, 4)

// CostVsSize draws, for one machine, each strategy's cost of a whole
// creation (fork, exec, the parent running on) against the parent's
// resident size, from the model directly: the classic
// fork/vfork/posix_spawn curve. shape says what the parent is made of.
func CostVsSize(mach Machine, shape Shape, st Style) (*Figure, error) {
	const kind = "cost-vs-size"
	f := &Figure{Kind: kind, Machine: mach.Name,
		Caption: "cost of one process creation under each strategy (creation call, child's exec, parent's later faults) against the parent's resident size, on " + mach.Name + ", from the model",
		Columns: []string{"strategy", "resident_bytes", "cost_ns"},
		Notes:   []string{shape.describe(), "native fork strategy of " + mach.Name + ": " + mach.Native}}
	strats := model.Strategies()
	curves := make([]plotter.XYs, len(strats))
	r := model.NewResult()
	ymin, ymax := math.Inf(1), 0.0
	for _, x := range CostSizes {
		in := model.Input{Snapshot: shape.Snapshot(x)}
		model.Evaluate(mach.Params, &in, r)
		for i := range strats {
			y := r.Total[i]
			curves[i] = append(curves[i], plotter.XY{X: x, Y: y})
			ymin, ymax = math.Min(ymin, y), math.Max(ymax, y)
		}
	}
	if !(ymin > 0) {
		return nil, noData(kind, "machine %s: a strategy costs nothing, which a log axis cannot show", mach.Name)
	}
	scale, unit := timeUnit(ymax / 1e9)
	p := st.newPlot()
	machineTitle(st, p, mach.Name)
	p.X.Label.Text = "Parent resident size (log scale)"
	p.Y.Label.Text = "Cost per creation (" + unit + ", log scale)"
	for i, s := range strats {
		for _, q := range curves[i] {
			f.Rows = append(f.Rows, []string{s.Name, ftoa(q.X), ftoa(q.Y)})
		}
		l, err := newLine(logXY(curves[i], scale/1e9, true), i)
		if err != nil {
			return nil, err
		}
		// Markers at every doubling of four, so dashes and marks both tell
		// the lines apart.
		var marks plotter.XYs
		for k, q := range curves[i] {
			if k%8 == 4*(i%2) {
				marks = append(marks, q)
			}
		}
		sc, err := newScatter(logXY(marks, scale/1e9, true), i)
		if err != nil {
			return nil, err
		}
		p.Add(l, sc)
		g := glyphStyle(i)
		label := s.Name
		if s.Name == mach.Native {
			label += " (native)"
		}
		f.legend = append(f.legend, legendEntry{label: label, thumbs: []plot.Thumbnailer{lineThumb{line: lineStyle(i), glyph: &g}}})
	}
	byteAxis(&p.X)
	log10Axis(&p.Y)
	f.panels = []*plot.Plot{p}
	return f, nil
}
