package model

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Phase is when a step happens in the life of a creation.
type Phase string

const (
	Create          Phase = "create"            // inside the creation call
	ChildBeforeExec Phase = "child-before-exec" // the child runs, before exec
	ExecPhase       Phase = "exec"              // the child's exec
	ParentResume    Phase = "parent-resume"     // the parent is unblocked
	ExitWait        Phase = "exit-wait"         // the child exits, the parent reaps it
	ParentAfter     Phase = "parent-after"      // the parent runs on
)

// Phases lists the phases in order.
var Phases = []Phase{Create, ChildBeforeExec, ExecPhase, ParentResume, ExitWait, ParentAfter}

// Sizes is a creation's snapshot converted to a machine's units: pages of
// that machine's page size, entries, faults.
type Sizes struct {
	// Page counts are entries: base pages, plus one per huge page when the
	// machine has huge pages and the trace says the parent uses them.
	ResidentPages         float64
	WritableResidentPages float64
	AnonResidentPages     float64
	MapEntries            float64
	ParentThreads         float64
	// HugeEntries is how many of the entries above are huge pages (each
	// counted once in every class, as anonymous writable memory).
	HugeEntries float64
	// ParentWrites is the number of write faults the parent takes after it
	// resumes, under copy-on-write: measured when the trace has it,
	// otherwise parent_write_fraction of the writable resident pages.
	ParentWrites float64
}

// Snapshot is what the model reads of the parent's address space at the
// instant of a creation, in bytes: the trace schema's snapshot columns that
// a cost depends on (package replay fills it from a trace row, with
// replay.ModelSnapshot). The model has its own type so that it depends on
// nothing else of forkcost.
type Snapshot struct {
	ResidentBytes         int64
	WritableResidentBytes int64
	AnonResidentBytes     int64
	HugeResidentBytes     int64
	MapEntries            int64
	ParentThreads         int32
}

// Input is one creation to evaluate.
type Input struct {
	Snapshot Snapshot
	// ParentWriteBytes, when HasParentWrites, is how much of its memory
	// the parent wrote after the creation, measured in the trace (page
	// faults times the recording host's page size).
	ParentWriteBytes int64
	HasParentWrites  bool
}

func pages(bytes int64, pageSize float64) float64 {
	if bytes <= 0 {
		return 0
	}
	return math.Ceil(float64(bytes) / pageSize)
}

// entries is the number of translation entries for bytes of memory, of
// which up to huge bytes sit in huge pages (transparent huge pages back
// anonymous, writable memory, so they are counted in every class up to its
// size). Without huge pages on the machine everything is base pages.
func entries(p *Params, bytes, huge int64) float64 {
	if p.HugePageSize <= 0 || huge <= 0 {
		return pages(bytes, p.PageSize)
	}
	h := min(huge, bytes)
	return pages(bytes-h, p.PageSize) + math.Ceil(float64(h)/p.HugePageSize)
}

// SizesFor converts in to p's units.
func SizesFor(p *Params, in *Input) Sizes {
	s := in.Snapshot
	z := Sizes{
		ResidentPages:         entries(p, s.ResidentBytes, s.HugeResidentBytes),
		WritableResidentPages: entries(p, s.WritableResidentBytes, s.HugeResidentBytes),
		AnonResidentPages:     entries(p, s.AnonResidentBytes, s.HugeResidentBytes),
		MapEntries:            float64(s.MapEntries),
		ParentThreads:         math.Max(float64(s.ParentThreads), 1),
	}
	if p.HugePageSize > 0 && s.HugeResidentBytes > 0 {
		z.HugeEntries = math.Ceil(float64(min(s.HugeResidentBytes, s.AnonResidentBytes, s.WritableResidentBytes)) / p.HugePageSize)
	}
	if in.HasParentWrites {
		// In this machine's pages, and never more than the pages that
		// were write-protected.
		z.ParentWrites = math.Min(pages(in.ParentWriteBytes, p.PageSize), z.WritableResidentPages)
	} else {
		z.ParentWrites = z.WritableResidentPages * p.ParentWriteFraction // an expectation: not rounded, so costs stay linear
	}
	return z
}

