package model

import (
	"math"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// zen4Like is a machine with every parameter set to a plausible value.
func zen4Like(t *testing.T) Params {
	m := map[string]float64{}
	for i, s := range ParamSpecs() {
		v := float64(100 + 37*i)
		switch s.Unit {
		case "fraction":
			v = 0.5
		case "flag":
			v = 0
		case "cpus":
			v = 4
		}
		m[s.Name] = v
	}
	m["page_size"], m["pte_bytes"], m["huge_page_size"] = 4096, 8, 2<<20
	p, err := ParamsFromMap(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A curve whose cost is the same everywhere is the single value it
// replaces; and every step that uses a per-page parameter evaluates its
// curve: a flat curve at twice the value costs what twice the value does.
func TestCurvesAreEvaluatedByEveryUse(t *testing.T) {
	base := zen4Like(t)
	in := &Input{Snapshot: trace.Snapshot{ResidentBytes: 300 << 20, WritableResidentBytes: 200 << 20, AnonResidentBytes: 250 << 20,
		MapEntries: 40, ParentThreads: 1, PageSize: 4096}}
	for name := range curveSlots {
		v, _ := base.Get(name)
		if v == 0 {
			v = 7
			base.Set(name, v)
		}
		flat, doubled := base, base
		if err := flat.SetCurve(name, &Curve{Pages: []float64{1, 1000, 1e6}, NsPerPage: []float64{v, v, v}, Ref: v, Source: "test"}); err != nil {
			t.Fatal(err)
		}
		twice := base
		if err := twice.SetCurve(name, &Curve{Pages: []float64{1, 1000}, NsPerPage: []float64{2 * v, 2 * v}, Ref: v, Source: "test"}); err != nil {
			t.Fatal(err)
		}
		doubled.Set(name, 2*v)
		r0, r1, r2, r3 := NewResult(), NewResult(), NewResult(), NewResult()
		Evaluate(&base, in, r0)
		Evaluate(&flat, in, r1)
		Evaluate(&twice, in, r2)
		Evaluate(&doubled, in, r3)
		for i, s := range Strategies() {
			for j, st := range s.Steps {
				if math.Abs(r1.Steps[i][j]-r0.Steps[i][j]) > 1e-9*math.Max(1, r0.Steps[i][j]) {
					t.Errorf("%s: %s/%s: flat curve %g, single value %g", name, s.Name, st.Name, r1.Steps[i][j], r0.Steps[i][j])
				}
				if math.Abs(r2.Steps[i][j]-r3.Steps[i][j]) > 1e-9*math.Max(1, r3.Steps[i][j]) {
					t.Errorf("%s: %s/%s: curve at twice the value %g, twice the value %g", name, s.Name, st.Name, r2.Steps[i][j], r3.Steps[i][j])
				}
			}
		}
	}
}

func TestCurveTotalIsPiecewiseLinear(t *testing.T) {
	c := &Curve{Pages: []float64{256, 16384, 65536}, NsPerPage: []float64{100, 50, 25}, Ref: 1}
	for _, x := range []struct{ n, want float64 }{
		{0, 0}, {100, 100 * 100}, {16384, 16384 * 100}, {20000, 16384*100 + 3616*50}, {100000, 16384*100 + 49152*50 + 34464*25},
	} {
		if got := c.Total(x.n); math.Abs(got-x.want) > 1e-6 {
			t.Errorf("Total(%g) = %g, want %g", x.n, got, x.want)
		}
	}
	for _, bad := range []*Curve{
		{Pages: []float64{1}, NsPerPage: []float64{1}, Ref: 1},
		{Pages: []float64{10, 5}, NsPerPage: []float64{1, 1}, Ref: 1},
		{Pages: []float64{1, 5}, NsPerPage: []float64{1, -1}, Ref: 1},
		{Pages: []float64{1, 5}, NsPerPage: []float64{1, 1}, Ref: 0},
	} {
		if bad.Check() == nil {
			t.Errorf("curve %+v accepted", bad)
		}
	}
}

func TestEvaluateWithCurvesAllocatesNothing(t *testing.T) {
	p := zen4Like(t)
	p.SetCurve("pte_copy_ns", &Curve{Pages: []float64{0, 1 << 14}, NsPerPage: []float64{100, 50}, Ref: p.PTECopyNs})
	in := &Input{Snapshot: trace.Snapshot{ResidentBytes: 300 << 20, WritableResidentBytes: 200 << 20, AnonResidentBytes: 250 << 20, MapEntries: 40, ParentThreads: 1, PageSize: 4096}}
	r := NewResult()
	if n := testing.AllocsPerRun(100, func() { Evaluate(&p, in, r) }); n != 0 {
		t.Errorf("Evaluate allocates %v times per call with a curve", n)
	}
}
