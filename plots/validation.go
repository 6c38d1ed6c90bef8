package plots

import (
	"strings"

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

// capitalize makes the first letter upper case, for a label.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