// Step is one step of a strategy's sequence.
type Step struct {
	Name  string
	Phase Phase
	// Seed quotes the line of the NetBSD text the step mirrors, or says
	// where it comes from instead.
	Seed string
	// ExecOnly marks steps that happen only because the child execs (loading
	// the new image); a child that exits instead skips them.
	ExecOnly bool
	Cost     func(p *Params, z *Sizes) float64 // nanoseconds
}

// Strategy is a way to create a process, as an explicit list of steps.
type Strategy struct {
	Name        string
	Description string
	// CopiesPTEs says whether the creation copies the parent's PTEs into the
	// child. It is the strategy's choice; a machine may only exempt mapping
	// classes from it (pte_copy_file_fraction).
	CopiesPTEs bool
	Steps      []Step
	// StepRank places this strategy's step names in StepNames: lower
	// first. fork-cow ranks first because its list is the seed's, step
	// for step; a new strategy's new steps come after those of the
	// strategies ranked before it.
	StepRank int
}

// Strategy names.
const (
	ForkCopy   = "fork-copy"
	ForkCOW    = "fork-cow"
	ForkCOWPTE = "fork-cow-pte"
	VForkShare = "vfork-share"
	SpawnStrat = "spawn"
)

// copiedPTEPages is how many PTEs a PTE-copying fork copies: every
// anonymous resident page, and the share of file-backed ones the machine
// does not exempt.
func copiedPTEPages(p *Params, z *Sizes) float64 {
	file := math.Max(z.ResidentPages-z.AnonResidentPages, 0)
	return z.AnonResidentPages + file*p.PTECopyFileFraction
}

// hugeFork splits n entries touched at fork into base PTEs and huge
// entries: the huge ones are priced by huge_fork_ns when the machine states
// it (returned as their cost), and otherwise stay among the base PTEs.
func hugeFork(p *Params, z *Sizes, n float64) (base, huge float64) {
	if p.HugeForkNs <= 0 {
		return n, 0
	}
	h := math.Min(z.HugeEntries, n)
	return n - h, h * p.HugeForkNs
}

// hugeZap is hugeFork for the teardown, with huge_zap_ns.
func hugeZap(p *Params, z *Sizes, n float64) (base, huge float64) {
	if p.HugeZapNs <= 0 {
		return n, 0
	}
	h := math.Min(z.HugeEntries, n)
	return n - h, h * p.HugeZapNs
}

// parentFaults is the parent's write faults after fork: those on huge
// pages (their share of the writable entries) at huge_fault_ns when the
// machine states it, the others at soft_fault_ns.
func parentFaults(p *Params, z *Sizes) float64 {
	if p.HugeFaultNs <= 0 || z.HugeEntries <= 0 || z.WritableResidentPages <= 0 {
		return z.ParentWrites * p.SoftFaultNs
	}
	h := z.ParentWrites * math.Min(z.HugeEntries/z.WritableResidentPages, 1)
	return (z.ParentWrites-h)*p.SoftFaultNs + h*p.HugeFaultNs
}

// copiedBasePages is how many base pages of data n entries hold: a huge
// entry holds a huge page's worth, which a copying fork copies whole.
func copiedBasePages(p *Params, z *Sizes, n float64) float64 {
	h := math.Min(z.HugeEntries, n)
	if h <= 0 || p.HugePageSize <= p.PageSize {
		return n
	}
	return n - h + h*p.HugePageSize/p.PageSize
}

func ptPages(p *Params, ptes float64) float64 {
	if ptes <= 0 {
		return 0
	}
	return math.Ceil(ptes * p.PTEBytes / p.PageSize)
}

// tlbFlush is the cost of making the write-protection visible: a flush and
// the refills after it (an untagged TLB loses everything, a tagged one only
// the entries that changed), plus a shootdown of every other CPU that may
// hold the parent's entries.
func tlbFlush(p *Params, z *Sizes) float64 {
	lost := z.ResidentPages
	if p.TLBTagged == 1 {
		lost = z.WritableResidentPages
	}
	c := p.TLBFlushNs + math.Min(p.DTLBEntries+p.ITLBEntries, lost)*p.TLBRefillNs
	if others := math.Min(z.ParentThreads, p.CPUs) - 1; others > 0 {
		c += others * p.IPINs
	}
	return c
}

