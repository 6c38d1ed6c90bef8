package model

import (
	"math"
	"slices"
	"testing"
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
	in := &Input{Snapshot: Snapshot{ResidentBytes: 300 << 20, WritableResidentBytes: 200 << 20, AnonResidentBytes: 250 << 20,
		MapEntries: 40, ParentThreads: 1}}
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
	in := &Input{Snapshot: Snapshot{ResidentBytes: 300 << 20, WritableResidentBytes: 200 << 20, AnonResidentBytes: 250 << 20, MapEntries: 40, ParentThreads: 1}}
	r := NewResult()
	if n := testing.AllocsPerRun(100, func() { Evaluate(&p, in, r) }); n != 0 {
		t.Errorf("Evaluate allocates %v times per call with a curve", n)
	}
}

// The huge-entry parameters at their default (0) leave every answer as it
// was, a huge entry costed as a base PTE; set, they price the huge entries
// and nothing else.
func TestHugeEntryCosts(t *testing.T) {
	p := zen4Like(t)
	thp := &Input{Snapshot: Snapshot{ResidentBytes: 300 << 20, WritableResidentBytes: 256 << 20, AnonResidentBytes: 256 << 20,
		HugeResidentBytes: 256 << 20, MapEntries: 30, ParentThreads: 1}}
	plain := &Input{Snapshot: thp.Snapshot}
	plain.Snapshot.HugeResidentBytes = 0
	cost := func(p *Params, in *Input) []float64 {
		r := NewResult()
		Evaluate(p, in, r)
		return r.Total
	}
	// The default: huge entries cost what base PTEs do, as before the
	// parameters existed.
	old := p
	old.HugeForkNs, old.HugeZapNs, old.HugeFaultNs = 0, 0, 0
	z := SizesFor(&old, thp)
	if z.HugeEntries != 128 || z.WritableResidentPages != 128 {
		t.Fatalf("256 MiB on 2 MiB pages: %v huge entries of %v writable", z.HugeEntries, z.WritableResidentPages)
	}
	withHuge := old
	withHuge.HugeForkNs, withHuge.HugeZapNs, withHuge.HugeFaultNs = 1500, 900, 40000
	if a, b := cost(&old, plain), cost(&withHuge, plain); !slices.Equal(a, b) {
		t.Errorf("a parent without huge pages: %v without huge costs, %v with", a, b)
	}
	a, b := cost(&old, thp), cost(&withHuge, thp)
	i, _ := StrategyIndex(ForkCOWPTE)
	// fork-cow-pte: each of 128 entries now costs huge_fork_ns at fork
	// instead of pte_protect + pte_copy, huge_zap_ns at teardown instead of
	// pte_zap, and the parent's share of faults huge_fault_ns.
	zz := SizesFor(&old, thp)
	// The one page-table page the 128 entries filled as base PTEs is no
	// longer allocated and freed: huge_fork_ns includes the deposited one.
	want := a[i] + 128*(1500-old.PTEProtectNs-old.PTECopyNs) + 128*(900-old.PTEZapNs) + zz.ParentWrites*(40000-old.SoftFaultNs) - old.PTPageAllocNs - old.PTPageFreeNs
	if math.Abs(b[i]-want) > 1e-6*want {
		t.Errorf("fork-cow-pte on THP: %v, want %v", b[i], want)
	}
	j, _ := StrategyIndex(VForkShare)
	if a[j] != b[j] {
		t.Errorf("vfork-share on THP moved: %v -> %v", a[j], b[j])
	}
}

// A copying fork copies a huge page whole: 256 MiB on 2 MiB pages is
// 65,536 base pages of data, though only 128 entries.
func TestForkCopyCopiesHugePagesWhole(t *testing.T) {
	p := zen4Like(t)
	in := &Input{Snapshot: Snapshot{ResidentBytes: 256 << 20, WritableResidentBytes: 256 << 20, AnonResidentBytes: 256 << 20,
		HugeResidentBytes: 256 << 20, MapEntries: 10, ParentThreads: 1}}
	r := NewResult()
	Evaluate(&p, in, r)
	i, _ := StrategyIndex(ForkCopy)
	for j, st := range Strategies()[i].Steps {
		if st.Name != "page-copy" {
			continue
		}
		want := 65536*p.PageCopyNs + 128*p.PTECopyNs + 1*p.PTPageAllocNs
		if math.Abs(r.Steps[i][j]-want) > 1e-6*want {
			t.Errorf("page-copy of 256 MiB on huge pages: %v, want %v", r.Steps[i][j], want)
		}
	}
}

// The cold surcharges, set, add proc_create_cold_ns to the create
// phase of every strategy and vmspace_create_cold_ns to that of the forks
// that duplicate the address space, and change nothing else.
func TestColdSurchargesOnlyInTheCreatePhase(t *testing.T) {
	in := &Input{Snapshot: Snapshot{ResidentBytes: 3 << 20, WritableResidentBytes: 1 << 20, AnonResidentBytes: 1 << 20, MapEntries: 27, ParentThreads: 1}}
	p := zen4Like(t)
	p.ProcCreateColdNs, p.VmspaceCreateColdNs = 0, 0
	cold := p
	cold.ProcCreateColdNs, cold.VmspaceCreateColdNs = 20000, 7000
	for _, st := range Strategies() {
		forks := st.Name == ForkCopy || st.Name == ForkCOW || st.Name == ForkCOWPTE
		for _, seq := range []Sequence{ForkOnly, ForkExecWait} {
			a, b := SequenceCost(&p, in, &st, seq), SequenceCost(&cold, in, &st, seq)
			want := 20000.0
			if forks {
				want += 7000
			}
			if math.Abs(b-a-want) > 1e-6 {
				t.Errorf("%s %v: cold adds %v, want %v", st.Name, seq, b-a, want)
			}
		}
		r0, r1 := NewResult(), NewResult()
		Evaluate(&p, in, r0)
		Evaluate(&cold, in, r1)
		i, _ := StrategyIndex(st.Name)
		for j, step := range st.Steps {
			if d := r1.Steps[i][j] - r0.Steps[i][j]; d != 0 && step.Phase != Create {
				t.Errorf("%s: step %s (%s) moved by %v", st.Name, step.Name, step.Phase, d)
			}
		}
	}
}
