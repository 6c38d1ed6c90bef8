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
	if d.TimeSynthetic() {
		p.X.Label.Text = "Trace time (" + xunit + ", synthetic)"
		f.Notes = append(f.Notes, "the trace's times are synthetic, not measured")
	}
	p.Y.Label.Text = "Time saved (" + yunit + ")"
	// When the machines' totals differ tenfold, a log axis keeps the
	// smaller ones off the floor; it starts at a thirtieth of the
	// smallest total, where the lines begin.
	lowest := math.Inf(1)
	for m := range ms {
		if e := lines[m][len(lines[m])-1].Y; e > 0 {
			lowest = math.Min(lowest, e)
		}
	}
	logY := len(ms) > 1 && ymax > 10*lowest
	floor := 0.0
	if logY {
		floor = math.Floor(math.Log10(lowest * yscale / 30))
		p.Y.Label.Text = "Time saved (" + yunit + ", log scale)"
	}
	plotY := func(y float64) (float64, bool) {
		if !logY {
			return y * yscale, true
		}
		if y*yscale <= math.Pow(10, floor) {
			return 0, false
		}
		return math.Log10(y * yscale), true
	}
	names, title := seriesNames(ms)
	if title != "" {
		f.legend = append(f.legend, legendEntry{label: title + ":"})
	}
	for m, mach := range ms {
		for _, q := range lines[m] {
			f.Rows = append(f.Rows, []string{mach.Name, ftoa(q.X), ftoa(q.Y)})
		}
		var xy plotter.XYs
		for _, q := range lines[m] {
			if y, ok := plotY(q.Y); ok {
				xy = append(xy, plotter.XY{X: q.X * xscale, Y: y})
			}
		}
		if len(xy) == 0 {
			continue
		}
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
		f.legend = append(f.legend, legendEntry{label: names[m], thumbs: []plot.Thumbnailer{lineThumb{line: lineStyle(m), glyph: &g}}})
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
	yspan := ymax * yscale
	if logY {
		yspan = math.Ceil(math.Log10(ymax*yscale)) - floor
	}
	// A label's height, as a share of the data's height (roughly: the
	// figure less its legend and axes).
	w, h := f.size(st)
	plotH := h - legendHeight(st, f.legend, w) - 3.5*st.FontSize
	gap := yspan * float64((st.FontSize-2)*1.25/plotH)
	for _, m := range order {
		end := lines[m][len(lines[m])-1]
		y, ok := plotY(end.Y)
		if !ok || slices.ContainsFunc(kept, func(k float64) bool { return math.Abs(k-y) < gap }) {
			continue
		}
		kept = append(kept, y)
		lb, err := plotter.NewLabels(plotter.XYLabels{
			XYs:    plotter.XYs{{X: end.X * xscale, Y: y}},
			Labels: []string{fmtSeconds(end.Y)},
		})
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].Font = st.font(st.FontSize - 2)
			lb.TextStyle[i].XAlign = draw.XLeft
			lb.TextStyle[i].YAlign = draw.YCenter
			lb.TextStyle[i].Color = seriesColour(m)
		}
		// Right of the line's end, off every line.
		lb.Offset = vg.Point{X: 3}
		p.Add(lb)
	}
	// Room right of the lines' ends for their totals.
	p.X.Max = xmax * xscale * 1.16
	roundAxis(&p.X, true)
	if logY {
		p.Y.Min, p.Y.Max = floor, math.Log10(ymax*yscale)
		log10Axis(&p.Y)
	} else {
		roundAxis(&p.Y, true)
	}
	f.panels = []*plot.Plot{p}
	return f, nil
}