// Steps shared by every strategy: they cancel out of every saving, but
// belong in the totals so that fork+exec+wait can be compared with
// measurements.
var (
	stepSyscall = Step{Name: "syscall", Phase: Create, Seed: "(not in the seed) entering and leaving the kernel",
		Cost: func(p *Params, z *Sizes) float64 { return p.SyscallNs }}
	stepProcCreate = Step{Name: "proc-create", Phase: Create, Seed: "(not in the seed) the new process itself",
		Cost: func(p *Params, z *Sizes) float64 { return p.ProcCreateNs + p.ProcCreateColdNs }}
	stepBlockParent = Step{Name: "block-parent", Phase: Create, Seed: "Block parent.",
		Cost: func(p *Params, z *Sizes) float64 { return p.CtxSwitchNs }}
	stepExecLoad = Step{Name: "exec-load", Phase: ExecPhase, ExecOnly: true, Seed: "Child execs ... and creates a new one.",
		Cost: func(p *Params, z *Sizes) float64 { return p.ExecLoadNs }}
	stepUnblockParent = Step{Name: "unblock-parent", Phase: ParentResume, Seed: "Unblock parent.",
		Cost: func(p *Params, z *Sizes) float64 { return p.CtxSwitchNs }}
	// The seed's lists end at exec; a measurement ends when the parent has
	// reaped the child. Without this step exec_load_ns (or, for a child
	// that exits at once, the teardown) would carry the exit and the wait.
	stepExitWait = Step{Name: "exit-wait", Phase: ExitWait, Seed: "(not in the seed, whose lists end at exec) the child exits and the parent's wait reaps it",
		Cost: func(p *Params, z *Sizes) float64 { return p.ExitWaitNs }}
)

func zero(*Params, *Sizes) float64 { return 0 }

// cowFork builds the 4.4BSD copy-on-write fork, the seed's first list, step
// for step; with copyPTEs the PTEs are copied at fork as Linux does.
func cowFork(name string, copyPTEs bool) Strategy {
	desc := "4.4BSD copy-on-write fork: write-protect the parent, copy its map, let the child fault its pages in"
	rank := 0
	if copyPTEs {
		desc = "copy-on-write fork that also copies the parent's PTEs at fork (Linux)"
		rank = 3
	}
	return Strategy{Name: name, Description: desc, CopiesPTEs: copyPTEs, StepRank: rank, Steps: []Step{
		stepSyscall,
		stepProcCreate,
		{Name: "cow-mark", Phase: Create, Seed: "Traverse parent's vm_map, marking the writable portions of the address space COW. This means invoking the pmap, modifying PTEs, ...",
			Cost: func(p *Params, z *Sizes) float64 {
				n, huge := hugeFork(p, z, z.WritableResidentPages)
				return z.MapEntries*p.MapEntryWalkNs + p.perPage(slotPTEProtect, p.PTEProtectNs, n) + huge
			}},
		{Name: "tlb-flush", Phase: Create, Seed: "... and flushing the TLB.",
			Cost: func(p *Params, z *Sizes) float64 { return tlbFlush(p, z) }},
		{Name: "vmspace-create", Phase: Create, Seed: "Create a vm_map for the child, ...",
			Cost: func(p *Params, z *Sizes) float64 { return p.VmspaceCreateNs + p.VmspaceCreateColdNs }},
		{Name: "map-copy", Phase: Create, Seed: "... copy the parent's vm_map entries into the child's vm_map.",
			Cost: func(p *Params, z *Sizes) float64 { return z.MapEntries * p.MapEntryCopyNs }},
		{Name: "pte-copy", Phase: Create, Seed: "Optionally, invoke the pmap to copy PTEs from the parent's page tables into the child's page tables.",
			Cost: func(p *Params, z *Sizes) float64 {
				if !copyPTEs {
					return 0
				}
				// A huge entry's copy is in huge_fork_ns (charged once,
				// with its write-protection, in cow-mark).
				n, _ := hugeFork(p, z, copiedPTEPages(p, z))
				return p.perPage(slotPTECopy, p.PTECopyNs, n) + p.perPage(slotPTPageAlloc, p.PTPageAllocNs, ptPages(p, n))
			}},
		stepBlockParent,
		{Name: "child-faults", Phase: ChildBeforeExec, Seed: "Child runs. If PTEs were not copied, take page fault to get a physical mapping for the text page at the current program counter. (Its stack writes copy pages: child_stack_cow.)",
			Cost: func(p *Params, z *Sizes) float64 {
				k := z.ResidentPagesCapped(p.ChildStackCOW)
				c := k*p.SoftFaultNs + p.perPage(slotPageCopy, p.PageCopyNs, k)
				if !copyPTEs {
					c += z.ResidentPagesCapped(p.ChildTextFaults) * p.SoftFaultNs
				}
				return c
			}},
		stepExecLoad,
		{Name: "teardown", Phase: ExecPhase, Seed: "Child execs, and unmaps the entire address space that was just created, ...",
			Cost: func(p *Params, z *Sizes) float64 {
				c := z.MapEntries*p.MapEntryFreeNs + p.VmspaceRefNs
				if copyPTEs {
					n, huge := hugeZap(p, z, copiedPTEPages(p, z))
					c += p.perPage(slotPTEZap, p.PTEZapNs, n) + p.perPage(slotPTPageFree, p.PTPageFreeNs, ptPages(p, n)) + huge
				}
				// The pages the child copied before exec are freed.
				return c + p.perPage(slotPageFree, p.PageFreeNs, z.ResidentPagesCapped(p.ChildStackCOW))
			}},
		{Name: "cow-unmark", Phase: ExecPhase, Seed: "This implies that the parent's vm_map has to be traversed to mark the COW portions not-COW.",
			Cost: func(p *Params, z *Sizes) float64 { return z.MapEntries * p.MapEntryWalkNs }},
		stepUnblockParent,
		stepExitWait,
		{Name: "parent-faults", Phase: ParentAfter, Seed: "Parent runs, takes page fault when modifying previously R/W data that was marked R/O for COW. No data is copied at this time.",
			Cost: func(p *Params, z *Sizes) float64 { return parentFaults(p, z) }},
	}}
}

