package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Style is the paper style every figure is drawn in: its size and fonts.
type Style struct {
	// Width and Height of the whole figure.
	Width, Height vg.Length
	// FontSize is the size of axis labels; tick labels and the legend are
	// one point smaller.
	FontSize vg.Length
}

// Column widths of a two-column paper.
const (
	SingleColumn = 3.3 * vg.Inch
	DoubleColumn = 7 * vg.Inch
)

// Paper returns the style for a figure width: 8 pt labels, and a height
// that suits one column (two thirds of the width) or two (three sevenths).
func Paper(width vg.Length) Style {
	h := width * 0.7
	if width > 4.5*vg.Inch {
		h = width * 3 / 7
	}
	return Style{Width: width, Height: h, FontSize: 8}
}

// ParseWidth reads a --width value: a length with a unit (3.3in, 84mm,
// 8.4cm, 240pt) or "single" / "double" for a column of a two-column paper.
func ParseWidth(s string) (vg.Length, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "single", "column":
		return SingleColumn, nil
	case "double", "page":
		return DoubleColumn, nil
	}
	units := []struct {
		suffix string
		unit   vg.Length
	}{{"in", vg.Inch}, {"mm", vg.Millimeter}, {"cm", vg.Centimeter}, {"pt", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				return 0, fmt.Errorf("width %q: want a positive length such as 3.3in, 84mm or 7in", s)
			}
			w := vg.Length(v) * u.unit
			if w < 1.5*vg.Inch || w > 20*vg.Inch {
				return 0, fmt.Errorf("width %q: want between 1.5in and 20in", s)
			}
			return w, nil
		}
	}
	return 0, fmt.Errorf("width %q: give a unit (in, mm, cm, pt) or say single or double", s)
}

// sansFont is Liberation Sans, embedded in gonum/plot: no system fonts.
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

func (st Style) font(size vg.Length) font.Font {
	f := sansFont
	f.Size = size
	return f
}

// newPlot returns a plot with the paper's fonts, tick lengths and padding.
func (st Style) newPlot() *plot.Plot {
	p := plot.New()
	p.Title.TextStyle.Font = st.font(st.FontSize + 1)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = st.font(st.FontSize)
		ax.Label.Padding = 2
		ax.Tick.Label.Font = st.font(st.FontSize - 1)
		ax.Tick.Length = 3
		ax.Tick.LineStyle.Width = 0.5
		ax.LineStyle.Width = 0.5
		ax.Padding = 2
		ax.Tick.Marker = roundTicks{}
	}
	p.Legend.TextStyle.Font = st.font(st.FontSize - 1)
	p.Legend.ThumbnailWidth = 14
	return p
}

// Series styles: colours from Okabe and Ito's palette, safe for the common
// colour-blindnesses, each with a dash pattern and a marker of its own so
// that a greyscale print still tells them apart.
var (
	lineColors = []color.Color{
		rgb(0x00, 0x72, 0xB2), // blue
		rgb(0xD5, 0x5E, 0x00), // vermillion
		rgb(0x00, 0x9E, 0x73), // bluish green
		rgb(0xCC, 0x79, 0xA7), // reddish purple
		rgb(0xE6, 0x9F, 0x00), // orange
		rgb(0x56, 0xB4, 0xE9), // sky blue
		rgb(0x00, 0x00, 0x00), // black
	}
	lineDashes = [][]vg.Length{
		nil,
		{4, 2},
		{1, 1.5},
		{5, 1.5, 1, 1.5},
		{2.5, 2.5},
		{6, 2, 1, 2, 1, 2},
		{1, 3},
	}
	glyphs = []draw.GlyphDrawer{
		draw.CircleGlyph{},
		draw.BoxGlyph{},
		draw.TriangleGlyph{},
		draw.CrossGlyph{},
		draw.RingGlyph{},
		draw.PyramidGlyph{},
		draw.PlusGlyph{},
	}
	// fillColors are bar fills of strictly falling lightness (a
	// colour-blind-safe sequential ramp, viridis-like), so that stacked
	// and grouped bars stay distinct in greyscale; every bar also has a
	// black outline.
	fillColors = []color.Color{
		rgb(0xFD, 0xE7, 0x25),
		rgb(0xA0, 0xDA, 0x39),
		rgb(0x4A, 0xC1, 0x6D),
		rgb(0x1F, 0xA1, 0x87),
		rgb(0x27, 0x7F, 0x8E),
		rgb(0x36, 0x5C, 0x8D),
		rgb(0x46, 0x33, 0x7E),
		rgb(0x44, 0x01, 0x54),
	}
	grey = rgb(0x99, 0x99, 0x99)
)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 255} }

