// Package calibrate measures this host's process-creation costs and fits a
// machine profile to them.
//
// Measuring (Run, Linux with cgo only) re-executes the running binary with
// FORKCOST_CALIB_CHILD set: a C constructor linked into every binary that
// imports this package (bench_linux.c) then runs one benchmark before the
// Go runtime starts, in a small single-threaded process whose address
// space is known, prints its samples and exits. Go's own process start
// (os/exec, syscall.ForkExec) always uses CLONE_VM|CLONE_VFORK, so a
// copy-on-write fork needs this C path.
//
// For each parent buffer size (0, 1, 4, 16, 64, 256, 1024 MiB; fewer with
// Quick; never more than half of the available memory) a fresh helper
// writes every page of a private anonymous buffer and then repeats, in a
// rotating order: fork+exec of a tiny static program+wait, vfork+exec+wait,
// posix_spawn+wait, fork+_exit+wait and fork alone, and after each fork the
// parent writes every page once (one write-protect fault per page) and
// then once more as the loop's baseline. Held out from the fit: the same
// benchmarks on a buffer mapped but never touched, and on one backed by
// transparent huge pages when the host has them. One more helper, without
// a buffer, alternates the sharing clone and fork alone warm (as above) and
// cold, each cold one after a sweep of a buffer many times the CPU's
// private caches: a creation in a running program comes after other work,
// not straight after the last one as in these loops. A last helper measures the
// machine: a null system call, a minor fault on fresh anonymous memory, a
// 4 KiB page copy (cache-hot and streaming), a TLB-miss-heavy pointer
// chase and a context switch.
//
// Fit turns the measurements into model parameters with robust estimators
// (medians, a weighted Theil–Sen slope) and a bootstrap interval for each;
// Profile writes them as a machine profile.
package calibrate

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// ErrNotSupported is returned by Run where calibration cannot run.
var ErrNotSupported = errors.New("analyze calibrate is not supported on this build: it needs Linux and a binary built with cgo (CGO_ENABLED=1 and a C compiler), because a real copy-on-write fork cannot be made from Go")

// Benchmarks measured at every buffer size, in nanoseconds per operation.
const (
	ForkExecWait   = "fork_exec_wait"
	VForkExecWait  = "vfork_exec_wait"
	SpawnWait      = "spawn_wait"
	ForkExitWait   = "fork_exit_wait"
	ForkOnly       = "fork_only"
	ShareOnly      = "share_only"
	WriteAfterFork = "parent_write_after_fork"
	WriteBaseline  = "parent_write_baseline"
	NullSyscall    = "null_syscall"
	FreshAnonFault = "fresh_anon_fault"
	PageCopyHot    = "page_copy_hot"
	PageCopyStream = "page_copy_stream"
	TLBWalkSparse  = "tlb_walk_sparse"
	TLBWalkDense   = "tlb_walk_dense"
	CtxSwitch      = "ctx_switch"
	PipeOverhead   = "pipe_overhead"
)

// The cold series' creations: the sharing clone and fork alone, each
// after a sweep of a buffer many times the CPU's private caches.
const (
	ShareCold = "share_cold"
	ForkCold  = "fork_cold"
)

// Series kinds.
const (
	Touched   = "touched"   // every page written: the fit's data
	Untouched = "untouched" // mapped, never touched: held out
	HugePages = "thp"       // written after madvise(MADV_HUGEPAGE): held out
	// Cold: no buffer; the sharing clone and fork alone, warm and cold
	// (after a cache sweep) alternately: the cold surcharges' data.
	Cold = "cold"
)

// Space is a helper's address space as the model's snapshot wants it,
// read from /proc/self/smaps_rollup and /proc/self/maps.
type Space struct {
	RSSBytes      int64 `json:"rss_bytes"`
	AnonBytes     int64 `json:"anon_bytes"`
	AnonHugeBytes int64 `json:"anon_huge_bytes"`
	MapEntries    int64 `json:"map_entries"`
}

// Series is one helper's run at one buffer size.
type Series struct {
	Kind    string               `json:"kind"`
	MiB     int                  `json:"mib"`
	Space   Space                `json:"space"`
	Samples map[string][]float64 `json:"samples_ns"`
	Notes   []string             `json:"notes,omitempty"`
	// Reps is how many times the forks were repeated.
	Reps int `json:"reps,omitempty"`
}

