package replay

import (
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
)

// DiffParam is one parameter that differs between two machines, and what
// it does to the saving.
type DiffParam struct {
	Name string  `json:"param"`
	Unit string  `json:"unit"`
	A    float64 `json:"a"`
	B    float64 `json:"b"`
	// AloneS is how much the saving moves when only this parameter of A is
	// set to B's value.
	AloneS float64 `json:"alone_s"`
	// InOrderS is how much the saving moves when this parameter changes
	// after every parameter listed before it has changed already.
	InOrderS float64 `json:"in_order_s"`
}

// Diff is the "why is the answer different on this machine" view.
type Diff struct {
	A       string      `json:"a"`
	B       string      `json:"b"`
	NativeA string      `json:"native_a"`
	NativeB string      `json:"native_b"`
	Params  []DiffParam `json:"params"`
	// With a trace: the savings over fork-cow on A and on B, and what the
	// single changes leave unexplained (B - A - sum of AloneS): the
	// interaction between parameters.
	SavedA       float64 `json:"saved_a_s"`
	SavedB       float64 `json:"saved_b_s"`
	InteractionS float64 `json:"interaction_s"`
	Order        string  `json:"order"`
	Sample       int     `json:"sample"`
	Creations    int64   `json:"creations"`
}

// DiffMachines compares a and b. With inputs (a sample of a trace's
// eligible creations, scaled to the trace's total by scale), it also
// attributes the difference in the saving to the parameters.
func DiffMachines(a, b *machines.Profile, inputs []model.Input, scale float64, creations int64) *Diff {
	d := &Diff{A: a.Name, B: b.Name, NativeA: a.Native, NativeB: b.Native, Sample: len(inputs), Creations: creations,
		Order: "the model's parameter order (analyze machines show)"}
	pa, pb := *a.ModelParams(), *b.ModelParams()
	for _, spec := range model.ParamSpecs() {
		va, _ := pa.Get(spec.Name)
		vb, _ := pb.Get(spec.Name)
		if va != vb {
			d.Params = append(d.Params, DiffParam{Name: spec.Name, Unit: spec.Unit, A: va, B: vb})
		}
	}
	if len(inputs) == 0 {
		return d
	}
	res := model.NewResult()
	cow, _ := model.StrategyIndex(model.ForkCOW)
	vf, _ := model.StrategyIndex(model.VForkShare)
	saved := func(p *model.Params) float64 {
		s, _ := savings(p, cow, inputs, res, cow, vf)
		return s * scale
	}
	d.SavedA, d.SavedB = saved(&pa), saved(&pb)
	cum := pa
	prev := d.SavedA
	var alone float64
	for i := range d.Params {
		dp := &d.Params[i]
		one := pa
		one.Set(dp.Name, dp.B)
		dp.AloneS = saved(&one) - d.SavedA
		alone += dp.AloneS
		cum.Set(dp.Name, dp.B)
		now := saved(&cum)
		dp.InOrderS = now - prev
		prev = now
	}
	d.InteractionS = d.SavedB - d.SavedA - alone
	return d
}

// Sample returns the replay's sample of eligible creations and the factor
// that scales a saving on it to the whole of what was replayed (1 when the
// sample holds every creation). The replayer keeps it when
// Config.KeepSample is set or intervals are on.
func (r *Replayer) Sample() ([]model.Input, float64, int64) {
	scale := 1.0
	if n := int64(len(r.sample.in)); n > 0 && n < r.sample.seen {
		scale = float64(r.sample.seen) / float64(n)
	}
	return r.sample.in, scale, r.sample.seen
}