// seriesStyle returns series i's colour, dash and marker indices: the
// first seven in step, then each round of seven shifts the dashes by one
// and the markers by two more, so that no two of the first 49 series share
// all three (series i = 7q+a is (a, a+q, a+2q) mod 7).
func seriesStyle(i int) (colour, dash, glyph int) {
	n := len(lineColors) // lineDashes and glyphs have as many
	a, q := i%n, (i/n)%n
	return a, (a + q) % n, (a + 2*q) % n
}

// lineStyle is series i's line.
func lineStyle(i int) draw.LineStyle {
	c, d, _ := seriesStyle(i)
	return draw.LineStyle{Color: lineColors[c], Width: 1, Dashes: lineDashes[d]}
}

// glyphStyle is series i's marker.
func glyphStyle(i int) draw.GlyphStyle {
	c, _, g := seriesStyle(i)
	return draw.GlyphStyle{Color: lineColors[c], Radius: 1.6, Shape: glyphs[g]}
}

// seriesColour is series i's colour.
func seriesColour(i int) color.Color {
	c, _, _ := seriesStyle(i)
	return lineColors[c]
}

// withAlpha returns c at opacity a (0..1), premultiplied as image/color
// wants.
func withAlpha(c color.Color, a float64) color.Color {
	r, g, b, _ := c.RGBA()
	return color.RGBA64{R: uint16(float64(r) * a), G: uint16(float64(g) * a), B: uint16(float64(b) * a), A: uint16(0xffff * a)}
}

// fills returns n fills of falling lightness spread over the ramp.
func fills(n int) []color.Color {
	if n <= 0 {
		return nil
	}
	out := make([]color.Color, n)
	for i := range out {
		j := 0
		if n > 1 {
			j = int(math.Round(float64(i) * float64(len(fillColors)-1) / float64(n-1)))
		}
		out[i] = fillColors[j]
	}
	return out
}

// outline is the outline of every bar.
var outline = draw.LineStyle{Color: color.Black, Width: 0.4}

// roundTicks puts four to seven major ticks at round values (1, 2 or 5
// times a power of ten) and labels them with no more decimals than they
// need.
// With n set, it aims at n intervals rather than six (for narrow panels).
type roundTicks struct{ n int }

func (t roundTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return []plot.Tick{{Value: min, Label: formatTick(min, 1)}}
	}
	n := 6.0
	if t.n > 0 {
		n = float64(t.n)
	}
	step := niceStep((max - min) / n)
	var ticks []plot.Tick
	start := math.Ceil(min/step-1e-9) * step
	for v := start; v <= max+step*1e-9; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v, step)})
	}
	// Unlabelled minor ticks halfway.
	for v := start - step/2; v <= max; v += step {
		if v >= min {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= x*(1-1e-9) {
			return m * e
		}
	}
	return 10 * e
}

