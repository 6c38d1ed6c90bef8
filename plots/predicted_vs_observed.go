package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/forkcost/forkcost/validate"
)

// Band is the factor around the line of agreement that the
// predicted-vs-observed figure marks: a prediction within it is within
// x1.5 of its observation, the target for the published figures.
const Band = 1.5

// PredictedVsObserved draws every time prediction (unit us or ms) against
// its observation on log-log axes of one unit: a series per group (the
// published figures a series per machine; per creation, a series per
// measured quantity), the line of agreement dashed and the x1.5 band
// dotted. Circled points are figures that set a parameter entering the prediction
// (left out of the error summary).
func PredictedVsObserved(v *Validation, st Style) (*Figure, error) {
	kind, obs := "predicted-vs-observed", v.observedWord()
	if v.PerCreation {
		kind = "predicted-vs-measured"
	}
	f := &Figure{Kind: kind,
		Caption: "the model's prediction against the " + obs + " time, log-log, with the line of agreement (dashed) and a x1.5 band (dotted)",
		Columns: []string{"group", "id", "machine", "what", "sequence", "predicted_s", obs + "_s", "rel_err", "used"}}
	var all []*pointSeries
	by := map[string]*pointSeries{}
	max, left := 0.0, 0
	for _, r := range v.Rows {
		var s float64
		switch r.Unit {
		case "us":
			s = 1e-6
		case "ms":
			s = 1e-3
		default:
			continue // ratios and slopes are no times
		}
		pred, o := r.Predicted*s, r.Observed*s
		f.Rows = append(f.Rows, []string{r.Group, r.ID, r.Machine, r.What, r.Sequence, ftoa(pred), ftoa(o), ftoa(r.RelErr), strconv.FormatBool(r.Used)})
		if !(pred > 0 && o > 0) {
			left++
			continue
		}
		g := r.Group
		if g == validate.GroupPublished {
			g += ": " + r.Machine
		}
		se := by[g]
		if se == nil {
			se = &pointSeries{name: g}
			by[g] = se
			all = append(all, se)
		}
		q := plotter.XY{X: o, Y: pred}
		if r.Used {
			se.rings = append(se.rings, q)
		} else {
			se.pts = append(se.pts, q)
		}
		max = math.Max(max, math.Max(pred, o))
	}
	if len(all) == 0 {
		return nil, noData(kind, "no prediction of a time with both sides above zero")
	}
	if left > 0 {
		f.Notes = append(f.Notes, itoa(int64(left))+" rows have a prediction or an observation of zero, which log axes cannot show; they are in this CSV")
	}
	scale, unit := timeUnit(max)
	logs := func(xys plotter.XYs) plotter.XYs {
		out := make(plotter.XYs, len(xys))
		for i, q := range xys {
			out[i] = plotter.XY{X: math.Log10(q.X * scale), Y: math.Log10(q.Y * scale)}
		}
		return out
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, se := range all {
		for _, q := range logs(append(append(plotter.XYs{}, se.pts...), se.rings...)) {
			lo, hi = math.Min(lo, math.Min(q.X, q.Y)), math.Max(hi, math.Max(q.X, q.Y))
		}
	}
	lo, hi = math.Floor(lo+1e-9), math.Ceil(hi-1e-9)
	if hi <= lo {
		hi = lo + 1
	}
	p := st.newPlot()
	p.X.Label.Text = capitalize(obs) + " (" + unit + ", log scale)"
	p.Y.Label.Text = "Predicted (" + unit + ", log scale)"
	b := math.Log10(Band)
	agree := draw.LineStyle{Color: grey, Width: 0.8, Dashes: lineDashes[1]}
	band := draw.LineStyle{Color: grey, Width: 0.6, Dashes: lineDashes[2]}
	if err := addRefLines(p,
		refLine{plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}}, agree},
		refLine{plotter.XYs{{X: lo, Y: lo + b}, {X: hi - b, Y: hi}}, band},
		refLine{plotter.XYs{{X: lo + b, Y: lo}, {X: hi, Y: hi - b}}, band}); err != nil {
		return nil, err
	}
	rings := false
	for i, se := range all {
		r, err := addSeries(p, f, i, pointSeries{name: se.name, pts: logs(se.pts), rings: logs(se.rings)})
		if err != nil {
			return nil, err
		}
		rings = rings || r
	}
	f.legend = append(f.legend,
		legendEntry{label: "agreement", thumbs: []plot.Thumbnailer{lineThumb{line: agree}}},
		legendEntry{label: "x" + strconv.FormatFloat(Band, 'g', -1, 64), thumbs: []plot.Thumbnailer{lineThumb{line: band}}})
	if rings {
		f.legend = append(f.legend, legendEntry{label: "circled: set a parameter (left out of the errors)", thumbs: []plot.Thumbnailer{lineThumb{glyph: &circled}}})
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
	log10Axis(&p.X)
	log10Axis(&p.Y)
	f.panels = []*plot.Plot{p}
	return f, nil
}
