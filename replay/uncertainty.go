package replay

import (
	"math/rand/v2"
	"slices"

	"github.com/forkcost/forkcost/model"
)

// Uncertainty configures the Monte Carlo over the profiles' parameter
// ranges that puts an interval around every saving.
type Uncertainty struct {
	// Draws is the number of parameter sets drawn per machine; 0 turns
	// intervals off.
	Draws int
	// Seed makes the draws (and the sample of creations) reproducible.
	Seed uint64
	// SampleSize bounds the creations kept for the draws (a uniform
	// reservoir sample of the eligible creations). A trace with more
	// eligible creations has each draw's total scaled from the sample: the
	// draw's saving on the sample times the full trace's point saving over
	// the sample's point saving. Default 2000.
	SampleSize int
}

// Interval is a range around a point estimate.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Level is the share of draws between Low and High (0.9: the 5th to
	// the 95th percentile).
	Level float64 `json:"level"`
	Draws int     `json:"draws"`
	// Sample is the number of creations each draw was costed on.
	Sample int `json:"sample"`
}

// reservoir keeps a uniform sample of the eligible creations (Algorithm R).
type reservoir struct {
	rng  *rand.Rand
	cap  int
	seen int64
	in   []model.Input
}

func (s *reservoir) add(in model.Input) {
	s.seen++
	if len(s.in) < s.cap {
		s.in = append(s.in, in)
		return
	}
	if j := s.rng.Int64N(s.seen); j < int64(s.cap) {
		s.in[j] = in
	}
}

// merge makes s a uniform sample of the union of what s and o sampled:
// each place is filled from one side with probability proportional to the
// creations that side still stands for, with an element of its sample
// drawn without replacement. Into an empty reservoir, o is taken whole,
// so that one trace replayed on its own and merged gives the same sample.
func (s *reservoir) merge(o *reservoir) {
	if o.seen == 0 {
		return
	}
	if s.seen == 0 {
		s.in = append(s.in[:0], o.in...)
		s.seen = o.seen
		return
	}
	a, b := slices.Clone(s.in), slices.Clone(o.in)
	na, nb := s.seen, o.seen
	out := make([]model.Input, 0, min(int64(s.cap), na+nb))
	take := func(v []model.Input) ([]model.Input, model.Input) {
		j := s.rng.IntN(len(v))
		x := v[j]
		v[j] = v[len(v)-1]
		return v[:len(v)-1], x
	}
	for len(out) < s.cap && (len(a) > 0 || len(b) > 0) {
		var x model.Input
		if len(b) == 0 || (len(a) > 0 && s.rng.Int64N(na+nb) < na) {
			a, x = take(a)
			na--
		} else {
			b, x = take(b)
			nb--
		}
		out = append(out, x)
	}
	s.in = out
	s.seen += o.seen
}

// savings returns the saving over fork-cow and over the native strategy,
// in seconds, of params on the inputs.
func savings(p *model.Params, native int, inputs []model.Input, res *model.Result, cow, vf int) (float64, float64) {
	var s, sn float64
	for i := range inputs {
		model.Evaluate(p, &inputs[i], res)
		s += res.Total[cow] - res.Total[vf]
		sn += res.Total[native] - res.Total[vf]
	}
	return s / 1e9, sn / 1e9
}

// intervals runs the Monte Carlo for one machine.
func (r *Replayer) intervals(m *machineAcc) (saved, savedNat *Interval) {
	u := r.cfg.Uncertainty
	if u.Draws <= 0 || len(r.sample.in) == 0 {
		return nil, nil
	}
	res := model.NewResult()
	pointS, pointN := savings(m.prof.ModelParams(), m.native, r.sample.in, res, r.cowIdx, r.vfIdx)
	scaleS, scaleN := 1.0, 1.0
	if int64(len(r.sample.in)) < r.sample.seen {
		if pointS != 0 {
			scaleS = (m.saved / 1e9) / pointS
		}
		if pointN != 0 {
			scaleN = (m.savedNat / 1e9) / pointN
		}
	}
	rng := rand.New(rand.NewPCG(u.Seed, uint64(len(m.prof.Name))^0x6d6f6e7465))
	ds := make([]float64, u.Draws)
	dn := make([]float64, u.Draws)
	for d := range ds {
		p := m.prof.Sample(rng)
		s, n := savings(&p, m.native, r.sample.in, res, r.cowIdx, r.vfIdx)
		ds[d], dn[d] = s*scaleS, n*scaleN
	}
	return percentiles(ds, len(r.sample.in)), percentiles(dn, len(r.sample.in))
}

func percentiles(v []float64, sample int) *Interval {
	slices.Sort(v)
	q := func(f float64) float64 {
		// Linear interpolation between order statistics.
		x := f * float64(len(v)-1)
		i := int(x)
		if i+1 >= len(v) {
			return v[len(v)-1]
		}
		return v[i] + (x-float64(i))*(v[i+1]-v[i])
	}
	return &Interval{Low: q(0.05), High: q(0.95), Level: 0.9, Draws: len(v), Sample: sample}
}
