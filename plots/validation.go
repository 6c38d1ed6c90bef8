package plots

import (
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/forkcost/forkcost/validate"
)

// Validation is what validate's figures draw: the model's predictions
// against observations (validate.Row), either a calibration's held-out
// sizes with the published figures (analyze validate), or, PerCreation,
// every creation of traces recorded with measured costs (analyze
// validate --trace, validate.CreationReport.AsRows).
type Validation struct {
	Rows        []validate.Row
	PerCreation bool
}

// ValidationKind is a figure kind drawn from a Validation: the one value
// that names it, says what it shows and draws it, as Kind is for the
// figures of a replay.
type ValidationKind struct {
	Name  string
	About string
	draw  func(v *Validation, st Style) (*Figure, error)
}

// ValidationKinds lists validate's figure kinds, in the order they are
// drawn. Per creation, predicted-vs-observed is named
// predicted-vs-measured.
var ValidationKinds = []ValidationKind{
	{"predicted-vs-observed", "each prediction against its observation, log-log, with the line of agreement and a x1.5 band, a series per group", PredictedVsObserved},
	{"residuals-vs-size", "relative errors against buffer (or parent) size, a series per check", ResidualsVsSize},
}

// MakeValidation draws every validation kind from v. A figure with nothing
// to draw is not made: its error, which wraps ErrNoData, says why.
func MakeValidation(v *Validation, st Style) (figs []*Figure, skipped []error) {
	for _, k := range ValidationKinds {
		f, err := k.draw(v, st)
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		figs = append(figs, f)
	}
	return figs, skipped
}

// observedWord is what the other side of a prediction is called.
func (v *Validation) observedWord() string {
	if v.PerCreation {
		return "measured"
	}
	return "observed"
}

// evenly keeps at most max of xys, evenly spaced in order, as the other
// scatter plots do.
func evenly(xys plotter.XYs, max int) plotter.XYs {
	if len(xys) <= max {
		return xys
	}
	stride := (len(xys) + max - 1) / max
	out := make(plotter.XYs, 0, len(xys)/stride+1)
	for i := 0; i < len(xys); i += stride {
		out = append(out, xys[i])
	}
	return out
}

// circled marks a point that is not like the others of its series (a
// figure that set a parameter, a buffer not held out): a grey circle
// around its marker, which keeps the series' own marker and colour.
var circled = draw.GlyphStyle{Color: grey, Radius: 3.4, Shape: draw.RingGlyph{}}

// pointSeries is one series of a validation figure, in plot coordinates:
// its points and its circled points.
type pointSeries struct {
	name       string
	pts, rings plotter.XYs
}

// addSeries draws series i on p, with its legend entry in f: the points
// (at most MaxScatterPoints, evenly spaced, translucent where there are
// many, so that where they pile up it shows) and the circled ones. It
// reports whether any point was circled.
func addSeries(p *plot.Plot, f *Figure, i int, se pointSeries) (bool, error) {
	if len(se.pts) > 0 {
		sc, err := newScatter(evenly(se.pts, MaxScatterPoints), i)
		if err != nil {
			return false, err
		}
		if len(se.pts) > MaxScatterPoints/10 {
			sc.GlyphStyle.Color = withAlpha(sc.GlyphStyle.Color, 0.35)
		}
		p.Add(sc)
		if len(se.pts) > MaxScatterPoints {
			f.Notes = append(f.Notes, se.name+": "+itoa(int64(MaxScatterPoints))+" of "+itoa(int64(len(se.pts)))+" points drawn, evenly spaced; all are in this CSV")
		}
	}
	if len(se.rings) > 0 {
		sc, err := newScatter(se.rings, i)
		if err != nil {
			return false, err
		}
		circle, err := newScatter(se.rings, i)
		if err != nil {
			return false, err
		}
		circle.GlyphStyle = circled
		p.Add(sc, circle)
	}
	g := glyphStyle(i)
	f.legend = append(f.legend, legendEntry{label: se.name, thumbs: []plot.Thumbnailer{lineThumb{glyph: &g}}})
	return len(se.rings) > 0, nil
}

// refLine is a reference line of a figure: agreement, a band, zero.
type refLine struct {
	xys plotter.XYs
	sty draw.LineStyle
}

// addRefLines draws the reference lines on p, under the points.
func addRefLines(p *plot.Plot, lines ...refLine) error {
	for _, l := range lines {
		ln, err := plotter.NewLine(l.xys)
		if err != nil {
			return err
		}
		ln.LineStyle = l.sty
		p.Add(ln)
	}
	return nil
}

// capitalize makes the first letter upper case, for a label.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