func formatTick(v, step float64) string {
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// roundAxis widens a linear axis to round values, from zero when zero is
// in view or includeZero.
func roundAxis(ax *plot.Axis, includeZero bool) {
	lo, hi := ax.Min, ax.Max
	if includeZero {
		lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / 6)
	ax.Min = math.Floor(lo/step+1e-9) * step
	ax.Max = math.Ceil(hi/step-1e-9) * step
}

// Log axes. gonum's LogScale misplaces the axis labels' glyph boxes (it
// takes the label's middle at the arithmetic mean of the range, which on a
// log axis squeezes the plot) and panics on values <= 0, so the figures
// plot logarithms on linear axes instead and label the ticks with the
// values: log10 for times, log2 for bytes.

// log10Ticks labels the decades of a log10 axis with plain numbers (0.1,
// 1, 10, 1000) and marks 2 to 9 times each decade as minor ticks; when the
// axis spans less than two decades, 2 and 5 are labelled too.
type log10Ticks struct{}

func (log10Ticks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return nil
	}
	lo, hi := math.Floor(min), math.Ceil(max)
	few := hi-lo <= 2
	var ticks []plot.Tick
	for e := lo; e <= hi; e++ {
		for m := 1.0; m < 10; m++ {
			v := e + math.Log10(m)
			if v < min-1e-9 || v > max+1e-9 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (few && (m == 2 || m == 5)) {
				prec := 0
				if e < 0 {
					prec = int(-e)
				}
				t.Label = strconv.FormatFloat(m*math.Pow(10, e), 'f', prec, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// log10Axis makes ax a log10 axis with limits at whole decades.
func log10Axis(ax *plot.Axis) {
	ax.Tick.Marker = log10Ticks{}
	ax.Min = math.Floor(ax.Min + 1e-9)
	ax.Max = math.Ceil(ax.Max - 1e-9)
	if ax.Max <= ax.Min {
		ax.Max = ax.Min + 1
	}
}

// log2ByteTicks labels a log2 axis of bytes at powers of two with binary
// units (64 KiB, 1 MiB, 16 MiB, 1 GiB); other powers of two are minor
// ticks.
type log2ByteTicks struct{}

func (log2ByteTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return nil
	}
	lo, hi := int(math.Ceil(min-1e-9)), int(math.Floor(max+1e-9))
	every := 1
	for (hi-lo)/every > 6 {
		every *= 2
	}
	var ticks []plot.Tick
	for e := lo; e <= hi; e++ {
		t := plot.Tick{Value: float64(e)}
		if e%every == 0 {
			t.Label = FormatBytes(math.Ldexp(1, e))
		}
		ticks = append(ticks, t)
		// Over two octaves or less, halfway (1.5 times) is labelled too,
		// so that the axis has at least three labels.
		if hi-lo <= 2 && e < hi {
			v := float64(e) + math.Log2(1.5)
			ticks = append(ticks, plot.Tick{Value: v, Label: FormatBytes(1.5 * math.Ldexp(1, e))})
		}
	}
	return ticks
}

// byteAxis makes ax a log2 axis of bytes with limits at powers of two.
func byteAxis(ax *plot.Axis) {
	ax.Tick.Marker = log2ByteTicks{}
	ax.Min = math.Floor(ax.Min + 1e-9)
	ax.Max = math.Ceil(ax.Max - 1e-9)
	if ax.Max <= ax.Min {
		ax.Max = ax.Min + 1
	}
}

// logXY returns xys with X replaced by its log2 (bytes) and Y by log10 of
// Y times yscale, as the log axes want; ylog false keeps Y linear (times
// yscale). Points that a log cannot take are dropped.
func logXY(xys plotter.XYs, yscale float64, ylog bool) plotter.XYs {
	out := make(plotter.XYs, 0, len(xys))
	for _, q := range xys {
		y := q.Y * yscale
		if q.X <= 0 || (ylog && y <= 0) {
			continue
		}
		if ylog {
			y = math.Log10(y)
		}
		out = append(out, plotter.XY{X: math.Log2(q.X), Y: y})
	}
	return out
}

// FormatBytes writes a size with a binary unit: 512 B, 64 KiB, 1.5 MiB.
func FormatBytes(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for math.Abs(v) >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + " " + units[i]
}

// timeUnit picks the unit in which seconds up to max read best.
func timeUnit(max float64) (scale float64, name string) {
	a := math.Abs(max)
	switch {
	case a >= 1:
		return 1, "s"
	case a >= 1e-3:
		return 1e3, "ms"
	case a >= 1e-6:
		return 1e6, "µs"
	default:
		return 1e9, "ns"
	}
}

// legendEntry is one entry of a figure's legend.
type legendEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

// legendStrip lays a legend out in rows above the plot, so that it never
// covers data. It returns the height it needs for width w.
func legendHeight(st Style, entries []legendEntry, w vg.Length) vg.Length {
	rows := legendRows(st, entries, w)
	if len(rows) == 0 {
		return 0
	}
	return vg.Length(len(rows))*legendRowHeight(st) + 2
}

const legendThumb, legendGap = 14, 8

func legendRowHeight(st Style) vg.Length { return (st.FontSize - 1) * 1.35 }

func legendTextStyle(st Style) draw.TextStyle {
	p := plot.New()
	sty := p.Legend.TextStyle
	sty.Font = st.font(st.FontSize - 1)
	return sty
}

// width is the entry's width in the legend: its thumbnail, if any, and
// its text.
func (e legendEntry) width(sty draw.TextStyle) vg.Length {
	w := sty.Width(e.label)
	if len(e.thumbs) > 0 {
		w += legendThumb + 3
	}
	return w
}

func legendRows(st Style, entries []legendEntry, w vg.Length) [][]int {
	sty := legendTextStyle(st)
	var rows [][]int
	var cur []int
	var x vg.Length
	for i, e := range entries {
		ew := e.width(sty) + legendGap
		if len(cur) > 0 && x+ew > w {
			rows = append(rows, cur)
			cur, x = nil, 0
		}
		cur = append(cur, i)
		x += ew
	}
	if len(cur) > 0 {
		rows = append(rows, cur)
	}
	return rows
}

// drawLegend draws the entries centred in rows across c.
func drawLegend(st Style, c draw.Canvas, entries []legendEntry) {
	sty := legendTextStyle(st)
	sty.YAlign = draw.YCenter
	rh := legendRowHeight(st)
	y := c.Max.Y - rh/2
	for _, row := range legendRows(st, entries, c.Size().X) {
		var total vg.Length
		for _, i := range row {
			total += entries[i].width(sty) + legendGap
		}
		total -= legendGap
		x := c.Min.X + (c.Size().X-total)/2
		for _, i := range row {
			e := entries[i]
			if len(e.thumbs) > 0 {
				tc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
					Min: vg.Point{X: x, Y: y - rh*0.35},
					Max: vg.Point{X: x + legendThumb, Y: y + rh*0.35},
				}}
				for _, t := range e.thumbs {
					t.Thumbnail(&tc)
				}
				x += legendThumb + 3
			}
			c.FillText(sty, vg.Point{X: x, Y: y}, e.label)
			x += sty.Width(e.label) + legendGap
		}
		y -= rh
	}
}

// lineThumb draws a legend thumbnail of a line with a marker in the middle.
type lineThumb struct {
	line  draw.LineStyle
	glyph *draw.GlyphStyle
}

func (t lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	if t.line.Width > 0 {
		c.StrokeLine2(t.line, c.Min.X, y, c.Max.X, y)
	}
	if t.glyph != nil {
		c.DrawGlyphNoClip(*t.glyph, c.Center())
	}
}

// boxThumb draws a legend thumbnail of a filled bar, hatched with
// hatches[hatch].
type boxThumb struct {
	fill  color.Color
	hatch int
}

func (t boxThumb) Thumbnail(c *draw.Canvas) {
	r := vg.Rectangle{Min: vg.Point{X: c.Min.X + 2, Y: c.Min.Y}, Max: vg.Point{X: c.Max.X - 2, Y: c.Max.Y}}
	fillBox(c, r, t.fill, t.hatch)
}

// fillBox fills r, hatches it and outlines it.
func fillBox(c *draw.Canvas, r vg.Rectangle, fill color.Color, hatch int) {
	c.SetColor(fill)
	c.Fill(r.Path())
	drawHatch(c, r, fill, hatch)
	c.StrokeLines(outline, []vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}, r.Min})
}

