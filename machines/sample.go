package machines

import (
	"math"
	"math/rand/v2"

	"github.com/forkcost/forkcost/model"
)

// Sample draws one set of parameters from the profile's ranges. Each
// parameter is drawn independently from a two-piece uniform distribution
// over [low, high] whose mean is the profile's value: uniform on
// [low, value] with probability (high-value)/(high-low), else uniform on
// [value, high]. Keeping the mean at the value keeps the draws' totals
// centred on the point answer (the costs are sums of products of
// independent parameters), so an interval describes the spread, not a shift
// that lopsided ranges would otherwise cause. A parameter without a range
// (an override) keeps its value; whole-number parameters are rounded.
func (p *Profile) Sample(rng *rand.Rand) model.Params {
	out := p.params
	for _, spec := range model.ParamSpecs() {
		prm, ok := p.Params[spec.Name]
		if !ok || prm.Low == nil || prm.High == nil || *prm.Low == *prm.High {
			continue
		}
		v := meanPreserving(rng, *prm.Low, prm.Value, *prm.High)
		switch spec.Unit {
		case "bytes", "entries", "flag", "cpus", "pages":
			v = math.Round(v)
		}
		if err := out.Set(spec.Name, v); err != nil {
			continue // a rounded value outside what the model takes keeps the point value
		}
	}
	return out
}

// meanPreserving draws from the two-piece uniform on [lo, hi] with mean v.
func meanPreserving(rng *rand.Rand, lo, v, hi float64) float64 {
	if hi <= lo {
		return v
	}
	if rng.Float64() < (hi-v)/(hi-lo) {
		return lo + rng.Float64()*(v-lo)
	}
	return v + rng.Float64()*(hi-v)
}

// Collapse returns a copy whose every range is the point value: the
// interval of an answer then shrinks to the answer.
func (p *Profile) Collapse() *Profile {
	q := p.Clone()
	for k, prm := range q.Params {
		v := prm.Value
		prm.Low, prm.High = &v, &v
		q.Params[k] = prm
	}
	return q
}
