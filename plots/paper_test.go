package plots

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// Series must stay apart without colour: each of the first series has a
// dash pattern and a marker of its own, no two of the first 49 share
// colour, dash and marker (a --set sweep makes up to 64 machines), and
// bar fills fall in lightness and differ in hatching.
func TestSeriesSurviveGreyscale(t *testing.T) {
	n := len(lineColors)
	if len(lineDashes) != n || len(glyphs) != n {
		t.Fatalf("%d colours, %d dashes, %d markers: want as many of each", n, len(lineDashes), len(glyphs))
	}
	dashes, shapes := map[string]bool{}, map[string]bool{}
	for i := 0; i < n; i++ {
		d := fmt.Sprint(lineStyle(i).Dashes)
		s := fmt.Sprintf("%T", glyphStyle(i).Shape)
		if dashes[d] || shapes[s] {
			t.Errorf("series %d repeats a dash pattern (%s) or marker (%s)", i, d, s)
		}
		dashes[d], shapes[s] = true, true
	}
	styles := map[string]int{}
	for i := 0; i < n*n; i++ {
		key := fmt.Sprint(lineStyle(i).Color, lineStyle(i).Dashes, fmt.Sprintf("%T", glyphStyle(i).Shape))
		if j, ok := styles[key]; ok {
			t.Errorf("series %d has series %d's colour, dash and marker", i, j)
		}
		styles[key] = i
	}
	for k := 2; k <= len(fillColors); k++ {
		f := fills(k)
		for i := 1; i < k; i++ {
			if luminance(f[i]) >= luminance(f[i-1]) {
				t.Errorf("fills(%d): fill %d is not darker than fill %d", k, i, i-1)
			}
		}
	}
	seen := map[string]bool{}
	for _, h := range hatches {
		if seen[fmt.Sprint(h)] {
			t.Errorf("hatch %v repeated", h)
		}
		seen[fmt.Sprint(h)] = true
	}
	if len(hatches) < len(StepGroups)+1 {
		t.Errorf("%d hatches for %d step groups and other", len(hatches), len(StepGroups))
	}
}

func TestRoundTicks(t *testing.T) {
	for _, c := range []struct {
		min, max float64
		labels   string
	}{
		{0, 6.38, "[0 2 4 6]"},
		{0, 87, "[0 20 40 60 80]"},
		{-0.8, 1.6, "[-0.5 0.0 0.5 1.0 1.5]"},
		{0, 0.00052, "[0.0000 0.0001 0.0002 0.0003 0.0004 0.0005]"},
	} {
		var labels []string
		for _, tk := range (roundTicks{}).Ticks(c.min, c.max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := fmt.Sprint(labels); got != c.labels {
			t.Errorf("ticks over [%v, %v]: %s, want %s", c.min, c.max, got, c.labels)
		}
	}
}

func TestLogTicks(t *testing.T) {
	var labels []string
	for _, tk := range (log10Ticks{}).Ticks(-2, 3) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := fmt.Sprint(labels); got != "[0.01 0.1 1 10 100 1000]" {
		t.Errorf("log10 ticks: %s", got)
	}
	labels = nil
	for _, tk := range (log2ByteTicks{}).Ticks(16, 30) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := fmt.Sprint(labels); got != "[64 KiB 1 MiB 16 MiB 256 MiB]" {
		t.Errorf("byte ticks: %s", got)
	}
	if got := logXY(plotter.XYs{{X: 0, Y: 1}, {X: 1024, Y: 0}, {X: 1024, Y: 10}}, 1, true); len(got) != 1 || got[0].X != 10 || math.Abs(got[0].Y-1) > 1e-12 {
		t.Errorf("logXY keeps %v, want only (10, 1)", got)
	}
}

// vgpdf takes a colour's components as straight, not premultiplied: the
// PDF canvas must hand it a translucent colour's own hue, not a darker one.
func TestPDFTranslucentColour(t *testing.T) {
	blue := lineColors[0]
	r0, g0, b0, _ := blue.RGBA()
	r, g, b, a := straightAlpha{withAlpha(blue, 0.35)}.RGBA()
	if r>>8 != r0>>8 || g>>8 != g0>>8 || b>>8 != b0>>8 || math.Abs(float64(a)/0xffff-0.35) > 0.01 {
		t.Errorf("straight components %x %x %x alpha %x, want %x %x %x at 35%%", r>>8, g>>8, b>>8, a, r0>>8, g0>>8, b0>>8)
	}
}
