package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/forkcost/forkcost/model"
)

// MaxScatterPoints is how many of a machine's creations a scatter plot
// draws at most; the rest are subsampled evenly (aggregates never are).
const MaxScatterPoints = 1500

// savedPerCreation is the model's saving of vfork-share over fork-cow for
// one parent of shape s with resident bytes, in ns.
func savedPerCreation(p *model.Params, s Shape, resident float64, r *model.Result) float64 {
	in := model.Input{Snapshot: s.Snapshot(resident)}
	model.Evaluate(p, &in, r)
	cow, _ := model.StrategyIndex(model.ForkCOW)
	vf, _ := model.StrategyIndex(model.VForkShare)
	return r.Total[cow] - r.Total[vf]
}

// sizeGrid returns sizes from lo to hi, perOctave per doubling.
func sizeGrid(lo, hi float64, perOctave int) []float64 {
	var out []float64
	n := int(math.Round(math.Log2(hi/lo) * float64(perOctave)))
	for i := 0; i <= n; i++ {
		out = append(out, lo*math.Exp2(float64(i)/float64(perOctave)))
	}
	return out
}

// SavingsVsSize draws each machine's per-creation saving of vfork-share
// over fork-cow against the parent's resident size: the trace's creations
// as points over the model's curve, one colour, dash and marker per
// machine, both axes logarithmic.
func SavingsVsSize(d SavingsSource, st Style) (*Figure, error) {
	const kind = "savings-vs-size"
	ms := d.Machines()
	f := &Figure{Kind: kind,
		Caption: "saving per creation of vfork-share over fork-cow against the parent's resident size: the trace's eligible creations as points, the model's curve as a line, per machine",
		Columns: []string{"machine", "series", "resident_bytes", "saved_ns"}}
	shape := d.Shape()
	f.Notes = append(f.Notes, shape.describe())
	pts := make([]plotter.XYs, len(ms))
	lo, hi := math.Inf(1), math.Inf(-1)
	dropped := 0
	for m := range ms {
		all, total := d.SavingsPoints(m, MaxScatterPoints)
		if total == 0 {
			return nil, noData(kind, "no eligible creation with sizes in the traces")
		}
		if len(all) < total && m == 0 {
			f.Notes = append(f.Notes, "points: one in "+itoa(int64((total+len(all)-1)/len(all)))+" of the "+itoa(int64(total))+" eligible creations, in trace order ("+itoa(int64(len(all)))+" per machine); the curves use the model directly")
		}
		for _, p := range all {
			if p.X > 0 && p.Y > 0 {
				pts[m] = append(pts[m], p)
				lo, hi = math.Min(lo, p.X), math.Max(hi, p.X)
			} else {
				dropped++
			}
		}
	}
	if dropped > 0 {
		f.Notes = append(f.Notes, itoa(int64(dropped))+" points (creations times machines) have a zero-size parent or no saving and are left off the log axes; they are in this CSV")
	}
	if math.IsInf(lo, 1) {
		return nil, noData(kind, "every eligible creation's parent has zero resident size: nothing to place on a log axis")
	}
	// The curves span the data, widened to whole powers of two, and at
	// least 64 KiB .. 1 GiB so the shape of the curve shows.
	lo = math.Min(math.Exp2(math.Floor(math.Log2(lo))), 64<<10)
	hi = math.Max(math.Exp2(math.Ceil(math.Log2(hi))), 1<<30)
	grid := sizeGrid(lo, hi, 4)
	curves := make([]plotter.XYs, len(ms))
	r := model.NewResult()
	ymax := 0.0
	for m, mach := range ms {
		for _, x := range grid {
			y := savedPerCreation(mach.Params, shape, x, r)
			curves[m] = append(curves[m], plotter.XY{X: x, Y: y})
			ymax = math.Max(ymax, y)
		}
		for _, p := range pts[m] {
			ymax = math.Max(ymax, p.Y)
		}
	}
	scale, unit := timeUnit(ymax / 1e9)
	p := st.newPlot()
	p.X.Label.Text = "Parent resident size (log scale)"
	p.Y.Label.Text = "Saving per creation (" + unit + ", log scale)"
	names, title := seriesNames(ms)
	if title != "" {
		f.legend = append(f.legend, legendEntry{label: title + ":"})
	}
	for m, mach := range ms {
		// CSV first: raw points, including the ones a log axis cannot show.
		all, _ := d.SavingsPoints(m, MaxScatterPoints)
		for _, q := range all {
			f.Rows = append(f.Rows, []string{mach.Name, "creation", ftoa(q.X), ftoa(q.Y)})
		}
		for _, q := range curves[m] {
			f.Rows = append(f.Rows, []string{mach.Name, "model", ftoa(q.X), ftoa(q.Y)})
		}
		sp := logXY(pts[m], scale/1e9, true)
		s, err := newScatter(sp, m)
		if err != nil {
			return nil, err
		}
		// Translucent, so that where points pile up it shows.
		s.GlyphStyle.Radius = 1.2
		s.GlyphStyle.Color = withAlpha(s.GlyphStyle.Color, 0.35)
		l, err := newLine(logXY(curves[m], scale/1e9, true), m)
		if err != nil {
			return nil, err
		}
		p.Add(s, l)
		g := glyphStyle(m)
		f.legend = append(f.legend, legendEntry{label: names[m], thumbs: []plot.Thumbnailer{lineThumb{line: lineStyle(m), glyph: &g}}})
	}
	modelLine := draw.LineStyle{Color: grey, Width: 1}
	ring := draw.GlyphStyle{Color: withAlpha(grey, 0.6), Radius: 1.6, Shape: draw.CircleGlyph{}}
	f.legend = append(f.legend,
		legendEntry{label: "model (lines)", thumbs: []plot.Thumbnailer{lineThumb{line: modelLine}}},
		legendEntry{label: "creations (points)", thumbs: []plot.Thumbnailer{lineThumb{glyph: &ring}}})
	byteAxis(&p.X)
	log10Axis(&p.Y)
	f.panels = []*plot.Plot{p}
	return f, nil
}

// scaleXYs returns xys with X and Y multiplied.
func scaleXYs(xys plotter.XYs, sx, sy float64) plotter.XYs {
	out := make(plotter.XYs, len(xys))
	for i, q := range xys {
		out[i] = plotter.XY{X: q.X * sx, Y: q.Y * sy}
	}
	return out
}
