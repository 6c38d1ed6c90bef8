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
	type group struct {
		saved       []float64
		ranges      []*[2]float64
		max, lowest float64
		native      int
	}
	groups := make([]group, len(ms))
	for m, mach := range ms {
		vf, _ := d.StrategyTotal(m, model.VForkShare)
		g := group{saved: make([]float64, n), ranges: make([]*[2]float64, n), native: nativeIndex(mach.Native)}
		for i, s := range ForkStrategies {
			t, _ := d.StrategyTotal(m, s)
			g.saved[i] = t - vf
			if t > 0 {
				any = true
			}
			g.max = math.Max(g.max, g.saved[i])
			g.lowest = math.Min(g.lowest, g.saved[i])
			native := "no"
			if s == mach.Native {
				native = "yes"
			}
			row := []string{mach.Name, s, native, ftoa(g.saved[i]), "", ""}
			if iv != nil {
				if lo, hi, ok := iv.SavingInterval(m, s); ok {
					g.ranges[i] = &[2]float64{lo, hi}
					g.max = math.Max(g.max, hi)
					g.lowest = math.Min(g.lowest, lo)
					row[4], row[5] = ftoa(lo), ftoa(hi)
					anyInterval = true
				}
			}
			f.Rows = append(f.Rows, row)
		}
		groups[m] = g
	}
	if !any {
		return nil, noData(kind, "no eligible creation with sizes in the traces: every total is zero")
	}
	// One panel per machine, each with its own scale, when the machines'
	// savings differ by more than ten times and the panels fit (about an
	// inch each); otherwise one panel, the machines side by side in it.
	maxAll, lowAll, minMax := 0.0, 0.0, math.Inf(1)
	for _, g := range groups {
		maxAll, lowAll = math.Max(maxAll, g.max), math.Min(lowAll, g.lowest)
		minMax = math.Min(minMax, g.max)
	}
	// The panels, an inch wide at least, go in a grid of as many rows
	// as they need, balanced.
	fit := max(1, int(st.Width/vg.Inch))
	panels := len(ms) > 1 && maxAll > 10*minMax
	rows := (len(ms) + fit - 1) / fit
	cols := (len(ms) + rows - 1) / rows
	labelled := true
	note := func(g group, x float64, scale float64, bw vg.Length) *barNotes {
		// A value written over a bar narrower than its text's height
		// would run into the next bar's value or range cap: bars that
		// narrow go unlabelled.
		ok := bw >= st.FontSize-2+0.5
		labelled = labelled && ok
		return &barNotes{x: x, values: g.saved, ranges: g.ranges, scale: scale, width: bw, native: g.native, font: st.font(st.FontSize - 2), labels: ok}
	}
	addBars := func(p *plot.Plot, g group, x float64, scale float64, bw vg.Length) error {
		for i := range ForkStrategies {
			b, err := plotter.NewBarChart(plotter.Values{g.saved[i] * scale}, bw)
			if err != nil {
				return err
			}
			b.XMin = x
			b.Color = bars[i]
			b.LineStyle = outline
			b.Offset = vg.Length(float64(i)-float64(n-1)/2) * bw
			p.Add(b)
		}
		// Ranges, value labels and the native mark sit on and above the
		// bars, placed by a plotter of their own.
		p.Add(note(g, x, scale, bw))
		return nil
	}
	// yRange leaves room above the tallest bar for its mark and label (the
	// ticks stay at round values), and below zero for a profile that makes
	// vfork-share the dearer.
	yRange := func(p *plot.Plot, lowest, max, scale float64) {
		p.Y.Min = lowest * scale * 1.1
		p.Y.Max = max * scale * 1.45
		if p.Y.Max <= p.Y.Min {
			p.Y.Max = p.Y.Min + 1
		}
	}
	if panels {
		bw := vg.Length(float64(st.Width) * 0.5 / float64(cols*(n+1)))
		titles := panelNames(ms)
		for m := range ms {
			g := groups[m]
			scale, unit := timeUnit(math.Max(g.max, -g.lowest))
			p := st.newPlot()
			p.Y.Label.Text = "Saved (" + unit + ")"
			p.X.Label.Text = titles[m]
			if err := addBars(p, g, 0, scale, bw); err != nil {
				return nil, err
			}
			p.NominalX("")
			p.X.Tick.Length = 0
			yRange(p, g.lowest, g.max, scale)
			f.panels = append(f.panels, p)
		}
		f.cols = cols
		f.heightScale = 0.55 + 0.5*float64(rows)
	} else {
		bw := vg.Length(float64(st.Width) * 0.7 / float64(len(ms)*(n+1)))
		scale, unit := timeUnit(math.Max(maxAll, -lowAll))
		p := st.newPlot()
		p.Y.Label.Text = "Saved (" + unit + ")"
		names, title := seriesNames(ms)
		p.X.Label.Text = title
		var width vg.Length
		for m := range ms {
			if err := addBars(p, groups[m], float64(m), scale, bw); err != nil {
				return nil, err
			}
			width += p.X.Tick.Label.Width(names[m]) + 6
		}
		p.NominalX(names...)
		p.X.Tick.Length = 0
		if width > st.Width*0.8 {
			// Long names (variants of a machine): slanted.
			p.X.Tick.Label.Rotation = math.Pi / 6
			p.X.Tick.Label.XAlign = draw.XRight
			p.X.Tick.Label.YAlign = draw.YTop
		}
		p.X.Min, p.X.Max = -0.5, float64(len(ms))-0.5
		yRange(p, lowAll, maxAll, scale)
		f.panels = []*plot.Plot{p}
	}
	for i, s := range ForkStrategies {
		f.legend = append(f.legend, legendEntry{label: "vs " + s, thumbs: []plot.Thumbnailer{boxThumb{fill: bars[i]}}})
	}
	f.legend = append(f.legend, legendEntry{label: "native fork", thumbs: []plot.Thumbnailer{lineThumb{glyph: &nativeMark}}})
	if !labelled {
		f.Notes = append(f.Notes, "bars too narrow for their values go unlabelled: saved_s has every value")
	}
	if anyInterval {
		f.legend = append(f.legend, legendEntry{label: "90% range", thumbs: []plot.Thumbnailer{rangeThumb{}}})
		f.Notes = append(f.Notes, "saved_low_s, saved_high_s: the 5th and 95th percentiles of "+itoa(int64(iv.IntervalDraws()))+
			" draws of every parameter from its profile's plausible range (replay's Monte Carlo); given for fork-cow and for the machine's native fork")
	}
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
	x      float64 // the group's position on the X axis
	values []float64
	ranges []*[2]float64 // nil where there is none
	scale  float64
	width  vg.Length
	native int
	font   font.Font
	labels bool // write each bar's value
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
		x := trX(b.x) + vg.Length(float64(i)-float64(n-1)/2)*b.width
		top := math.Max(v*b.scale, 0)
		if r := b.ranges[i]; r != nil {
			lo, hi := trY(r[0]*b.scale), trY(r[1]*b.scale)
			c.StrokeLine2(rangeStyle, x, lo, x, hi)
			c.StrokeLine2(rangeStyle, x-rangeCap, lo, x+rangeCap, lo)
			c.StrokeLine2(rangeStyle, x-rangeCap, hi, x+rangeCap, hi)
			top = math.Max(top, r[1]*b.scale)
		}
		// The mark and the value clear the range's cap by a point and a
		// half.
		y := trY(top) + 1.5
		if i == b.native {
			c.DrawGlyphNoClip(nativeMark, vg.Point{X: x, Y: y + nativeMark.Radius})
			y += 2*nativeMark.Radius + 1
		}
		if b.labels {
			// Rotated a quarter turn, the text runs up from above the bar.
			c.FillText(sty, vg.Point{X: x, Y: y + 1}, fmtSeconds(v))
		}
	}
}
