package plots

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxTimelineSteps is how many steps a cumulative line has at most. Each
// is an exact running total; only the times in between are left out.
const MaxTimelineSteps = 1000

// Cumulative draws the time vfork-share saves over fork-cow, summed along
// the trace's own timeline, one line per machine. The last point of each
// line is the machine's total saving.
func Cumulative(d CumulativeSource, st Style) (*Figure, error) {
	const kind = "cumulative"
	ms := d.Machines()
	f := &Figure{Kind: kind,
		Caption: "time saved by vfork-share over fork-cow, summed along the trace's timeline, per machine",
		Columns: []string{"machine", "time_s", "cumulative_saved_s"},
		Notes:   []string{"each row is an exact running total at an eligible creation; at most " + itoa(MaxTimelineSteps) + " rows per machine, the last one at the last creation"}}
	lines := make([]plotter.XYs, len(ms))
	ymax, xmax := 0.0, 0.0
	for m := range ms {
		lines[m] = d.Cumulative(m, MaxTimelineSteps)
		if len(lines[m]) == 0 {
			return nil, noData(kind, "no eligible creation with sizes in the traces")
		}
		for _, q := range lines[m] {
			ymax, xmax = math.Max(ymax, q.Y), math.Max(xmax, q.X)
		}
	}
	yscale, yunit := timeUnit(ymax)
	xscale, xunit := traceTimeUnit(xmax)
	p := st.newPlot()
	p.X.Label.Text = "Trace time (" + xunit + ")"
	if ts, ok := d.(interface{ TimeSynthetic() bool }); ok && ts.TimeSynthetic() {
		p.X.Label.Text = "Trace time (" + xunit + ", synthetic)"
		f.Notes = append(f.Notes, "the trace's times are synthetic, not measured")
	}
	p.Y.Label.Text = "Time saved (" + yunit + ")"
	for m, mach := range ms {
		for _, q := range lines[m] {
			f.Rows = append(f.Rows, []string{mach.Name, ftoa(q.X), ftoa(q.Y)})
		}
		xy := scaleXYs(lines[m], xscale, yscale)
		l, err := newLine(xy, m)
		if err != nil {
			return nil, err
		}
		l.StepStyle = plotter.PostStep
		// A few markers along each line, at different places per machine.
		var marks plotter.XYs
		for k := 1; k <= 4; k++ {
			j := (len(xy) - 1) * (2*k - 1 + m%2) / 8
			marks = append(marks, xy[j])
		}
		marks = append(marks, xy[len(xy)-1])
		sc, err := newScatter(marks, m)
		if err != nil {
			return nil, err
		}
		p.Add(l, sc)
		g := glyphStyle(m)
		f.legend = append(f.legend, legendEntry{label: mach.Name, thumbs: []plot.Thumbnailer{lineThumb{line: lineStyle(m), glyph: &g}}})
	}
	// Each line's total, written above its end, unless it would sit on a
	// label already written (lines that end close together): the CSV has
	// every total.
	order := make([]int, len(ms))
	for m := range order {
		order[m] = m
	}
	endY := func(m int) float64 { return lines[m][len(lines[m])-1].Y }
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(endY(b), endY(a)) })
	var kept []float64
	for _, m := range order {
		end := lines[m][len(lines[m])-1]
		if slices.ContainsFunc(kept, func(y float64) bool { return math.Abs(y-end.Y) < 0.07*ymax }) {
			continue
		}
		kept = append(kept, end.Y)
		lb, err := plotter.NewLabels(plotter.XYLabels{
			XYs:    plotter.XYs{{X: end.X * xscale, Y: end.Y * yscale}},
			Labels: []string{fmtSeconds(end.Y)},
		})
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].Font = st.font(st.FontSize - 2)
			lb.TextStyle[i].XAlign = draw.XRight
			lb.TextStyle[i].YAlign = draw.YBottom
			lb.TextStyle[i].Color = lineColors[m%len(lineColors)]
		}
		lb.Offset = vg.Point{X: -3, Y: 3}
		p.Add(lb)
	}
	roundAxis(&p.X, true)
	roundAxis(&p.Y, true)
	f.panels = []*plot.Plot{p}
	return f, nil
}
