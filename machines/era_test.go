package machines

import (
	"testing"

	"github.com/forkcost/forkcost/model"
)

// The x86 line of the 1990s, oldest first: each machine is faster than the
// one before it wherever the physics says so.
var x86Line = []string{"i486-33", "p5-100", "ppro200", "p2-400"}

// Current machines.
var current = []string{"zen4", "raptorlake", "apple-m1", "cortex-a72"}

func mustLookup(t *testing.T, name string) *Profile {
	t.Helper()
	p, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func param(t *testing.T, p *Profile, name string) float64 {
	t.Helper()
	v, ok := p.ModelParams().Get(name)
	if !ok {
		t.Fatalf("%s: no parameter %s", p.Name, name)
	}
	return v
}

func TestEveryIssueMachineIsBuiltIn(t *testing.T) {
	for _, name := range append(append([]string{}, x86Line...), current...) {
		p := mustLookup(t, name)
		if p.Description == "" || p.Native == "" {
			t.Errorf("%s: description %q native %q", name, p.Description, p.Native)
		}
		// The new profiles set every parameter, the feature parameters
		// included: none rests on a model default.
		if name == "ppro200" || name == "zen4" {
			continue
		}
		for k, prm := range p.Params {
			if prm.Defaulted {
				t.Errorf("%s: %s is left to the model default", name, k)
			}
			if prm.Estimate && (prm.Low == nil || prm.High == nil) {
				t.Errorf("%s: estimate %s has no range", name, k)
			}
		}
	}
}

// Memory-bound and CPU-bound costs fall from the 486 to the Pentium II.
func TestX86LineGetsFaster(t *testing.T) {
	for _, name := range []string{"page_copy_ns", "pt_page_alloc_ns", "syscall_ns", "ctx_switch_ns", "soft_fault_ns", "map_entry_copy_ns"} {
		for i := 1; i < len(x86Line); i++ {
			older, newer := mustLookup(t, x86Line[i-1]), mustLookup(t, x86Line[i])
			if a, b := param(t, older, name), param(t, newer, name); !(b < a) {
				t.Errorf("%s: %s %v on %s, not less than %v on %s", name, name, b, newer.Name, a, older.Name)
			}
		}
	}
	// TLB reach does not shrink along the line (the 486's one unified TLB,
	// then the Pentium's and P6's split TLBs).
	for i := 1; i < len(x86Line); i++ {
		older, newer := mustLookup(t, x86Line[i-1]), mustLookup(t, x86Line[i])
		a := param(t, older, "dtlb_entries") + param(t, older, "itlb_entries")
		b := param(t, newer, "dtlb_entries") + param(t, newer, "itlb_entries")
		if b < a {
			t.Errorf("%s has %v TLB entries, fewer than %s's %v", newer.Name, b, older.Name, a)
		}
	}
}

// Copying memory costs less per byte on every current machine than on any
// machine of the 1990s.
func TestCurrentMachinesCopyFaster(t *testing.T) {
	slowest := 0.0
	for _, name := range current {
		p := mustLookup(t, name)
		if v := param(t, p, "page_copy_ns") / param(t, p, "page_size"); v > slowest {
			slowest = v
		}
	}
	for _, name := range x86Line {
		p := mustLookup(t, name)
		if v := param(t, p, "page_copy_ns") / param(t, p, "page_size"); v <= slowest {
			t.Errorf("%s copies at %v ns/byte, no slower than a current machine (%v)", name, v, slowest)
		}
	}
}

// The hardware features that came later: none of them on the 1990s
// machines; tagged TLBs and several CPUs on the current ones that set them.
func TestHardwareFeaturesByEra(t *testing.T) {
	for _, name := range x86Line {
		p := mustLookup(t, name)
		if param(t, p, "tlb_tagged") != 0 || param(t, p, "huge_page_size") != 0 || param(t, p, "cpus") != 1 || param(t, p, "ipi_ns") != 0 {
			t.Errorf("%s: a 1990s uniprocessor with untagged TLBs and no huge pages for user memory", name)
		}
		if param(t, p, "pte_bytes") != 4 || param(t, p, "page_size") != 4096 {
			t.Errorf("%s: 32-bit paging has 4-byte PTEs and 4 KiB pages", name)
		}
	}
	for _, name := range []string{"raptorlake", "apple-m1", "cortex-a72"} {
		p := mustLookup(t, name)
		if param(t, p, "tlb_tagged") != 1 || param(t, p, "cpus") < 2 || param(t, p, "pte_bytes") != 8 {
			t.Errorf("%s: a current multiprocessor has tagged TLBs and 8-byte PTEs", name)
		}
	}
	// x86 shoots down with IPIs, arm64 with broadcast TLBI: cheaper per CPU.
	if x, a := param(t, mustLookup(t, "raptorlake"), "ipi_ns"), param(t, mustLookup(t, "cortex-a72"), "ipi_ns"); !(a < x) {
		t.Errorf("arm64 broadcast invalidation (%v ns/cpu) should cost less than an x86 IPI (%v ns/cpu)", a, x)
	}
	if v := param(t, mustLookup(t, "apple-m1"), "page_size"); v != 16384 {
		t.Errorf("apple-m1 page size %v, want 16 KiB", v)
	}
	for _, name := range []string{"raptorlake", "cortex-a72"} {
		if v := param(t, mustLookup(t, name), "huge_page_size"); v != 2<<20 {
			t.Errorf("%s: huge page size %v, want 2 MiB", name, v)
		}
	}
}

// The BSDs and XNU fork copy-on-write without copying PTEs; Linux copies the
// anonymous PTEs (all of them before 2.6.12).
func TestNativeStrategies(t *testing.T) {
	want := map[string]string{
		"i486-33": model.ForkCOW, "p5-100": model.ForkCOW, "ppro200": model.ForkCOW, "apple-m1": model.ForkCOW,
		"p2-400": model.ForkCOWPTE, "zen4": model.ForkCOWPTE, "raptorlake": model.ForkCOWPTE, "cortex-a72": model.ForkCOWPTE,
	}
	for name, s := range want {
		if p := mustLookup(t, name); p.Native != s {
			t.Errorf("%s: native %s, want %s", name, p.Native, s)
		}
	}
	if v := param(t, mustLookup(t, "p2-400"), "pte_copy_file_fraction"); v != 1 {
		t.Errorf("p2-400 runs a pre-2.6.12 Linux that copies every PTE: pte_copy_file_fraction %v", v)
	}
}

func cost(t *testing.T, p *Profile, strategy string, in *model.Input, q model.Sequence) float64 {
	t.Helper()
	i, err := model.StrategyIndex(strategy)
	if err != nil {
		t.Fatal(err)
	}
	return model.SequenceCost(p.ModelParams(), in, &model.Strategies()[i], q)
}

// A small 1990s parent (a make or sh of about 1 MiB): its fork+exit, and
// what sharing vfork saves over copy-on-write fork, fall along the line.
func TestForkCostFallsAlongTheX86Line(t *testing.T) {
	const MiB = 1 << 20
	in := &model.Input{Snapshot: model.Snapshot{ResidentBytes: MiB, WritableResidentBytes: MiB / 4,
		AnonResidentBytes: MiB / 4, MapEntries: 20, ParentThreads: 1,
	}}
	var prevFork, prevSave float64
	for i, name := range x86Line {
		p := mustLookup(t, name)
		fork := cost(t, p, model.ForkCOW, in, model.ForkExit)
		save := cost(t, p, model.ForkCOW, in, model.ForkExecWait) - cost(t, p, model.VForkShare, in, model.ForkExecWait)
		if save <= 0 {
			t.Errorf("%s: sharing vfork saves %v ns", name, save)
		}
		if i > 0 && !(fork < prevFork && save < prevSave) {
			t.Errorf("%s: fork+exit %v ns and saving %v ns, not below %s's %v and %v", name, fork, save, x86Line[i-1], prevFork, prevSave)
		}
		prevFork, prevSave = fork, save
	}
}

// 16 KiB pages: the same resident bytes are a quarter of the PTEs, so the
// write-protect work on the M1 is that of a quarter as many pages.
func TestSixteenKiBPagesQuarterThePTEs(t *testing.T) {
	p := mustLookup(t, "apple-m1")
	const MiB = 1 << 20
	in := &model.Input{Snapshot: model.Snapshot{ResidentBytes: 64 * MiB, WritableResidentBytes: 32 * MiB, AnonResidentBytes: 32 * MiB, MapEntries: 10, ParentThreads: 1}}
	z := model.SizesFor(p.ModelParams(), in)
	if z.WritableResidentPages != 32*MiB/16384 || z.ResidentPages != 64*MiB/16384 {
		t.Errorf("apple-m1 counts %v writable and %v resident pages for 32 and 64 MiB", z.WritableResidentPages, z.ResidentPages)
	}
}