// hatches are the line patterns that tell bar fills apart where colour
// and lightness do not (greyscale print, neighbouring lightnesses): the
// angles of their lines, in degrees. The first is none.
var hatches = [][]float64{nil, {45}, {-45}, {90}, {45, -45}, {0}, {0, 90}, {67.5}}

const hatchSpacing = 2.8

// drawHatch draws hatches[k]'s lines across r, in black on light fills and
// white on dark ones. The lines sit on a grid fixed to the page, so that
// neighbouring segments of one pattern join up.
func drawHatch(c *draw.Canvas, r vg.Rectangle, fill color.Color, k int) {
	angles := hatches[k%len(hatches)]
	if len(angles) == 0 || r.Size().X < 1 || r.Size().Y < 1 {
		return
	}
	sty := draw.LineStyle{Color: color.Black, Width: 0.35}
	if luminance(fill) < 0.4*0xffff {
		sty.Color = color.White
	}
	corners := []vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}}
	for _, deg := range angles {
		a := deg * math.Pi / 180
		dx, dy := math.Cos(a), math.Sin(a) // along the lines
		nx, ny := -dy, dx                  // across them
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range corners {
			s := float64(p.X)*nx + float64(p.Y)*ny
			lo, hi = math.Min(lo, s), math.Max(hi, s)
		}
		for k := math.Ceil(lo / hatchSpacing); k*hatchSpacing <= hi; k++ {
			s := k * hatchSpacing
			x0, y0 := s*nx, s*ny // a point of the line
			// Clip the line x0 + t*dx, y0 + t*dy to r.
			tmin, tmax := math.Inf(-1), math.Inf(1)
			ok := true
			for _, ax := range [2][4]float64{{x0, dx, float64(r.Min.X), float64(r.Max.X)}, {y0, dy, float64(r.Min.Y), float64(r.Max.Y)}} {
				p, d, mn, mx := ax[0], ax[1], ax[2], ax[3]
				if math.Abs(d) < 1e-12 {
					if p < mn || p > mx {
						ok = false
					}
					continue
				}
				t1, t2 := (mn-p)/d, (mx-p)/d
				if t1 > t2 {
					t1, t2 = t2, t1
				}
				tmin, tmax = math.Max(tmin, t1), math.Min(tmax, t2)
			}
			if !ok || tmax-tmin < 0.3 {
				continue
			}
			c.StrokeLine2(sty, vg.Length(x0+tmin*dx), vg.Length(y0+tmin*dy), vg.Length(x0+tmax*dx), vg.Length(y0+tmax*dy))
		}
	}
}

