package stats

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Expected values: the exact cases from the null distribution of U (for
// 5+5, P(U <= 10) = 87/252 = 0.345, as in published U tables); the tied
// case worked by hand: mid-ranks give R1 = 12.5, U = 2.5; mu = 8,
// sigma^2 = 16/12 * (9 - 36/56), z = (5.5 - 0.5)/sigma = 1.498, p = 0.1342.
func TestMannWhitneyU(t *testing.T) {
	for _, c := range []struct {
		name  string
		a, b  []float64
		u, p  float64
		exact bool
	}{
		// Complete separation, 5+5: p = 2/C(10,5) = 2/252.
		{"separated 5+5", []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10}, 0, 2.0 / 252, true},
		{"separated 3+3", []float64{1, 2, 3}, []float64{4, 5, 6}, 0, 0.1, true},
		{"reversed 4+4", []float64{5, 6, 7, 8}, []float64{1, 2, 3, 4}, 16, 2.0 / 70, true},
		{"interleaved", []float64{1, 3, 5, 7, 9}, []float64{2, 4, 6, 8, 10}, 10, 0.6905, true},
		{"ties", []float64{1, 2, 2, 3}, []float64{2, 3, 4, 4}, 2.5, 0.1342, false},
		{"all equal", []float64{1, 1, 1}, []float64{1, 1}, 3, 1, false},
	} {
		got := MannWhitneyU(c.a, c.b)
		if got.U != c.u || !near(got.P, c.p, 5e-4) || got.Exact != c.exact {
			t.Errorf("%s: U=%v p=%.4f exact=%v; want U=%v p=%.4f exact=%v", c.name, got.U, got.P, got.Exact, c.u, c.p, c.exact)
		}
	}
}

func TestMinP(t *testing.T) {
	for _, c := range []struct {
		n int
		p float64
	}{{2, 1.0 / 3}, {3, 0.1}, {4, 2.0 / 70}, {5, 2.0 / 252}} {
		if got := MinP(c.n, c.n); !near(got, c.p, 1e-12) {
			t.Errorf("MinP(%d,%d) = %v, want %v", c.n, c.n, got, c.p)
		}
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{10, 12, 9, 11})
	if s.Median != 10.5 || s.Min != 9 || s.Max != 12 || !near(s.RelativeSpread, 1.5/10.5, 1e-12) {
		t.Errorf("%+v", s)
	}
	if s := Summarize(nil); s.N != 0 {
		t.Errorf("%+v", s)
	}
}
