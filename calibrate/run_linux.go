//go:build linux && cgo

package calibrate

// The C side is bench_linux.c: importing "C" links it, and its
// constructor, into every binary that imports this package.

import "C"

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Supported reports whether Run can measure on this build.
const Supported = true

// helperEnv is the variable that turns a re-executed binary into a helper.
const helperEnv = "FORKCOST_CALIB_CHILD"

// Run measures this host.
func Run(cfg Config) (*Measurements, error) {
	progress := cfg.Progress
	if progress == nil {
		progress = func(string, ...any) {}
	}
	exe := cfg.Exe
	if exe == "" {
		exe = "/proc/self/exe"
	}
	scale := cfg.RepScale
	if scale <= 0 {
		scale = 1
	}
	sizes := cfg.Sizes
	if sizes == nil {
		sizes = DefaultSizes
		if cfg.Quick {
			sizes = QuickSizes
		}
	}
	m := &Measurements{Date: time.Now().UTC().Truncate(time.Second), Quick: cfg.Quick, PageSize: os.Getpagesize(), Micro: map[string][]float64{}}
	m.Host, _ = os.Hostname()
	m.Kernel = readTrim("/proc/sys/kernel/osrelease")
	m.CPU = cpuModel()
	m.THP = thpMode()
	if n, err := strconv.ParseInt(readTrim("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"), 10, 64); err == nil {
		m.HugePageSize = n
	}
	m.CPUs = runtime.NumCPU() // the affinity mask's CPUs
	if m.PageSize != 4096 {
		return nil, fmt.Errorf("calibrate: the page size is %d bytes; the benchmarks assume 4096", m.PageSize)
	}
	avail, err := availableBytes()
	if err != nil {
		return nil, err
	}
	sizes, tooBig := capSizes(sizes, avail)
	if len(tooBig) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("sizes %v MiB skipped: more than half of the %d MiB available", tooBig, avail>>20))
	}
	dir, target, err := writeTarget()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	// Held-out series: a mapping never touched, at the largest size, and
	// buffers on transparent huge pages at 64 and 256 MiB (those not above
	// the largest size).
	maxMiB := 0
	for _, s := range sizes {
		maxMiB = max(maxMiB, s)
	}
	type job struct {
		kind string
		mib  int
		mode int
	}
	var jobs []job
	for _, s := range sizes {
		jobs = append(jobs, job{Touched, s, 0})
	}
	jobs = append(jobs, job{Cold, 0, 3})
	if maxMiB > 0 {
		jobs = append(jobs, job{Untouched, maxMiB, 1})
		if m.THP == "always" || m.THP == "madvise" {
			// Two sizes: the larger sets the per-huge-entry costs, the
			// smaller checks them (validate holds it out).
			for _, s := range []int{64, 256} {
				if s <= maxMiB {
					jobs = append(jobs, job{HugePages, s, 2})
				}
			}
		} else {
			m.Notes = append(m.Notes, fmt.Sprintf("no transparent huge pages on this host (mode %q): the THP series is not measured", m.THP))
		}
	}
	// Every size runs in several rounds, the sizes in a different order
	// each round, so that a change in the machine's load spreads over every
	// size instead of bending the curve.
	rounds := cfg.Rounds
	if rounds <= 0 {
		rounds = 5
		if cfg.Quick {
			rounds = 3
		}
	}
	budget := cfg.Budget
	if budget <= 0 {
		budget = DefaultBudget
		if cfg.Quick {
			budget = QuickBudget
		}
	}
	start := time.Now()
	m.Budget = budget.Seconds()
	// What is left, less a fifth for the planner's error: a repetition's
	// cost is estimated from earlier ones, on a machine whose load changes.
	left := func() float64 { return 0.8 * (budget - time.Since(start)).Seconds() }
	say := func(format string, args ...any) {
		progress("calibrate: "+format+"  [%s of %s budget]", append(args, time.Since(start).Round(time.Second), budget)...)
	}

	// The machine microbenchmarks first: a fixed protocol, whose time the
	// size benchmarks then share the rest of the budget around.
	say("machine microbenchmarks")
	microQuick := cfg.Quick || budget < 30*time.Second
	microReps, q := 21, 0
	if microQuick {
		microReps, q = 9, 1
	}
	out, err := helper(exe, fmt.Sprintf("bench=micro;reps=%d;quick=%d;target=%s", microReps, q, target))
	if err != nil {
		return nil, fmt.Errorf("calibrate: microbenchmarks: %w", err)
	}
	m.Micro, m.MicroSpace = out.samples, out.space["micro"]
	m.Notes = append(m.Notes, out.notes...)

	series := make([]*Series, len(jobs))
	costs := make([]jobCost, len(jobs))
	done := make([]int, len(jobs))
	dropped := make([]bool, len(jobs))
	run := func(i, n, round int) error {
		j := jobs[i]
		na := max(n, 30)
		if j.kind == Cold {
			say("cold creations (each after a cache sweep), round %d of %d, %d repetitions", round+1, rounds, n)
		} else {
			say("%s buffer of %d MiB, round %d of %d, %d repetitions", j.kind, j.mib, round+1, rounds, n)
		}
		t0 := time.Now()
		out, err := helper(exe, fmt.Sprintf("bench=size;mib=%d;mode=%d;reps=%d;reps_a=%d;idle=%d;target=%s", j.mib, j.mode, n, na, cfg.IdleMicros, target))
		wall := time.Since(t0).Seconds()
		if err != nil {
			return fmt.Errorf("calibrate: %s %d MiB: %w", j.kind, j.mib, err)
		}
		s := series[i]
		if s == nil {
			s = &Series{Kind: j.kind, MiB: j.mib, Samples: map[string][]float64{}, Space: out.space["size"]}
			series[i] = s
		}
		for k, v := range out.samples {
			s.Samples[k] = append(s.Samples[k], v...)
		}
		for _, n := range out.notes {
			if !contains(s.Notes, n) {
				s.Notes = append(s.Notes, n)
			}
		}
		c := costOf(out.costs)
		if !math.IsNaN(c.rep) {
			// The helper's start and its exit (freeing the buffer: a
			// fraction of a second at a gigabyte) are part of the set-up.
			var timed float64
			for _, xs := range out.costs {
				for _, x := range xs {
					timed += x / 1e9
				}
			}
			c.setup += math.Max(wall-timed, 0)
			costs[i] = c
		}
		done[i] += n
		return nil
	}
	want := func(i int) int {
		return int(float64(reps(jobs[i].mib, cfg.Quick))*scale + 0.999)
	}

	// Round one is the probe: one repetition of every job, the touched
	// sizes smallest first, each size skipped when what the smaller ones
	// cost says that it could not get its fewest repetitions in the
	// budget left.
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ja, jb := jobs[order[a]], jobs[order[b]]
		if (ja.kind == Touched) != (jb.kind == Touched) {
			return ja.kind == Touched
		}
		return ja.mib < jb.mib
	})
	known := map[int]jobCost{}
	for _, i := range order {
		j := jobs[i]
		if j.kind == Touched {
			if c, ok := extrapolate(known, j.mib); ok && c.runCost(minReps, 30) > left() {
				dropped[i] = true
				m.Notes = append(m.Notes, fmt.Sprintf("budget: %d MiB not measured: from the smaller sizes it would take about %.0f s for %d repetitions, and %.0f s of the %s budget were left (--budget)", j.mib, c.runCost(minReps, 30), minReps, (budget-time.Since(start)).Seconds(), budget))
				continue
			}
		}
		if err := run(i, 1, 0); err != nil {
			return nil, err
		}
		if j.kind == Touched {
			known[j.mib] = costs[i]
		}
	}

	// Later rounds: plan what is left of the wanted repetitions into what
	// is left of the budget, again before every round (the load changes).
	for round := 1; round < rounds; round++ {
		var idx []int
		var pj []planJob
		for i := range jobs {
			if dropped[i] || series[i] == nil {
				continue
			}
			idx = append(idx, i)
			pj = append(pj, planJob{cost: costs[i], want: want(i) - done[i], need: max(minReps-done[i], 0), repsA: 30})
		}
		counts, _, ok := plan(pj, left(), rounds-round)
		for !ok {
			// Even the fewest repetitions do not fit: the largest touched
			// size keeps what it has, and the others are planned again.
			big := -1
			for x, i := range idx {
				if jobs[i].kind == Touched && (big < 0 || jobs[i].mib > jobs[idx[big]].mib) && pj[x].need > 0 {
					big = x
				}
			}
			if big < 0 {
				break
			}
			i := idx[big]
			m.Notes = append(m.Notes, fmt.Sprintf("budget: the forks at %d MiB measured %d times, fewer than the %d wanted: %.0f s of the %s budget were left (--budget)", jobs[i].mib, done[i], minReps, (budget-time.Since(start)).Seconds(), budget))
			pj[big].want, pj[big].need = 0, 0
			dropped[i] = true
			counts, _, ok = plan(pj, left(), rounds-round)
		}
		for x := range idx {
			k := (x + round*len(idx)/rounds) % len(idx) // rotated, and reversed every other round
			if round%2 == 1 {
				k = len(idx) - 1 - k
			}
			i := idx[k]
			n := perRun(counts[k], rounds-round)
			if n == 0 {
				continue
			}
			if err := run(i, n, round); err != nil {
				return nil, err
			}
		}
	}
	var got, wanted float64
	for i := range jobs {
		got += float64(min(done[i], want(i)))
		wanted += float64(want(i))
	}
	m.RepFactor = got / wanted
	if m.RepFactor < 0.999 {
		var cut []string
		for i, j := range jobs {
			if done[i] < want(i) {
				cut = append(cut, fmt.Sprintf("%s %d MiB %d of %d", j.kind, j.mib, done[i], want(i)))
			}
		}
		m.Notes = append(m.Notes, fmt.Sprintf("budget: %.0f%% of the full protocol's fork repetitions fitted the %s budget (--budget); cut: %s", 100*m.RepFactor, budget, strings.Join(cut, ", ")))
	}
	for i, s := range series {
		if s == nil {
			continue
		}
		if s.Kind == HugePages && s.Space.AnonHugeBytes == 0 {
			s.Notes = append(s.Notes, "the kernel gave no huge pages to the buffer (AnonHugePages 0)")
		}
		s.Reps = done[i]
		m.Series = append(m.Series, s)
	}
	m.Elapsed = time.Since(start).Seconds()
	return m, nil
}

