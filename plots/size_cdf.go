package plots

import (
	"cmp"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// CDFCommands is how many parent commands size-cdf draws a line for; the
// rest are gathered as "other".
const CDFCommands = 5

// MaxCDFPoints is how many points a distribution line has at most: exact
// quantiles, evenly spaced in rank.
const MaxCDFPoints = 200

// SizeCDF draws the distribution of the parents' resident sizes at their
// creations, one line per parent command (the most frequent ones, then the
// rest together), on a log axis of bytes.
func SizeCDF(d SizesSource, st Style) (*Figure, error) {
	const kind = "size-cdf"
	f := &Figure{Kind: kind,
		Caption: "distribution of the parent's resident size at each eligible creation, by parent command",
		Columns: []string{"comm", "creations", "resident_bytes", "fraction_at_or_below"}}
	groups := d.ParentSizes()
	slices.SortStableFunc(groups, func(a, b CommandSizes) int {
		return cmp.Or(cmp.Compare(len(b.Sizes), len(a.Sizes)), cmp.Compare(a.Comm, b.Comm))
	})
	if len(groups) > CDFCommands+1 {
		var other []float64
		for _, g := range groups[CDFCommands:] {
			other = append(other, g.Sizes...)
		}
		slices.Sort(other)
		groups = append(groups[:CDFCommands:CDFCommands], CommandSizes{Comm: "other", Sizes: other})
	}
	p := st.newPlot()
	p.X.Label.Text = "Parent resident size (log scale)"
	p.Y.Label.Text = "Share of creations at or below"
	zero, drawn := 0, 0
	for i, g := range groups {
		n := len(g.Sizes)
		if n == 0 {
			continue
		}
		var xy plotter.XYs
		step := 1
		if n > MaxCDFPoints {
			step = (n + MaxCDFPoints - 1) / MaxCDFPoints
		}
		for j := 0; j < n; j += step {
			xy = append(xy, plotter.XY{X: g.Sizes[j], Y: float64(j+1) / float64(n)})
		}
		if (n-1)%step != 0 {
			xy = append(xy, plotter.XY{X: g.Sizes[n-1], Y: 1})
		}
		name := g.Comm
		if name == "" {
			name = "(unknown)"
		}
		for _, q := range xy {
			f.Rows = append(f.Rows, []string{name, itoa(int64(n)), ftoa(q.X), ftoa(q.Y)})
		}
		// A log axis cannot show zero-size parents: they count in the
		// fractions, but the line starts at the first non-zero size.
		var pos plotter.XYs
		for _, q := range xy {
			if q.X > 0 {
				pos = append(pos, q)
			}
		}
		for _, s := range g.Sizes {
			if s <= 0 {
				zero++
			}
		}
		if len(pos) == 0 {
			continue
		}
		// Start each line at zero share, at its smallest size.
		pos = append(plotter.XYs{{X: pos[0].X, Y: 0}}, pos...)
		pos = logXY(pos, 1, false)
		l, err := newLine(pos, i)
		if err != nil {
			return nil, err
		}
		l.StepStyle = plotter.PostStep
		var marks plotter.XYs
		for k := 1; k <= 3; k++ {
			marks = append(marks, pos[(len(pos)-1)*k/4+i%2])
		}
		sc, err := newScatter(marks, i)
		if err != nil {
			return nil, err
		}
		p.Add(l, sc)
		g2 := glyphStyle(i)
		f.legend = append(f.legend, legendEntry{label: name + " (" + itoa(int64(n)) + ")", thumbs: []plot.Thumbnailer{lineThumb{line: lineStyle(i), glyph: &g2}}})
		drawn++
	}
	if len(f.Rows) == 0 {
		return nil, noData(kind, "no eligible creation with sizes in the traces")
	}
	if drawn == 0 {
		return nil, noData(kind, "every eligible creation's parent has zero resident size: nothing to place on a log axis")
	}
	if zero > 0 {
		f.Notes = append(f.Notes, itoa(int64(zero))+" creations had a zero-size parent: they count in the fractions but cannot be drawn on the log axis")
	}
	byteAxis(&p.X)
	p.Y.Min, p.Y.Max = 0, 1
	f.panels = []*plot.Plot{p}
	return f, nil
}
