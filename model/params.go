package model

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
)

// Params are a machine's cost parameters. Each field's tag names the
// parameter as profiles and --set spell it, and its unit; a profile must give
// every one of them, with a source.
type Params struct {
	// Geometry.
	PageSize    float64 `param:"page_size" unit:"bytes" doc:"base page size"`
	PTEBytes    float64 `param:"pte_bytes" unit:"bytes" doc:"size of one page-table entry"`
	DTLBEntries float64 `param:"dtlb_entries" unit:"entries" doc:"data TLB entries for base pages"`
	ITLBEntries float64 `param:"itlb_entries" unit:"entries" doc:"instruction TLB entries for base pages"`

	// Kernel entry and scheduling.
	SyscallNs    float64 `param:"syscall_ns" unit:"ns" doc:"enter and leave the kernel for the creation call"`
	CtxSwitchNs  float64 `param:"ctx_switch_ns" unit:"ns" doc:"switch between two processes"`
	ProcCreateNs float64 `param:"proc_create_ns" unit:"ns" doc:"create a process: proc entry, credentials, descriptor table, kernel stack"`
	ExecLoadNs   float64 `param:"exec_load_ns" unit:"ns" doc:"exec a small program: the same for every strategy; its exit and the wait are exit_wait_ns"`
	ExitWaitNs   float64 `param:"exit_wait_ns" unit:"ns" default:"0" doc:"the child's exit (what is left of it once its address space is torn down) and the parent's wait that reaps it: the same for every strategy"`
	SpawnSetupNs float64 `param:"spawn_setup_ns" unit:"ns" doc:"posix_spawn's own setup: attributes, file actions, its child stack"`

	// Address-space objects.
	VmspaceCreateNs float64 `param:"vmspace_create_ns" unit:"ns" doc:"create a vmspace and its pmap (page directory)"`
	VmspaceRefNs    float64 `param:"vmspace_ref_ns" unit:"ns" doc:"take or drop a reference to a vmspace"`
	MapEntryCopyNs  float64 `param:"map_entry_copy_ns" unit:"ns/entry" doc:"copy one vm_map entry into the child's map"`
	MapEntryWalkNs  float64 `param:"map_entry_walk_ns" unit:"ns/entry" doc:"visit one vm_map entry while marking or unmarking copy-on-write"`
	MapEntryFreeNs  float64 `param:"map_entry_free_ns" unit:"ns/entry" doc:"unmap one vm_map entry at exec or exit"`

	// Page tables and TLB.
	PTEProtectNs  float64 `param:"pte_protect_ns" unit:"ns/page" doc:"write-protect one resident page's PTE"`
	PTECopyNs     float64 `param:"pte_copy_ns" unit:"ns/page" doc:"copy one PTE into the child's page table, with its page reference"`
	PTEZapNs      float64 `param:"pte_zap_ns" unit:"ns/page" doc:"clear one PTE and drop its page reference at teardown"`
	PTPageAllocNs float64 `param:"pt_page_alloc_ns" unit:"ns/page" doc:"allocate and zero one page-table page"`
	TLBFlushNs    float64 `param:"tlb_flush_ns" unit:"ns" doc:"flush the TLB after changing PTEs"`
	TLBRefillNs   float64 `param:"tlb_refill_ns" unit:"ns/entry" doc:"refill one TLB entry after a flush (a page walk)"`

	// Faults and copies.
	SoftFaultNs float64 `param:"soft_fault_ns" unit:"ns" doc:"a page fault that copies nothing (map a present page, or make one writable again)"`
	PageCopyNs  float64 `param:"page_copy_ns" unit:"ns/page" doc:"copy one page, memory-bound"`
	PageFreeNs  float64 `param:"page_free_ns" unit:"ns/page" doc:"free one page of a torn-down copy"`

	// Behaviour of the processes around a creation (used when the trace does
	// not say).
	ChildTextFaults     float64 `param:"child_text_faults" unit:"pages" doc:"pages the child faults in before exec when PTEs were not copied (the seed: the text page at the program counter)"`
	ChildStackCOW       float64 `param:"child_stack_cow" unit:"pages" doc:"pages the child writes before exec, each a copy-on-write copy (its stack)"`
	ParentWriteFraction float64 `param:"parent_write_fraction" unit:"fraction" doc:"share of its writable resident pages the parent writes after resuming, each one write fault under copy-on-write"`

	// PTE-copying forks (Linux) leave shared file mappings to fault in: the
	// share of non-anonymous resident pages whose PTEs are copied anyway.
	PTECopyFileFraction float64 `param:"pte_copy_file_fraction" unit:"fraction" doc:"share of resident file-backed pages whose PTEs a PTE-copying fork copies (Linux: 0, it skips them)"`

	// Hardware features that changed the answer over thirty years. Each has
	// a default that keeps the model's earlier behaviour, so a profile
	// written before them (the seed's PPro) gives the same numbers.
	HugePageSize float64 `param:"huge_page_size" unit:"bytes" default:"0" doc:"huge page size; the trace's huge_resident_bytes are mapped by one entry per huge page (0: no huge pages, they count as base pages)"`
	TLBTagged    float64 `param:"tlb_tagged" unit:"flag" default:"0" doc:"1 when the TLB is tagged (PCID/ASID): after write-protecting, only the changed entries are refetched, not the whole TLB"`
	CPUs         float64 `param:"cpus" unit:"cpus" default:"1" doc:"CPUs the parent's threads can run on: a TLB shootdown interrupts up to cpus-1 of them"`
	IPINs        float64 `param:"ipi_ns" unit:"ns/cpu" default:"0" doc:"TLB shootdown: interrupt one other CPU running the parent's threads and wait for it"`
	PTPageFreeNs float64 `param:"pt_page_free_ns" unit:"ns/page" default:"0" doc:"free one page-table page at teardown"`

	// Huge-page entries. A huge entry is not a base PTE: at fork Linux
	// write-protects and copies the PMD and deposits a page-table page for
	// it in the child (copy_huge_pmd), the child's teardown zaps it and
	// frees that page, and a write fault on it after fork reuses or splits
	// a huge page. 0 keeps the behaviour the model had before: a huge entry
	// costs what a base PTE does.
	HugeForkNs  float64 `param:"huge_fork_ns" unit:"ns/entry" default:"0" doc:"write-protect and copy one huge-page entry (PMD) at fork, with the page-table page deposited for it (0: costed as a base PTE)"`
	HugeZapNs   float64 `param:"huge_zap_ns" unit:"ns/entry" default:"0" doc:"clear one huge-page entry at the child's teardown and free its deposited page-table page (0: costed as a base PTE)"`
	HugeFaultNs float64 `param:"huge_fault_ns" unit:"ns" default:"0" doc:"the parent's write fault on a huge page after fork (0: costed as a base page's soft_fault_ns)"`

	// A creation in a running program is cache-cold: the program ran
	// (or slept while others ran) since its last creation, so the kernel's
	// creation paths and the parent's task state are out of the CPU's
	// private caches and TLB. A benchmark that creates processes in a
	// tight loop measures them warm. Measured on a 2-vCPU KVM guest at
	// load 6-7, a sharing clone took 6-9 us of CPU back to back, 29-52 us
	// after the parent slept 20 ms and 29-34 us after it swept 32 MiB; the
	// recorded builds' vforks and posix_spawns take 22-37 us in the kernel
	// (medians). 0 keeps the behaviour the model had before: every
	// creation priced as a tight loop's.
	ProcCreateColdNs    float64 `param:"proc_create_cold_ns" unit:"ns" default:"0" doc:"what a cache-cold creation costs beyond proc_create_ns: the kernel's creation paths and the parent's task state out of the CPU's private caches, as after other work (0: priced warm, as in a tight loop)"`
	VmspaceCreateColdNs float64 `param:"vmspace_create_cold_ns" unit:"ns" default:"0" doc:"what duplicating the address space at a cache-cold fork costs beyond vmspace_create_ns (0: priced warm, as in a tight loop)"`

	// curves holds the per-page parameters that are curves (see Curve),
	// by slot; nil for a single value.
	curves [maxCurves]*Curve
}

