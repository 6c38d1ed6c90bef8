package plots

import (
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/forkcost/forkcost/validate"
)

// ResidualTarget is the relative error the residuals figure marks on
// either side of zero.
const ResidualTarget = 0.15

// ResidualsVsSize draws the relative error (predicted - observed) /
// observed of the host rows against the buffer size, a series per check
// (per creation: against the parent's resident size, a series per
// measured quantity and kind). Sizes under 512 KiB, zero among them, are
// drawn at 512 KiB. The scale follows the held-out and untouched
// rows, at least ±25% and at most ±150%; points beyond it (the huge-page
// rows, off by an order of magnitude) are drawn clipped at the edge.
// Circled points are the rows not held out (untouched and huge-page buffers,
// predicted by the fit on every size).
func ResidualsVsSize(v *Validation, st Style) (*Figure, error) {
	const kind = "residuals-vs-size"
	size := "buffer size"
	if v.PerCreation {
		size = "parent resident size"
	}
	f := &Figure{Kind: kind,
		Caption: "relative error (predicted - " + v.observedWord() + ") / " + v.observedWord() + " of each prediction against the " + size + ", a series per check; sizes under 512 KiB (zero among them) are drawn at 512 KiB",
		Columns: []string{"group", "id", "what", "mib", "rel_err", "clipped"}}
	by := map[string]*pointSeries{}
	ymax := 0.25
	for _, r := range v.Rows {
		if r.Group == validate.GroupPublished {
			continue
		}
		se := by[r.What]
		if se == nil {
			se = &pointSeries{name: r.What}
			by[r.What] = se
		}
		q := plotter.XY{X: math.Log2(math.Max(r.MiB, 0.5) * (1 << 20)), Y: r.RelErr}
		if !v.PerCreation && r.Group != validate.GroupHeldOut {
			se.rings = append(se.rings, q)
		} else {
			se.pts = append(se.pts, q)
		}
		if r.Group != validate.GroupTHP {
			ymax = math.Max(ymax, math.Min(math.Abs(r.RelErr), 1.5))
		}
	}
	if len(by) == 0 {
		return nil, noData(kind, "no host or per-creation rows: only published figures, which have no size")
	}
	ymax = math.Ceil(ymax*4-1e-9) / 4
	clipped := 0
	for _, r := range v.Rows {
		if r.Group == validate.GroupPublished {
			continue
		}
		c := math.Abs(r.RelErr) > ymax
		if c {
			clipped++
		}
		f.Rows = append(f.Rows, []string{r.Group, r.ID, r.What, ftoa(r.MiB), ftoa(r.RelErr), strconv.FormatBool(c)})
	}
	if clipped > 0 {
		f.Notes = append(f.Notes, itoa(int64(clipped))+" points beyond ±"+strconv.FormatFloat(100*ymax, 'f', 0, 64)+"% are drawn clipped at the edge")
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	slices.Sort(names)
	clip := func(xys plotter.XYs) plotter.XYs {
		out := make(plotter.XYs, len(xys))
		for i, q := range xys {
			out[i] = plotter.XY{X: q.X, Y: 100 * math.Max(-ymax, math.Min(ymax, q.Y))}
		}
		return out
	}
	p := st.newPlot()
	p.X.Label.Text = capitalize(size) + " (log scale)"
	p.Y.Label.Text = "Relative error (%)"
	zero := draw.LineStyle{Color: grey, Width: 0.8}
	target := draw.LineStyle{Color: grey, Width: 0.6, Dashes: lineDashes[2]}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, se := range by {
		for _, q := range append(append(plotter.XYs{}, se.pts...), se.rings...) {
			xlo, xhi = math.Min(xlo, q.X), math.Max(xhi, q.X)
		}
	}
	xlo, xhi = math.Floor(xlo+1e-9), math.Ceil(xhi-1e-9)
	if xhi <= xlo {
		xhi = xlo + 1
	}
	line := func(y float64, sty draw.LineStyle) refLine {
		return refLine{plotter.XYs{{X: xlo, Y: y}, {X: xhi, Y: y}}, sty}
	}
	if err := addRefLines(p, line(0, zero), line(100*ResidualTarget, target), line(-100*ResidualTarget, target)); err != nil {
		return nil, err
	}
	rings := false
	for i, n := range names {
		se := by[n]
		r, err := addSeries(p, f, i, pointSeries{name: n, pts: clip(se.pts), rings: clip(se.rings)})
		if err != nil {
			return nil, err
		}
		rings = rings || r
	}
	f.legend = append(f.legend, legendEntry{label: "±" + strconv.FormatFloat(100*ResidualTarget, 'f', 0, 64) + "%", thumbs: []plot.Thumbnailer{lineThumb{line: target}}})
	if rings {
		f.legend = append(f.legend, legendEntry{label: "circled: untouched or huge pages (not held out)", thumbs: []plot.Thumbnailer{lineThumb{glyph: &circled}}})
	}
	p.X.Min, p.X.Max = xlo, xhi
	byteAxis(&p.X)
	p.Y.Min, p.Y.Max = -100*ymax, 100*ymax
	f.panels = []*plot.Plot{p}
	return f, nil
}