// ResidentPagesCapped returns n, but no more than the resident pages: a
// tiny parent cannot fault in more pages than it has.
func (z *Sizes) ResidentPagesCapped(n float64) float64 {
	return math.Min(n, z.ResidentPages)
}

// vforkShare is the 3.0BSD/NetBSD address-space-sharing vfork, the seed's
// second list, step for step.
func vforkShare() Strategy {
	return Strategy{Name: VForkShare, Description: "3.0BSD/NetBSD vfork: the child borrows the parent's vmspace until it execs", StepRank: 1, Steps: []Step{
		stepSyscall,
		stepProcCreate,
		{Name: "vmspace-ref", Phase: Create, Seed: "Take reference to parent's vmspace structure.",
			Cost: func(p *Params, z *Sizes) float64 { return p.VmspaceRefNs }},
		stepBlockParent,
		{Name: "child-faults", Phase: ChildBeforeExec, Seed: "Child runs. No page faults occur because the parent's page tables are being used, and the PTEs are already valid.",
			Cost: zero},
		stepExecLoad,
		{Name: "teardown", Phase: ExecPhase, Seed: "Child execs, deletes the reference it had to the parent's vmspace structure, and creates a new one.",
			Cost: func(p *Params, z *Sizes) float64 { return p.VmspaceRefNs }},
		stepUnblockParent,
		stepExitWait,
		{Name: "parent-faults", Phase: ParentAfter, Seed: "Parent runs. (No page faults occur because the parent's vm_map was not modified.)",
			Cost: zero},
	}}
}