type helperOut struct {
	costs   map[string][]float64
	samples map[string][]float64
	space   map[string]Space
	notes   []string
}

// helper runs one benchmark in a fresh copy of exe and parses its lines.
func helper(exe, spec string) (*helperOut, error) {
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), helperEnv+"="+spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	res, perr := parseHelper(stdout)
	if perr != nil {
		return nil, perr
	}
	if err != nil {
		return nil, fmt.Errorf("helper %s: %v %s", exe, err, strings.TrimSpace(stderr.String()))
	}
	return res, nil
}

func parseHelper(out []byte) (*helperOut, error) {
	res := &helperOut{samples: map[string][]float64{}, costs: map[string][]float64{}, space: map[string]Space{}}
	done, started := false, false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "start":
			started = true
		case "done":
			done = true
		case "error":
			return nil, fmt.Errorf("helper: %s", strings.Join(f[1:], " "))
		case "note":
			res.notes = append(res.notes, strings.Join(f[1:], " "))
		case "sample", "cost":
			// "sample NAME NS" and "cost WHAT NS": the same shape.
			var v float64
			var err error
			if len(f) == 3 {
				v, err = strconv.ParseFloat(f[2], 64)
			}
			if len(f) != 3 || err != nil {
				return nil, fmt.Errorf("helper: bad line %q", sc.Text())
			}
			into := res.samples
			if f[0] == "cost" {
				into = res.costs
			}
			into[f[1]] = append(into[f[1]], v)
		case "meta":
			var sp Space
			for _, kv := range f[2:] {
				k, v, _ := strings.Cut(kv, "=")
				n, _ := strconv.ParseInt(v, 10, 64)
				switch k {
				case "rss":
					sp.RSSBytes = n
				case "anon":
					sp.AnonBytes = n
				case "thp":
					sp.AnonHugeBytes = n
				case "maps":
					sp.MapEntries = n
				}
			}
			if len(f) > 1 {
				res.space[f[1]] = sp
			}
		}
	}
	if !started {
		return nil, fmt.Errorf("helper printed nothing: the binary does not contain the calibrate helper (it must import package calibrate)")
	}
	if !done {
		return nil, fmt.Errorf("helper stopped before the end (killed, or out of memory?)")
	}
	return res, nil
}

func readTrim(path string) string {
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(string(b))
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// thpMode is the bracketed word of the sysfs THP setting.
func thpMode() string {
	s := readTrim("/sys/kernel/mm/transparent_hugepage/enabled")
	if i := strings.IndexByte(s, '['); i >= 0 {
		if j := strings.IndexByte(s[i:], ']'); j > 0 {
			return s[i+1 : i+j]
		}
	}
	return ""
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
