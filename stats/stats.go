// Package stats holds the statistics compare needs: a sample's median and
// spread, and the Mann-Whitney U test (also called the Wilcoxon rank-sum
// test) of whether two samples come from the same distribution.
//
// The test is chosen for run-to-run comparisons of builds: it assumes
// nothing about the distribution of a per-trace quantity (savings are
// neither normal nor symmetric), only that the traces of a side are
// independent runs. Like benchstat, compare reports a difference as
// significant when p < alpha; with few traces the smallest p the test can
// give is large (2 traces per side: 0.33, 3: 0.10, 4: 0.029, 5: 0.0079),
// and MinP says so.
package stats

import (
	"math"
	"slices"
)

// Sample summarises values.
type Sample struct {
	N              int
	Median         float64
	Min, Max       float64
	RelativeSpread float64 // largest |x - median| / |median|; 0 when the median is 0
}

// Summarize returns the summary of xs (which it does not modify).
func Summarize(xs []float64) Sample {
	s := Sample{N: len(xs)}
	if len(xs) == 0 {
		return s
	}
	v := slices.Clone(xs)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		s.Median = v[n/2]
	} else {
		s.Median = (v[n/2-1] + v[n/2]) / 2
	}
	s.Min, s.Max = v[0], v[n-1]
	if s.Median != 0 {
		s.RelativeSpread = math.Max(s.Max-s.Median, s.Median-s.Min) / math.Abs(s.Median)
	}
	return s
}

// UTest is the result of a two-sided Mann-Whitney U test.
type UTest struct {
	U      float64 // U of the first sample
	P      float64 // two-sided p-value
	Exact  bool    // exact distribution (no ties, small samples) rather than the normal approximation
	N1, N2 int
}

// MannWhitneyU tests whether a and b come from the same distribution
// against the alternative that one tends to be larger. Without ties and
// with n1*n2 <= 2500 the p-value is exact (from the distribution of U
// under the null hypothesis); otherwise it comes from the normal
// approximation with the tie correction and a continuity correction.
func MannWhitneyU(a, b []float64) UTest {
	n1, n2 := len(a), len(b)
	t := UTest{N1: n1, N2: n2, P: 1}
	if n1 == 0 || n2 == 0 {
		return t
	}
	type obs struct {
		v     float64
		first bool
	}
	all := make([]obs, 0, n1+n2)
	for _, v := range a {
		all = append(all, obs{v, true})
	}
	for _, v := range b {
		all = append(all, obs{v, false})
	}
	slices.SortFunc(all, func(x, y obs) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	// Mid-ranks; tie correction term sum(t^3 - t).
	var r1, ties float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // ranks i+1..j, averaged
		for k := i; k < j; k++ {
			if all[k].first {
				r1 += rank
			}
		}
		if c := float64(j - i); c > 1 {
			ties += c*c*c - c
		}
		i = j
	}
	u := r1 - float64(n1*(n1+1))/2
	t.U = u
	if ties == 0 && n1*n2 <= 2500 {
		t.Exact = true
		t.P = exactP(u, n1, n2)
		return t
	}
	N := float64(n1 + n2)
	mu := float64(n1*n2) / 2
	sigma := math.Sqrt(float64(n1*n2) / 12 * ((N + 1) - ties/(N*(N-1))))
	if sigma == 0 {
		return t // every value tied: no evidence of a difference
	}
	z := (math.Abs(u-mu) - 0.5) / sigma
	if z < 0 {
		z = 0
	}
	t.P = math.Min(1, math.Erfc(z/math.Sqrt2))
	return t
}

// exactP is the two-sided p-value of U = u for samples of n1 and n2
// without ties: twice the smaller tail of U's null distribution.
func exactP(u float64, n1, n2 int) float64 {
	counts := uCounts(n1, n2)
	var total, lo, hi float64
	for k, c := range counts {
		total += c
		if float64(k) <= u {
			lo += c
		}
		if float64(k) >= u {
			hi += c
		}
	}
	return math.Min(1, 2*math.Min(lo, hi)/total)
}

// uCounts[k] is the number of arrangements of n1 and n2 values with U = k:
// f(n1, n2, k) = f(n1-1, n2, k-n2) + f(n1, n2-1, k).
func uCounts(n1, n2 int) []float64 {
	// prev[j][k] holds f(i-1, j, k) while row i is built.
	maxU := n1 * n2
	prev := make([][]float64, n2+1)
	for j := range prev {
		prev[j] = make([]float64, maxU+1)
		prev[j][0] = 1 // f(0, j, 0) = 1
	}
	for i := 1; i <= n1; i++ {
		cur := make([][]float64, n2+1)
		for j := 0; j <= n2; j++ {
			cur[j] = make([]float64, maxU+1)
			for k := 0; k <= i*j; k++ {
				if j == 0 {
					if k == 0 {
						cur[j][k] = 1
					}
					continue
				}
				v := cur[j-1][k]
				if k >= j {
					v += prev[j][k-j]
				}
				cur[j][k] = v
			}
		}
		prev = cur
	}
	return prev[n2]
}

// MinP is the smallest two-sided p-value the exact test can give with n1
// and n2 values: when it is not below alpha, no difference can be called
// significant, however large.
func MinP(n1, n2 int) float64 {
	if n1 == 0 || n2 == 0 {
		return 1
	}
	return math.Min(1, 2/binomial(n1+n2, n1))
}

func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}