// luminance is c's relative luminance, 0 to 0xffff.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return 0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)
}

// newLine is a line plotter in series i's style (nil glyphs).
func newLine(xys plotter.XYer, i int) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.LineStyle = lineStyle(i)
	return l, nil
}

// newScatter is a scatter plotter in series i's marker.
func newScatter(xys plotter.XYer, i int) (*plotter.Scatter, error) {
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle = glyphStyle(i)
	return s, nil
}

// seriesNames returns the names by which figures tell machines apart, and
// a title that says what they share. Variants of one machine from a
// --set sweep (ppro200[soft_fault_ns=250], ...) are named by their
// values alone (250, ...), titled "ppro200, soft_fault_ns"; variants of
// several parameters by their settings, titled by the machine. Other
// machines keep their names and have no title.
func seriesNames(ms []Machine) (names []string, title string) {
	names = make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	if len(ms) < 2 {
		return names, ""
	}
	base, key := "", ""
	inner := make([]string, len(ms))
	for i, m := range ms {
		b, rest, ok := strings.Cut(m.Name, "[")
		in, ok2 := strings.CutSuffix(rest, "]")
		if !ok || !ok2 || (i > 0 && b != base) {
			return names, ""
		}
		base, inner[i] = b, in
		k, _, _ := strings.Cut(in, "=")
		if strings.Contains(in, ",") || (i > 0 && k != key) {
			key = "\x00" // several parameters, or different ones
		} else if i == 0 {
			key = k
		}
	}
	if key == "\x00" {
		return inner, base
	}
	for i, in := range inner {
		_, v, _ := strings.Cut(in, "=")
		inner[i] = v
	}
	return inner, base + ", " + key
}

// machineTitle names the machine of a figure drawn per machine inside it,
// so that it travels with the figure, not only with its file name.
func machineTitle(st Style, p *plot.Plot, name string) {
	p.Title.Text = name
	p.Title.TextStyle.Font = st.font(st.FontSize)
	p.Title.Padding = 2
}

// panelNames returns the names of machines' panels: variants of one
// machine by their settings alone (soft_fault_ns=250), as panels side by
// side have no room for more; other machines by their names.
func panelNames(ms []Machine) []string {
	names, title := seriesNames(ms)
	if title == "" {
		return names
	}
	for i, m := range ms {
		_, rest, _ := strings.Cut(m.Name, "[")
		names[i] = strings.TrimSuffix(rest, "]")
	}
	return names
}