// ParamSpec describes one parameter.
type ParamSpec struct {
	Name string
	Unit string
	Doc  string
	// Default, when HasDefault, is the value a profile may leave out: it
	// keeps the behaviour the model had before the parameter existed.
	Default    float64
	HasDefault bool
	index      int
}

var paramSpecs = func() []ParamSpec {
	t := reflect.TypeOf(Params{})
	var specs []ParamSpec
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		spec := ParamSpec{Name: f.Tag.Get("param"), Unit: f.Tag.Get("unit"), Doc: f.Tag.Get("doc"), index: i}
		if d, ok := f.Tag.Lookup("default"); ok {
			v, err := strconv.ParseFloat(d, 64)
			if err != nil {
				panic("model: bad default for " + spec.Name)
			}
			spec.Default, spec.HasDefault = v, true
		}
		specs = append(specs, spec)
	}
	return specs
}()

// ParamSpecs lists every parameter, in declaration order.
func ParamSpecs() []ParamSpec { return append([]ParamSpec(nil), paramSpecs...) }

// LookupParam returns the spec of the parameter called name.
func LookupParam(name string) (ParamSpec, bool) {
	for _, s := range paramSpecs {
		if s.Name == name {
			return s, true
		}
	}
	return ParamSpec{}, false
}

// Get returns the value of the parameter called name.
func (p *Params) Get(name string) (float64, bool) {
	s, ok := LookupParam(name)
	if !ok {
		return 0, false
	}
	return reflect.ValueOf(p).Elem().Field(s.index).Float(), true
}