// Measurements is everything a calibration measured. It is saved next to
// the profile (NAME.measurements.json) so that validate can refit and
// predict sizes it held out.
type Measurements struct {
	Host     string    `json:"host"`
	Date     time.Time `json:"date"`
	Kernel   string    `json:"kernel"`
	CPU      string    `json:"cpu"`
	PageSize int       `json:"page_size"`
	Quick    bool      `json:"quick"`
	// THP is the host's transparent-huge-page mode, from sysfs ("" if none),
	// and HugePageSize the size of one (hpage_pmd_size; 0 if unknown).
	THP          string `json:"thp"`
	HugePageSize int64  `json:"huge_page_size,omitempty"`
	// CPUs is the number of CPUs this process may run on.
	CPUs   int       `json:"cpus,omitempty"`
	Series []*Series `json:"series"`
	// Micro holds the machine microbenchmarks, ns per operation.
	Micro      map[string][]float64 `json:"micro_ns"`
	MicroSpace Space                `json:"micro_space"`
	Notes      []string             `json:"notes,omitempty"`
	// FitBase and FitClock record how analyze calibrate fitted the profile
	// written with these measurements, so that validate refits the same way.
	FitBase  string `json:"fit_base,omitempty"`
	FitClock string `json:"fit_clock,omitempty"`
	// Budget and Elapsed are the time budget and the time the measuring
	// took, in seconds; RepFactor is the share of the full protocol's
	// repetitions beyond the fewest that the budget allowed (1: all).
	Budget    float64 `json:"budget_s,omitempty"`
	Elapsed   float64 `json:"elapsed_s,omitempty"`
	RepFactor float64 `json:"rep_factor,omitempty"`
}

// Touched returns the series of kind Touched, by size.
func (m *Measurements) SeriesOf(kind string) []*Series {
	var out []*Series
	for _, s := range m.Series {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MiB < out[j].MiB })
	return out
}

// Config says what to measure.
type Config struct {
	// Quick measures fewer, smaller sizes with fewer repetitions (well under
	// a minute).
	Quick bool
	// Sizes overrides the buffer sizes (MiB).
	Sizes []int
	// RepScale multiplies every repetition count (default 1).
	RepScale float64
	// IdleMicros is a pause before each measurement (microseconds).
	IdleMicros int
	// Budget is the wall time the measurements may take (default
	// DefaultBudget; QuickBudget with Quick): the repetitions adapt to it,
	// and a size that cannot be measured in it is left out, with a note.
	Budget time.Duration
	// Rounds splits each size's repetitions into this many helper runs,
	// the sizes interleaved (default 5; 3 with Quick).
	Rounds int
	// Progress, when set, is told what is running.
	Progress func(format string, args ...any)
	// Exe is the binary to re-execute (default /proc/self/exe): it must
	// import this package.
	Exe string
}

// DefaultSizes are the buffer sizes of a full calibration, MiB.
var DefaultSizes = []int{0, 1, 4, 16, 64, 256, 1024}

// QuickSizes are the buffer sizes of --quick.
var QuickSizes = []int{0, 1, 4, 16, 64}

// reps is the number of repetitions at a size: many for cheap small sizes,
// fewer where one repetition writes a gigabyte three times.
func reps(mib int, quick bool) int {
	if quick {
		return 15
	}
	// The small sizes are cheap and their medians the noisiest relative to
	// their value (a preemption costs as much as the whole operation).
	switch {
	case mib <= 4:
		return 150
	case mib <= 16:
		return 90
	case mib <= 64:
		return 40
	case mib <= 256:
		return 25
	default:
		return 15
	}
}

// availableBytes is MemAvailable from /proc/meminfo.
func availableBytes() (int64, error) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		var kb int64
		if n, _ := fmt.Sscanf(line, "MemAvailable: %d kB", &kb); n == 1 {
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/meminfo: no MemAvailable")
}

// capSizes drops sizes above half of the available memory.
func capSizes(sizes []int, avail int64) (kept []int, dropped []int) {
	for _, s := range sizes {
		if int64(s)<<20 <= avail/2 {
			kept = append(kept, s)
		} else {
			dropped = append(dropped, s)
		}
	}
	return kept, dropped
}