// forkCopy is the pre-COW fork: every private writable resident page is
// copied into the child.
func forkCopy() Strategy {
	return Strategy{Name: ForkCopy, Description: "traditional fork before copy-on-write: copy every private writable resident page", StepRank: 2, Steps: []Step{
		stepSyscall,
		stepProcCreate,
		{Name: "vmspace-create", Phase: Create, Seed: "(pre-COW fork) create the child's address space",
			Cost: func(p *Params, z *Sizes) float64 { return p.VmspaceCreateNs + p.VmspaceCreateColdNs }},
		{Name: "map-copy", Phase: Create, Seed: "(pre-COW fork) copy the map entries",
			Cost: func(p *Params, z *Sizes) float64 { return z.MapEntries * p.MapEntryCopyNs }},
		{Name: "page-copy", Phase: Create, Seed: "A traditional fork() required duplicating all the pages of the parent process in the child",
			Cost: func(p *Params, z *Sizes) float64 {
				n := z.WritableResidentPages
				return p.perPage(slotPageCopy, p.PageCopyNs, copiedBasePages(p, z, n)) + p.perPage(slotPTECopy, p.PTECopyNs, n) + p.perPage(slotPTPageAlloc, p.PTPageAllocNs, ptPages(p, n))
			}},
		stepBlockParent,
		{Name: "child-faults", Phase: ChildBeforeExec, Seed: "(pre-COW fork) the shared text page is faulted in",
			Cost: func(p *Params, z *Sizes) float64 { return z.ResidentPagesCapped(p.ChildTextFaults) * p.SoftFaultNs }},
		stepExecLoad,
		{Name: "teardown", Phase: ExecPhase, Seed: "(pre-COW fork) exec frees the copied pages and the map",
			Cost: func(p *Params, z *Sizes) float64 {
				n := z.WritableResidentPages
				return z.MapEntries*p.MapEntryFreeNs + p.perPage(slotPageFree, p.PageFreeNs, copiedBasePages(p, z, n)) + p.perPage(slotPTEZap, p.PTEZapNs, n) + p.perPage(slotPTPageFree, p.PTPageFreeNs, ptPages(p, n)) + p.VmspaceRefNs
			}},
		stepUnblockParent,
		stepExitWait,
		{Name: "parent-faults", Phase: ParentAfter, Seed: "(pre-COW fork) the parent's pages were never write-protected", Cost: zero},
	}}
}

// spawn is posix_spawn: a new process that never sees the parent's address
// space (NetBSD's posix_spawn system call; glibc's clone(CLONE_VM|CLONE_VFORK)
// on its own stack costs the same steps).
func spawn() Strategy {
	return Strategy{Name: SpawnStrat, Description: "posix_spawn: create the child and exec in one call, never touching the parent's address space", StepRank: 4, Steps: []Step{
		stepSyscall,
		stepProcCreate,
		stepBlockParent,
		// Not in the create phase: the kernel's creation call (clone with
		// CLONE_VM|CLONE_VFORK) is over when the child exists; glibc maps
		// the child's stack before it and the child applies the signal
		// mask and file actions after it, before its exec.
		{Name: "spawn-setup", Phase: ChildBeforeExec, Seed: "(posix_spawn) glibc's own work around the clone: the child's stack, then in the child the signal mask and file actions before exec",
			Cost: func(p *Params, z *Sizes) float64 { return p.SpawnSetupNs }},
		stepExecLoad,
		stepUnblockParent,
		stepExitWait,
	}}
}

var strategies = []Strategy{forkCopy(), cowFork(ForkCOW, false), cowFork(ForkCOWPTE, true), vforkShare(), spawn()}

// Strategies returns every strategy, in a fixed order. The slice is a
// copy: callers may reorder it without changing the model.
func Strategies() []Strategy { return slices.Clone(strategies) }

// StrategyIndex returns the index of the strategy called name in Strategies.
func StrategyIndex(name string) (int, error) {
	for i, s := range strategies {
		if s.Name == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("unknown strategy %q (want one of %s)", name, strategyNames())
}

func strategyNames() string {
	s := ""
	for i, st := range strategies {
		if i > 0 {
			s += ", "
		}
		s += st.Name
	}
	return s
}

// StepNames lists every step name used by any strategy, in first-use order
// over the strategies taken by StepRank (the order the seed's lists give
// them).
func StepNames() []string {
	byRank := slices.Clone(strategies)
	slices.SortStableFunc(byRank, func(a, b Strategy) int { return cmp.Compare(a.StepRank, b.StepRank) })
	seen := map[string]bool{}
	var names []string
	for _, s := range byRank {
		for _, st := range s.Steps {
			if !seen[st.Name] {
				seen[st.Name] = true
				names = append(names, st.Name)
			}
		}
	}
	return names
}