// Set sets the parameter called name.
func (p *Params) Set(name string, v float64) error {
	s, ok := LookupParam(name)
	if !ok {
		return fmt.Errorf("unknown parameter %q", name)
	}
	if err := CheckValue(name, v); err != nil {
		return err
	}
	reflect.ValueOf(p).Elem().Field(s.index).SetFloat(v)
	return nil
}

// CheckValue reports whether v is an acceptable value for the parameter.
func CheckValue(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s = %v: not a finite number", name, v)
	}
	if v < 0 {
		return fmt.Errorf("%s = %v: must not be negative", name, v)
	}
	s, _ := LookupParam(name)
	if s.Unit == "fraction" && v > 1 {
		return fmt.Errorf("%s = %v: a fraction must be between 0 and 1", name, v)
	}
	if name == "page_size" && (v < 512 || math.Trunc(v) != v) {
		return fmt.Errorf("%s = %v: must be a whole number of bytes, at least 512", name, v)
	}
	if s.Unit == "flag" && v != 0 && v != 1 {
		return fmt.Errorf("%s = %v: a flag is 0 or 1", name, v)
	}
	if s.Unit == "cpus" && (v < 1 || math.Trunc(v) != v) {
		return fmt.Errorf("%s = %v: must be a whole number of CPUs, at least 1", name, v)
	}
	return nil
}

// ParamsFromMap builds Params from named values. Every parameter without a
// default must be present and no unknown one may be.
func ParamsFromMap(m map[string]float64) (Params, error) {
	var p Params
	var missing []string
	for _, s := range paramSpecs {
		v, ok := m[s.Name]
		if !ok && s.HasDefault {
			v, ok = s.Default, true
		}
		if !ok {
			missing = append(missing, s.Name)
			continue
		}
		if err := p.Set(s.Name, v); err != nil {
			return p, err
		}
	}
	for k := range m {
		if _, ok := LookupParam(k); !ok {
			return p, fmt.Errorf("unknown parameter %q", k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return p, fmt.Errorf("missing parameters: %v", missing)
	}
	return p, nil
}
