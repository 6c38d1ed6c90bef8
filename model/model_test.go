package model_test

import (
	"bufio"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
)

const MiB = 1 << 20

func profiles(t *testing.T) []*machines.Profile {
	t.Helper()
	ps, err := machines.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func strat(t *testing.T, name string) *model.Strategy {
	i, err := model.StrategyIndex(name)
	if err != nil {
		t.Fatal(err)
	}
	return &model.Strategies()[i]
}

// snap is a parent with the given sizes; everything writable is anonymous.
func snap(residentMiB, writableResidentMiB float64, entries int64) *model.Input {
	return &model.Input{Snapshot: model.Snapshot{
		ResidentBytes: int64(residentMiB * MiB), WritableResidentBytes: int64(writableResidentMiB * MiB),
		AnonResidentBytes: int64(writableResidentMiB * MiB), MapEntries: entries, ParentThreads: 1,
	}}
}

func total(p *model.Params, in *model.Input, name string, t *testing.T) float64 {
	return model.SequenceCost(p, in, strat(t, name), model.ForkExecWait)
}

func TestTotalsAreSumsOfSteps(t *testing.T) {
	for _, prof := range profiles(t) {
		r := model.NewResult()
		in := snap(37, 11, 42)
		model.Evaluate(prof.ModelParams(), in, r)
		for i, s := range model.Strategies() {
			var sum float64
			for j := range s.Steps {
				sum += r.Steps[i][j]
			}
			if sum != r.Total[i] || r.Total[i] <= 0 {
				t.Errorf("%s %s: total %v, sum of steps %v", prof.Name, s.Name, r.Total[i], sum)
			}
			if got := total(prof.ModelParams(), in, s.Name, t); math.Abs(got-r.Total[i]) > 1e-6 {
				t.Errorf("%s %s: SequenceCost(ForkExecWait) %v != Evaluate total %v", prof.Name, s.Name, got, r.Total[i])
			}
		}
	}
}

func TestVForkShareIsFlatInParentSize(t *testing.T) {
	for _, prof := range profiles(t) {
		p := prof.ModelParams()
		base := total(p, snap(1, 0.5, 5), model.VForkShare, t)
		for _, in := range []*model.Input{snap(1024, 900, 5), snap(64, 32, 500), snap(4096, 4000, 5000)} {
			if got := total(p, in, model.VForkShare, t); got != base {
				t.Errorf("%s: vfork-share costs %v for %+v, %v for a tiny parent", prof.Name, got, in.Snapshot, base)
			}
		}
		if got := total(p, snap(1, 0.5, 5), model.SpawnStrat, t); got != total(p, snap(4096, 4000, 5000), model.SpawnStrat, t) {
			t.Errorf("%s: spawn depends on parent size", prof.Name)
		}
	}
}

// linear checks that f(k) is an affine function of k with a positive slope.
func linear(t *testing.T, what string, f func(k float64) float64) {
	t.Helper()
	y0, y1 := f(1), f(2)
	slope := y1 - y0
	if slope <= 0 {
		t.Errorf("%s: slope %v, want positive", what, slope)
		return
	}
	for k := 3.0; k <= 6; k++ {
		want := y0 + slope*(k-1)
		if got := f(k); math.Abs(got-want) > 1e-6*want {
			t.Errorf("%s: f(%v) = %v, a straight line gives %v", what, k, got, want)
		}
	}
}

func TestCOWForkIsLinearInWritableResidentPagesAndMapEntries(t *testing.T) {
	for _, prof := range profiles(t) {
		p := prof.ModelParams()
		for _, name := range []string{model.ForkCOW, model.ForkCOWPTE} {
			// Resident size fixed and large, so that the TLB refill and the
			// child's faults are not capped; writable resident grows by 64 MiB steps.
			linear(t, prof.Name+" "+name+" in writable resident bytes", func(k float64) float64 {
				return total(p, snap(4096, 64*k, 20), name, t)
			})
			linear(t, prof.Name+" "+name+" in map entries", func(k float64) float64 {
				return total(p, snap(4096, 64, int64(100*k)), name, t)
			})
		}
	}
}

func TestForkCopyIsLinearInBytes(t *testing.T) {
	for _, prof := range profiles(t) {
		p := prof.ModelParams()
		linear(t, prof.Name+" fork-copy", func(k float64) float64 {
			return total(p, snap(4096, 32*k, 20), model.ForkCopy, t)
		})
		// And it costs at least a page copy per page.
		small, big := total(p, snap(4096, 32, 20), model.ForkCopy, t), total(p, snap(4096, 64, 20), model.ForkCopy, t)
		if perPage := (big - small) / (32 * MiB / p.PageSize); perPage < p.PageCopyNs {
			t.Errorf("%s: fork-copy costs %v ns per extra page, less than a page copy (%v)", prof.Name, perPage, p.PageCopyNs)
		}
	}
}

func TestSavingOrdering(t *testing.T) {
	// For any real parent, sharing vfork is cheaper than COW fork, which is
	// cheaper than copying everything.
	for _, prof := range profiles(t) {
		p := prof.ModelParams()
		for _, in := range []*model.Input{snap(0.5, 0.2, 8), snap(16, 8, 30), snap(512, 400, 80)} {
			cp, cow, vf := total(p, in, model.ForkCopy, t), total(p, in, model.ForkCOW, t), total(p, in, model.VForkShare, t)
			if !(vf < cow && cow < cp) {
				t.Errorf("%s %+v: vfork-share %v, fork-cow %v, fork-copy %v: want increasing", prof.Name, in.Snapshot, vf, cow, cp)
			}
		}
	}
}

func TestParentWritesFromTrace(t *testing.T) {
	pp := ppro(t)
	p := &pp
	in := snap(64, 32, 20)
	estimated := total(p, in, model.ForkCOW, t)
	in.ParentWriteBytes, in.HasParentWrites = 0, true
	measured := total(p, in, model.ForkCOW, t)
	want := 32 * MiB / p.PageSize * p.ParentWriteFraction * p.SoftFaultNs
	if d := estimated - measured; math.Abs(d-want) > 1e-6 {
		t.Errorf("a trace saying 0 parent writes removed %v ns, want %v", d, want)
	}
	in.ParentWriteBytes = 100 * 4096
	if d := total(p, in, model.ForkCOW, t) - measured; math.Abs(d-100*p.SoftFaultNs) > 1e-6 {
		t.Errorf("100 measured parent writes add %v ns, want %v", d, 100*p.SoftFaultNs)
	}
	in.ParentWriteBytes = 1 << 40 // more than was write-protected: capped
	if d := total(p, in, model.ForkCOW, t) - measured; math.Abs(d-32*MiB/p.PageSize*p.SoftFaultNs) > 1e-6 {
		t.Errorf("parent writes are not capped at the writable resident pages: %v", d)
	}
}

// parents used with the published figures: the benchmark process itself.
var parents = map[string]*model.Input{
	// A small 1996 lmbench process: about 300 KiB resident, a third of it
	// writable, ten mappings (static a.out/ELF of the time).
	"lmbench-1996": snap(0.3, 0.1, 10),
	// A 2008 dynamically linked lmbench: 1 MiB resident, 256 KiB writable,
	// about 30 mappings.
	"lmbench-2008": snap(1, 0.25, 30),
}

func seqOf(s string) model.Sequence {
	switch s {
	case "fork":
		return model.ForkOnly
	case "fork+exit":
		return model.ForkExit
	}
	return model.ForkExecWait
}

func TestAgreesWithPublishedFigures(t *testing.T) {
	f, err := os.Open("testdata/published.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		col := strings.Split(line, "\t")
		id, mach, check, parent, unit, src := col[0], col[1], col[2], col[3], col[5], col[7]
		want, _ := strconv.ParseFloat(col[4], 64)
		factor, _ := strconv.ParseFloat(col[6], 64)
		prof, err := machines.Lookup(mach)
		if err != nil {
			t.Fatal(err)
		}
		p := prof.ModelParams()
		parts := strings.Split(check, ":")
		var got float64
		switch parts[0] {
		case "ratio":
			names := strings.Split(parts[1], "/")
			in := parents[parent]
			got = model.SequenceCost(p, in, strat(t, names[0]), seqOf(parts[2])) /
				model.SequenceCost(p, in, strat(t, names[1]), seqOf(parts[2]))
		case "slope":
			// ms per GB of anonymous writable resident memory.
			a := model.SequenceCost(p, snap(1024, 1024, 20), strat(t, parts[1]), seqOf(parts[2]))
			b := model.SequenceCost(p, snap(2048, 2048, 20), strat(t, parts[1]), seqOf(parts[2]))
			got = (b - a) / 1e6 / (1024 * MiB / 1e9)
		default:
			got = model.SequenceCost(p, parents[parent], strat(t, parts[0]), seqOf(parts[1])) / 1e3
		}
		n++
		if got < want/factor || got > want*factor {
			t.Errorf("%s (%s): model gives %.3g %s on %s, published %.3g (within x%v): %s", id, check, got, unit, mach, want, factor, src)
		} else {
			t.Logf("%s %-40s model %8.3g %s, published %8.3g (x%v)", id, check, got, unit, want, factor)
		}
	}
	if n < 5 {
		t.Fatalf("only %d figures checked", n)
	}
}

func stepCost(t *testing.T, p *model.Params, in *model.Input, strategy, step string) float64 {
	t.Helper()
	i, _ := model.StrategyIndex(strategy)
	r := model.NewResult()
	model.Evaluate(p, in, r)
	for j, s := range model.Strategies()[i].Steps {
		if s.Name == step {
			return r.Steps[i][j]
		}
	}
	t.Fatalf("%s has no step %s", strategy, step)
	return 0
}

func ppro(t *testing.T) model.Params {
	p, err := machines.Lookup("ppro200")
	if err != nil {
		t.Fatal(err)
	}
	return *p.ModelParams()
}

func TestFeatureDefaultsKeepTheSeedsAnswer(t *testing.T) {
	// A parent with threads and huge pages costs, with the features at
	// their defaults, exactly what it cost before the features existed
	// (when threads and huge pages were ignored).
	p := ppro(t)
	plain := snap(64, 32, 40)
	fancy := snap(64, 32, 40)
	fancy.Snapshot.ParentThreads, fancy.Snapshot.HugeResidentBytes = 8, 16*MiB
	a, b := model.NewResult(), model.NewResult()
	model.Evaluate(&p, plain, a)
	model.Evaluate(&p, fancy, b)
	if !slices.Equal(a.Total, b.Total) {
		t.Errorf("defaults changed the answer: %v vs %v", a.Total, b.Total)
	}
}

func TestPageSizeScalesPTEWork(t *testing.T) {
	p := ppro(t)
	p.PTPageAllocNs = 0 // the PTEs alone (page-table pages fall 16x: 4x fewer PTEs, 4x more per page)
	in := snap(256, 128, 20)
	small := stepCost(t, &p, in, model.ForkCOWPTE, "pte-copy")
	p.PageSize = 16384
	big := stepCost(t, &p, in, model.ForkCOWPTE, "pte-copy")
	if m := stepCost(t, &p, in, model.ForkCOW, "cow-mark") - 20*p.MapEntryWalkNs; math.Abs(m-128*MiB/16384*p.PTEProtectNs) > 1e-6 {
		t.Errorf("cow-mark with 16 KiB pages protects %v ns of PTEs", m)
	}
	if math.Abs(big*4-small) > 1e-6*small {
		t.Errorf("16 KiB pages: pte-copy %v, 4 KiB pages %v: want a quarter", big, small)
	}
}

func TestHugePages(t *testing.T) {
	p := ppro(t)
	in := snap(512, 512, 20)
	in.Snapshot.HugeResidentBytes = 256 * MiB
	without := stepCost(t, &p, in, model.ForkCOW, "cow-mark")
	p.HugePageSize = 2 * MiB
	with := stepCost(t, &p, in, model.ForkCOW, "cow-mark")
	// 256 MiB of 4 KiB pages (65536 PTEs) become 128 huge entries.
	want := without - (65536-128)*p.PTEProtectNs
	if math.Abs(with-want) > 1e-6*want {
		t.Errorf("cow-mark with huge pages %v, want %v", with, want)
	}
}

func TestTaggedTLBRefetchesOnlyChangedEntries(t *testing.T) {
	p := ppro(t)
	in := snap(4, 0.1, 20) // 1024 resident pages, 26 writable
	untagged := stepCost(t, &p, in, model.ForkCOW, "tlb-flush")
	p.TLBTagged = 1
	tagged := stepCost(t, &p, in, model.ForkCOW, "tlb-flush")
	want := p.TLBFlushNs + 26*p.TLBRefillNs
	if untagged != p.TLBFlushNs+96*p.TLBRefillNs || tagged != want {
		t.Errorf("tlb-flush untagged %v, tagged %v; want %v and %v", untagged, tagged, p.TLBFlushNs+96*p.TLBRefillNs, want)
	}
	if stepCost(t, &p, in, model.VForkShare, "child-faults") != 0 {
		t.Error("vfork-share should have no faults")
	}
}

func TestShootdownGrowsWithCPUsInvolved(t *testing.T) {
	p := ppro(t)
	p.CPUs, p.IPINs = 4, 1000
	base := stepCost(t, &p, snap(4, 1, 20), model.ForkCOW, "tlb-flush")
	for threads, extra := range map[int32]float64{1: 0, 2: 1000, 3: 2000, 4: 3000, 16: 3000} {
		in := snap(4, 1, 20)
		in.Snapshot.ParentThreads = threads
		if got := stepCost(t, &p, in, model.ForkCOW, "tlb-flush") - base; got != extra {
			t.Errorf("%d threads on 4 CPUs: shootdown adds %v, want %v", threads, got, extra)
		}
	}
	in := snap(4, 1, 20)
	in.Snapshot.ParentThreads = 8
	if stepCost(t, &p, in, model.VForkShare, "vmspace-ref") != p.VmspaceRefNs {
		t.Error("vfork-share pays no shootdown")
	}
}

func TestPageTablePagesFreed(t *testing.T) {
	p := ppro(t)
	in := snap(64, 64, 20)
	before := stepCost(t, &p, in, model.ForkCOWPTE, "teardown")
	p.PTPageFreeNs = 1000
	after := stepCost(t, &p, in, model.ForkCOWPTE, "teardown")
	// 16384 anonymous PTEs of 4 bytes fill 16 page-table pages.
	if after-before != 16*1000 {
		t.Errorf("freeing page-table pages adds %v, want 16000", after-before)
	}
}

// Strategies hands out a copy: a caller that reorders or renames its slice
// does not change the model.
func TestStrategiesIsACopy(t *testing.T) {
	s := model.Strategies()
	first := s[0].Name
	s[0].Name = "changed"
	slices.Reverse(s)
	if got := model.Strategies()[0].Name; got != first {
		t.Errorf("Strategies()[0] is %q after a caller changed its slice, want %q", got, first)
	}
}

// StepNames starts with fork-cow's steps, the seed's list in its order.
func TestStepNamesSeedOrder(t *testing.T) {
	i, _ := model.StrategyIndex(model.ForkCOW)
	cow := model.Strategies()[i].Steps
	names := model.StepNames()
	for j, st := range cow {
		if names[j] != st.Name {
			t.Fatalf("StepNames()[%d] = %q, want fork-cow's %q", j, names[j], st.Name)
		}
	}
}

// Every built-in profile leaves the cold surcharges at their default, 0, so
// its creations cost what they did before the surcharges existed: the
// proc-create and vmspace-create steps are proc_create_ns and
// vmspace_create_ns alone.
func TestColdDefaultsKeepEveryBuiltinAnswer(t *testing.T) {
	in := snap(3, 1, 27)
	for _, pr := range profiles(t) {
		p := pr.ModelParams()
		if p.ProcCreateColdNs != 0 || p.VmspaceCreateColdNs != 0 {
			t.Errorf("%s: cold surcharges %v, %v; a built-in keeps 0", pr.Name, p.ProcCreateColdNs, p.VmspaceCreateColdNs)
		}
		for _, st := range model.Strategies() {
			for _, step := range st.Steps {
				var want float64
				switch step.Name {
				case "proc-create":
					want = p.ProcCreateNs
				case "vmspace-create":
					want = p.VmspaceCreateNs
				default:
					continue
				}
				if got := stepCost(t, p, in, st.Name, step.Name); got != want {
					t.Errorf("%s %s: %s costs %v, want %v", pr.Name, st.Name, step.Name, got, want)
				}
			}
		}
	}
}
