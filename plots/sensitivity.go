package plots

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/forkcost/forkcost/model"
)

// TornadoRows is how many parameters the sensitivity figure shows: those
// that move the saving most. Its CSV has every one.
const TornadoRows = 10

// Sensitivity draws, for machine m, a tornado chart: how the total saving
// of vfork-share over fork-cow moves when each parameter is halved and
// when it is doubled, the parameters that move it most on top.
func Sensitivity(d SensitivitySource, m int, st Style) (*Figure, error) {
	const kind = "sensitivity"
	mach := d.Machines()[m]
	base, swings := d.Sensitivity(m)
	f := &Figure{Kind: kind, Machine: mach.Name,
		Caption: "change in the total saving of vfork-share over fork-cow on " + mach.Name + " when each parameter is halved or doubled (fractions at most 1), the others as profiled",
		Columns: []string{"param", "value", "halved", "doubled", "saved_s", "saved_halved_s", "saved_doubled_s"},
		Notes: []string{"total saving as profiled: " + ftoa(base) + " s",
			"varied: every parameter but the flags (" + strings.Join(flagParams(), ", ") + "); fractions doubled at most to 1, page_size halved to no less than 512 bytes, cpus kept whole and at least 1"}}
	if len(swings) == 0 {
		return nil, noData(kind, "machine %s: no creation was collected for re-evaluation", mach.Name)
	}
	if base == 0 {
		return nil, noData(kind, "machine %s: the total saving is zero (no eligible creation with sizes?)", mach.Name)
	}
	for _, s := range swings {
		f.Rows = append(f.Rows, []string{s.Param, ftoa(s.Value), ftoa(s.Low), ftoa(s.High), ftoa(base), ftoa(s.SavedLow), ftoa(s.SavedHigh)})
	}
	swing := func(s Swing) float64 { return math.Max(math.Abs(s.SavedLow-base), math.Abs(s.SavedHigh-base)) }
	rows := slices.Clone(swings)
	slices.SortStableFunc(rows, func(a, b Swing) int { return cmp.Compare(swing(b), swing(a)) })
	rows = slices.DeleteFunc(rows, func(s Swing) bool { return swing(s) == 0 })
	if len(rows) > TornadoRows {
		rows = rows[:TornadoRows]
	}
	if len(rows) == 0 {
		return nil, noData(kind, "machine %s: no parameter moves the saving", mach.Name)
	}
	left := len(swings) - len(rows)
	if left > 0 {
		f.Notes = append(f.Notes, "drawn: the "+itoa(int64(len(rows)))+" parameters that move the saving most; "+itoa(int64(left))+" more in this CSV")
	}
	max := 0.0
	for _, s := range rows {
		max = math.Max(max, swing(s))
	}
	scale, unit := timeUnit(max)
	n := len(rows)
	low, high := make(plotter.Values, n), make(plotter.Values, n)
	names := make([]string, n)
	for i, s := range rows {
		// The biggest swing on top: the top of a nominal axis is the last.
		j := n - 1 - i
		low[j], high[j] = (s.SavedLow-base)*scale, (s.SavedHigh-base)*scale
		names[j] = s.Param
	}
	hs := 0.45 + 0.09*float64(n)
	bw := vg.Length(float64(st.Height)*hs*0.55/float64(n)) / 2
	p := st.newPlot()
	machineTitle(st, p, mach.Name)
	p.X.Label.Text = "Change in total saving (" + unit + "); as profiled: " + fmtSeconds(base)
	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	grid.Vertical.Color = rgb(0xdd, 0xdd, 0xdd)
	grid.Vertical.Width = 0.4
	p.Add(grid)
	fl := fills(4)
	styles := []struct {
		v     plotter.Values
		label string
		fill  int
		off   vg.Length
	}{{low, "halved", 3, bw / 2}, {high, "doubled", 1, -bw / 2}}
	for _, s := range styles {
		b, err := plotter.NewBarChart(s.v, bw)
		if err != nil {
			return nil, err
		}
		b.Horizontal = true
		b.Color = fl[s.fill]
		b.LineStyle = outline
		b.Offset = s.off
		p.Add(b)
		f.legend = append(f.legend, legendEntry{label: "parameter " + s.label, thumbs: []plot.Thumbnailer{boxThumb{fill: fl[s.fill]}}})
	}
	p.NominalY(names...)
	p.Y.Tick.Label.Font = st.font(st.FontSize - 1)
	// Half a row of room above and below: the bar pairs are offset from
	// their rows, which gonum's padding does not see.
	p.Y.Min, p.Y.Max = -0.6, float64(n-1)+0.6
	// Symmetric about zero, so the two sides read alike.
	p.X.Min, p.X.Max = -max*scale, max*scale
	roundAxis(&p.X, true)
	f.panels = []*plot.Plot{p}
	f.heightScale = hs
	return f, nil
}

func flagParams() []string {
	var names []string
	for _, s := range model.ParamSpecs() {
		if s.Unit == "flag" {
			names = append(names, s.Name)
		}
	}
	return names
}
