package calibrate

import (
	"math"
	"math/rand/v2"
	"sort"
)

// median returns the median of xs (NaN when empty). xs is not modified.
func median(xs []float64) float64 { return quantile(xs, 0.5) }

// quantile returns the q-quantile of xs by linear interpolation between
// order statistics (NaN when empty). xs is not modified.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (pos-float64(lo))*(s[hi]-s[lo])
}

// weightedMedian returns the weighted median of xs: the smallest x at which
// the cumulative weight reaches half of the total.
func weightedMedian(xs, ws []float64) float64 {
	type pair struct{ x, w float64 }
	ps := make([]pair, 0, len(xs))
	var total float64
	for i := range xs {
		if ws[i] > 0 && !math.IsNaN(xs[i]) {
			ps = append(ps, pair{xs[i], ws[i]})
			total += ws[i]
		}
	}
	if len(ps) == 0 {
		return math.NaN()
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].x < ps[j].x })
	var acc float64
	for i, p := range ps {
		acc += p.w
		if acc >= total/2 {
			// Exactly half: average with the next, as an ordinary median does.
			if acc == total/2 && i+1 < len(ps) {
				return (p.x + ps[i+1].x) / 2
			}
			return p.x
		}
	}
	return ps[len(ps)-1].x
}

// theilSen fits y = a + b x robustly: b is the median of the slopes of all
// pairs of points, each weighted by the distance between their x (so that
// two nearly equal sizes, whose slope is mostly noise, count little: the
// Jaeckel–Sievers weighting), and a is the median of y - b x.
func theilSen(x, y []float64) (a, b float64) {
	var slopes, ws []float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			dx := x[j] - x[i]
			if dx == 0 {
				continue
			}
			slopes = append(slopes, (y[j]-y[i])/dx)
			ws = append(ws, math.Abs(dx))
		}
	}
	b = weightedMedian(slopes, ws)
	res := make([]float64, len(x))
	for i := range x {
		res[i] = y[i] - b*x[i]
	}
	return median(res), b
}

// resample returns a bootstrap resample of xs (same length, drawn with
// replacement).
func resample(r *rand.Rand, xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i := range out {
		out[i] = xs[r.IntN(len(xs))]
	}
	return out
}

// iqrRel is the interquartile range relative to the median: the spread
// calibrate reports for each benchmark.
func iqrRel(xs []float64) float64 {
	m := median(xs)
	if m == 0 {
		return math.NaN()
	}
	return (quantile(xs, 0.75) - quantile(xs, 0.25)) / m
}

// Median is the median of xs, for callers outside the package.
func Median(xs []float64) float64 { return median(xs) }

// Spread is the interquartile range of xs over its median.
func Spread(xs []float64) float64 { return iqrRel(xs) }

// Quantile is the q-quantile of xs, for callers outside the package.
func Quantile(xs []float64, q float64) float64 { return quantile(xs, q) }
