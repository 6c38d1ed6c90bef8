package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/forkcost/forkcost/model"
)

// ForkStrategies are the forks that machines sets vfork-share against.
var ForkStrategies = []string{model.ForkCopy, model.ForkCOW, model.ForkCOWPTE}

// nativeMark marks the bar of a machine's native fork.
var nativeMark = draw.GlyphStyle{Color: color.Black, Radius: 2.2, Shape: draw.PyramidGlyph{}}

// MachineSavings draws the seconds vfork-share saves over each fork
// strategy, one panel per machine side by side, each bar labelled with its
// value and the machine's native fork marked.
func MachineSavings(d TotalsSource, st Style) (*Figure, error) {
	const kind = "machines"
	ms := d.Machines()
	f := &Figure{Kind: kind,
		Caption: "total time vfork-share saves over each fork strategy on the trace's eligible creations, per machine; a triangle marks the machine's native fork",
		Columns: []string{"machine", "versus", "native", "saved_s", "saved_low_s", "saved_high_s"}}
	iv, _ := d.(IntervalSource)
	bars := fills(len(ForkStrategies))
	anyInterval := false
	any := false
	n := len(ForkStrategies)
	for m, mach := range ms {
		vf, _ := d.StrategyTotal(m, model.VForkShare)
		saved := make([]float64, n)
		ranges := make([]*[2]float64, n)
		max, lowest := 0.0, 0.0
		for i, s := range ForkStrategies {
			t, _ := d.StrategyTotal(m, s)
			saved[i] = t - vf
			if t > 0 {
				any = true
			}
			max = math.Max(max, saved[i])
			lowest = math.Min(lowest, saved[i])
			native := "no"
			if s == mach.Native {
				native = "yes"
			}
			row := []string{mach.Name, s, native, ftoa(saved[i]), "", ""}
			if iv != nil {
				if lo, hi, ok := iv.SavingInterval(m, s); ok {
					ranges[i] = &[2]float64{lo, hi}
					max = math.Max(max, hi)
					lowest = math.Min(lowest, lo)
					row[4], row[5] = ftoa(lo), ftoa(hi)
					anyInterval = true
				}
			}
			f.Rows = append(f.Rows, row)
		}
		scale, unit := timeUnit(math.Max(max, -lowest))
		p := st.newPlot()
		p.Y.Label.Text = "Saved (" + unit + ")"
		p.X.Label.Text = mach.Name
		bw := vg.Length(float64(st.Width) * 0.5 / float64(len(ms)*(n+1)))
		for i := range ForkStrategies {
			v := plotter.Values{saved[i] * scale}
			b, err := plotter.NewBarChart(v, bw)
			if err != nil {
				return nil, err
			}
			b.Color = bars[i]
			b.LineStyle = outline
			b.Offset = vg.Length(float64(i)-float64(n-1)/2) * bw
			p.Add(b)
		}
		// Value labels and the native mark sit above the bars: the bars are
		// at x = 0 ± offsets, which in data units are bar fractions of the
		// nominal width, so place them with a custom plotter.
		p.Add(&barNotes{values: saved, ranges: ranges, scale: scale, width: bw, native: nativeIndex(mach.Native), font: st.font(st.FontSize - 2)})
		p.NominalX("")
		p.X.Tick.Length = 0
		// Room above the tallest bar for its mark and label; the ticks
		// stay at round values.
		// (A profile may make vfork-share the dearer: such a bar goes
		// below zero.)
		p.Y.Min = lowest * scale * 1.1
		p.Y.Max = max * scale * 1.45
		if p.Y.Max <= p.Y.Min {
			p.Y.Max = p.Y.Min + 1
		}
		f.panels = append(f.panels, p)
	}
	if !any {
		return nil, noData(kind, "no eligible creation with sizes in the traces: every total is zero")
	}
	for i, s := range ForkStrategies {
		f.legend = append(f.legend, legendEntry{label: "vs " + s, thumbs: []plot.Thumbnailer{boxThumb{bars[i]}}})
	}
	f.legend = append(f.legend, legendEntry{label: "native fork", thumbs: []plot.Thumbnailer{lineThumb{glyph: &nativeMark}}})
	if anyInterval {
		f.legend = append(f.legend, legendEntry{label: "90% range", thumbs: []plot.Thumbnailer{rangeThumb{}}})
		if n, ok := iv.(interface{ IntervalDraws() int }); ok {
			f.Notes = append(f.Notes, "saved_low_s, saved_high_s: the 5th and 95th percentiles of "+itoa(int64(n.IntervalDraws()))+
				" draws of every parameter from its profile's plausible range (replay's Monte Carlo); given for fork-cow and for the machine's native fork")
		}
	}
	f.sideBySide = true
	return f, nil
}

func nativeIndex(native string) int {
	for i, s := range ForkStrategies {
		if s == native {
			return i
		}
	}
	return -1
}

// rangeStyle draws an interval: a vertical line with caps.
var rangeStyle = draw.LineStyle{Color: color.Black, Width: 0.6}

const rangeCap = 2.5

// rangeThumb is the legend's picture of an interval.
type rangeThumb struct{}

func (rangeThumb) Thumbnail(c *draw.Canvas) {
	x := c.Center().X
	lo, hi := c.Min.Y, c.Max.Y
	c.StrokeLine2(rangeStyle, x, lo, x, hi)
	c.StrokeLine2(rangeStyle, x-rangeCap, lo, x+rangeCap, lo)
	c.StrokeLine2(rangeStyle, x-rangeCap, hi, x+rangeCap, hi)
}

// barNotes draws each bar's interval, writes its value above it and marks
// the native one.
type barNotes struct {
	values []float64
	ranges []*[2]float64 // nil where there is none
	scale  float64
	width  vg.Length
	native int
	font   font.Font
}

func (b *barNotes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := p.Y.Tick.Label
	sty.Font = b.font
	sty.XAlign = draw.XLeft
	sty.YAlign = draw.YCenter
	sty.Rotation = math.Pi / 2
	n := len(b.values)
	for i, v := range b.values {
		x := trX(0) + vg.Length(float64(i)-float64(n-1)/2)*b.width
		top := math.Max(v*b.scale, 0)
		if r := b.ranges[i]; r != nil {
			lo, hi := trY(r[0]*b.scale), trY(r[1]*b.scale)
			c.StrokeLine2(rangeStyle, x, lo, x, hi)
			c.StrokeLine2(rangeStyle, x-rangeCap, lo, x+rangeCap, lo)
			c.StrokeLine2(rangeStyle, x-rangeCap, hi, x+rangeCap, hi)
			top = math.Max(top, r[1]*b.scale)
		}
		y := trY(top)
		if i == b.native {
			c.DrawGlyphNoClip(nativeMark, vg.Point{X: x, Y: y + 4})
			y += 8
		}
		// Rotated a quarter turn, the text runs up from above the bar.
		c.FillText(sty, vg.Point{X: x, Y: y + 2}, fmtSeconds(v))
	}
}
