package validate

import (
	"bytes"
	"fmt"
	"math"
	"sort"
)

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"}

type plot struct {
	b                              bytes.Buffer
	w, h, left, right, top, bottom float64
	x0, x1, y0, y1                 float64 // data range (already transformed)
}

func newPlot(title, xlabel, ylabel string, x0, x1, y0, y1 float64) *plot {
	p := &plot{w: 760, h: 520, left: 80, right: 220, top: 40, bottom: 60, x0: x0, x1: x1, y0: y0, y1: y1}
	fmt.Fprintf(&p.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" font-family="sans-serif" font-size="12">`+"\n", p.w, p.h)
	fmt.Fprintf(&p.b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&p.b, `<text x="%g" y="22" font-size="15">%s</text>`+"\n", p.left, esc(title))
	fmt.Fprintf(&p.b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#444"/>`+"\n", p.left, p.top, p.pw(), p.ph())
	fmt.Fprintf(&p.b, `<text x="%g" y="%g" text-anchor="middle">%s</text>`+"\n", p.left+p.pw()/2, p.h-15, esc(xlabel))
	fmt.Fprintf(&p.b, `<text transform="translate(18,%g) rotate(-90)" text-anchor="middle">%s</text>`+"\n", p.top+p.ph()/2, esc(ylabel))
	return p
}

func (p *plot) pw() float64 { return p.w - p.left - p.right }
func (p *plot) ph() float64 { return p.h - p.top - p.bottom }
func (p *plot) X(x float64) float64 {
	return p.left + (x-p.x0)/(p.x1-p.x0)*p.pw()
}
func (p *plot) Y(y float64) float64 {
	return p.top + p.ph() - (y-p.y0)/(p.y1-p.y0)*p.ph()
}

func (p *plot) xtick(x float64, label string) {
	fmt.Fprintf(&p.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n",
		p.X(x), p.top, p.X(x), p.top+p.ph(), p.X(x), p.top+p.ph()+16, esc(label))
}

func (p *plot) ytick(y float64, label string) {
	fmt.Fprintf(&p.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/><text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n",
		p.left, p.Y(y), p.left+p.pw(), p.Y(y), p.left-6, p.Y(y)+4, esc(label))
}

func (p *plot) line(x0, y0, x1, y1 float64, style string) {
	fmt.Fprintf(&p.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" %s/>`+"\n", p.X(x0), p.Y(y0), p.X(x1), p.Y(y1), style)
}

func (p *plot) point(x, y float64, color string, hollow bool, tip string) {
	fill := color
	if hollow {
		fill = "white"
	}
	fmt.Fprintf(&p.b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s" stroke="%s"><title>%s</title></circle>`+"\n", p.X(x), p.Y(y), fill, color, esc(tip))
}

func (p *plot) legend(i int, color, label string) {
	x, y := p.w-p.right+15, p.top+10+float64(i)*18
	fmt.Fprintf(&p.b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/><text x="%.1f" y="%.1f">%s</text>`+"\n", x, y, color, x+10, y+4, esc(label))
}

func (p *plot) end() []byte {
	p.b.WriteString("</svg>\n")
	return p.b.Bytes()
}

func esc(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func decades(lo, hi float64) []float64 {
	var out []float64
	for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
		out = append(out, e)
	}
	return out
}

func decadeLabel(e float64) string {
	v := math.Pow(10, e)
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gs", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gms", v/1e3)
	case v >= 1:
		return fmt.Sprintf("%gus", v)
	}
	return fmt.Sprintf("%gns", v*1e3)
}

// PredictedVsObserved draws every time row (us or ms) on log-log axes with
// the line of perfect agreement; hollow points are figures used to set a
// parameter.
func PredictedVsObserved(rows []Row) []byte {
	type pt struct {
		x, y float64
		r    Row
	}
	groups := map[string][]pt{}
	var order []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		scale := 0.0
		switch r.Unit {
		case "us":
			scale = 1
		case "ms":
			scale = 1e3
		default:
			continue
		}
		if r.Predicted <= 0 || r.Observed <= 0 {
			continue
		}
		x, y := math.Log10(r.Observed*scale), math.Log10(r.Predicted*scale)
		g := r.Group
		if g == GroupPublished {
			g += ": " + r.Machine
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], pt{x, y, r})
		lo, hi = math.Min(lo, math.Min(x, y)), math.Max(hi, math.Max(x, y))
	}
	if len(order) == 0 {
		lo, hi = 0, 3
	}
	lo, hi = math.Floor(lo), math.Ceil(hi)
	if hi == lo {
		hi++
	}
	p := newPlot("forkcost: predicted against observed", "observed (log)", "predicted (log)", lo, hi, lo, hi)
	for _, e := range decades(lo, hi) {
		p.xtick(e, decadeLabel(e))
		p.ytick(e, decadeLabel(e))
	}
	p.line(lo, lo, hi, hi, `stroke="#888" stroke-dasharray="4 3"`)
	p.line(lo, lo+math.Log10(1.5), hi-math.Log10(1.5), hi, `stroke="#ccc" stroke-dasharray="2 3"`)
	p.line(lo+math.Log10(1.5), lo, hi, hi-math.Log10(1.5), `stroke="#ccc" stroke-dasharray="2 3"`)
	for i, g := range order {
		c := palette[i%len(palette)]
		p.legend(i, c, g)
		for _, q := range groups[g] {
			tip := fmt.Sprintf("%s %s %s %s: predicted %.4g, observed %.4g %s (%+.0f%%)", q.r.ID, q.r.Machine, q.r.What, q.r.Sequence, q.r.Predicted, q.r.Observed, q.r.Unit, 100*q.r.RelErr)
			p.point(q.x, q.y, c, q.r.Used, tip)
		}
	}
	p.legend(len(order), "#888", "dashed: agreement; dotted: x1.5")
	return p.end()
}

// ResidualsVsSize draws the host rows' relative errors against buffer size,
// one colour per check.
func ResidualsVsSize(rows []Row) []byte {
	type pt struct {
		x, y float64
		r    Row
	}
	groups := map[string][]pt{}
	var order []string
	ymax := 0.25
	for _, r := range rows {
		if r.Group == GroupPublished {
			continue
		}
		x := math.Log2(math.Max(r.MiB, 0.5))
		if _, ok := groups[r.What]; !ok {
			order = append(order, r.What)
		}
		groups[r.What] = append(groups[r.What], pt{x, r.RelErr, r})
		// The scale follows the held-out and untouched rows; the huge-page
		// rows, off by an order of magnitude, are drawn clipped at the edge.
		if r.Group != GroupTHP {
			ymax = math.Max(ymax, math.Min(math.Abs(r.RelErr), 1.5))
		}
	}
	sort.Strings(order)
	ymax = math.Ceil(ymax*4) / 4
	p := newPlot("forkcost: host residuals against buffer size", "buffer MiB (log2; 0 drawn at 0.5)", "(predicted - observed) / observed", -1.5, 11, -ymax, ymax)
	for e := -1.0; e <= 10; e++ {
		lbl := fmt.Sprintf("%g", math.Pow(2, e))
		if e == -1 {
			lbl = "0"
		}
		if int(e)%2 == 0 || e == -1 {
			p.xtick(e, lbl)
		}
	}
	for y := -ymax; y <= ymax+1e-9; y += ymax / 4 {
		p.ytick(y, fmt.Sprintf("%+.0f%%", 100*y))
	}
	p.line(-1.5, 0, 11, 0, `stroke="#888"`)
	p.line(-1.5, 0.15, 11, 0.15, `stroke="#ccc" stroke-dasharray="2 3"`)
	p.line(-1.5, -0.15, 11, -0.15, `stroke="#ccc" stroke-dasharray="2 3"`)
	for i, g := range order {
		c := palette[i%len(palette)]
		p.legend(i, c, g)
		for _, q := range groups[g] {
			y := math.Max(-ymax, math.Min(ymax, q.y))
			tip := fmt.Sprintf("%s %s: predicted %.4g, observed %.4g us (%+.0f%%)", q.r.Group, q.r.ID, q.r.Predicted, q.r.Observed, 100*q.r.RelErr)
			p.point(q.x, y, c, q.r.Group != GroupHeldOut, tip)
		}
	}
	p.legend(len(order), "#888", "hollow: untouched / THP")
	p.legend(len(order)+1, "#888", "points at the edge are clipped")
	return p.end()
}
