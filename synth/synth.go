// Package synth generates synthetic process-creation traces. They are
// deterministic for a given seed, and every size in them is an assumption
// written down in the workload's Config, with its default and why.
//
// Two workloads:
//
//   - LibcBuild: a 1990s BSD build of libc. make runs each rule through
//     sh -c; sh searches its PATH and runs cc, then ld -x -r and mv (BSD's
//     bsd.lib.mk turns every object into a stripped relocatable); the cc
//     driver runs cpp, cc1 and as. Every source is compiled three times:
//     normal, profiled and PIC objects. At the end ar and ranlib build the
//     static libraries and ld the shared one. make and the cc driver call
//     vfork, sh calls fork, as their 1990s BSD sources did; on 4.4BSD every
//     one of them was a copy-on-write fork, which is the point of the seed.
//   - Sweep: one parent that touches 1 MiB .. 1 GiB of private memory and
//     at each size forks and execs a small program, for the classic
//     cost-against-size curve.
package synth

import (
	"fmt"
	"math/rand/v2"

	"github.com/forkcost/forkcost/trace"
)

// Emit receives each generated event in time order. The event may be
// reused after Emit returns.
type Emit func(*trace.Event) error

// ProcessSize is an assumed process size, in KiB.
type ProcessSize struct {
	ResidentKiB         int64
	WritableResidentKiB int64
	MapEntries          int64
}

// LibcBuild configures the libc-build workload.
type LibcBuild struct {
	Seed uint64
	// Sources is the number of C and assembler sources in libc. Default
	// 900: the order of a 1990s BSD lib/libc (an assumption, not a count).
	Sources int
	// Variants per source: 3 (normal, profiled, PIC), as bsd.lib.mk built.
	Variants int
	// Sizes of the parents at their creations. Defaults are 1990s-era
	// assumptions for dynamically linked i386 binaries: make holds libc's
	// whole dependency graph (about 1.2 MiB resident, 900 KiB of it
	// writable), sh is small (300/120 KiB), the cc driver smaller still
	// (250/100 KiB); about a dozen map entries each (text, data, bss,
	// heap, stack, ld.so and libc's text and data).
	Make, Shell, CC ProcessSize
	// Jitter is the relative spread of sizes and durations (default 0.15).
	Jitter float64
	// PageSize of the recording host (default 4096).
	PageSize int32
	// PTEBytes is the size of a page-table entry on the recording host (4
	// on i386), used for page_table_bytes.
	PTEBytes int64
}

// DefaultLibcBuild returns the documented defaults.
func DefaultLibcBuild() LibcBuild {
	return LibcBuild{
		Seed:     1,
		Sources:  900,
		Variants: 3,
		Make:     ProcessSize{ResidentKiB: 1200, WritableResidentKiB: 900, MapEntries: 12},
		Shell:    ProcessSize{ResidentKiB: 300, WritableResidentKiB: 120, MapEntries: 12},
		CC:       ProcessSize{ResidentKiB: 250, WritableResidentKiB: 100, MapEntries: 12},
		Jitter:   0.15,
		PageSize: 4096,
		PTEBytes: 4,
	}
}

// Meta returns the trace metadata for the workload.
func (c LibcBuild) Meta() trace.Meta {
	return trace.Meta{Source: "synth", SourceOS: "synthetic", TimeSynthetic: true,
		Origin: fmt.Sprintf("synth libc-build --seed %d --sources %d --variants %d --make-kib %d/%d/%d --sh-kib %d/%d/%d --cc-kib %d/%d/%d --jitter %g",
			c.Seed, c.Sources, c.Variants,
			c.Make.ResidentKiB, c.Make.WritableResidentKiB, c.Make.MapEntries,
			c.Shell.ResidentKiB, c.Shell.WritableResidentKiB, c.Shell.MapEntries,
			c.CC.ResidentKiB, c.CC.WritableResidentKiB, c.CC.MapEntries, c.Jitter)}
}

// Validate checks the configuration.
func (c LibcBuild) Validate() error {
	if c.Sources < 1 || c.Variants < 1 {
		return fmt.Errorf("libc-build: --sources and --variants must be at least 1")
	}
	if c.Jitter < 0 || c.Jitter >= 1 {
		return fmt.Errorf("libc-build: --jitter must be in [0, 1)")
	}
	for _, s := range []ProcessSize{c.Make, c.Shell, c.CC} {
		if s.ResidentKiB <= 0 || s.WritableResidentKiB < 0 || s.WritableResidentKiB > s.ResidentKiB || s.MapEntries < 1 {
			return fmt.Errorf("libc-build: process size %d/%d/%d: want resident > 0, 0 <= writable resident <= resident, map entries >= 1",
				s.ResidentKiB, s.WritableResidentKiB, s.MapEntries)
		}
	}
	if c.PageSize < 512 || c.PTEBytes < 1 {
		return fmt.Errorf("libc-build: bad page size %d or PTE size %d", c.PageSize, c.PTEBytes)
	}
	return nil
}

// gen is the state shared by the generators.
type gen struct {
	rng      *rand.Rand
	emit     Emit
	now      int64
	nextPID  int32
	jitter   float64
	pageSize int32
	pteBytes int64
	buf      []trace.Event // events of the current unit, until flush
	err      error
}

func newGen(seed uint64, emit Emit, jitter float64, pageSize int32, pteBytes int64) *gen {
	return &gen{rng: rand.New(rand.NewPCG(seed, 0x666f726b636f7374)), emit: emit, nextPID: 100,
		jitter: jitter, pageSize: pageSize, pteBytes: pteBytes}
}

// vary returns v spread by the jitter.
func (g *gen) vary(v float64) float64 {
	return v * (1 + g.jitter*(2*g.rng.Float64()-1))
}

// advance moves the clock by about ms milliseconds.
func (g *gen) advance(ms float64) {
	g.now += int64(g.vary(ms) * 1e6)
}

func (g *gen) pid() int32 {
	p := g.nextPID
	g.nextPID++
	return p
}

func (g *gen) put(ev trace.Event) {
	ev.TimeNs = g.now
	g.buf = append(g.buf, ev)
}

// flush fills child_exec_ns of the buffered creations from the buffered
// execs, as a converter with look-ahead would, and emits the events. Units
// (one object's compile) are small, so the buffer stays small.
func (g *gen) flush() error {
	firstExec := map[int32]int64{}
	for i := range g.buf {
		if ev := &g.buf[i]; ev.Kind == trace.Exec {
			if _, ok := firstExec[ev.PID]; !ok {
				firstExec[ev.PID] = ev.TimeNs
			}
		}
	}
	for i := range g.buf {
		ev := &g.buf[i]
		if g.err == nil && ev.Kind.IsCreation() {
			ev.ChildExecNs, ev.HasChildExec = firstExec[ev.ChildPID]
		}
		if g.err == nil {
			g.err = g.emit(ev)
		}
	}
	g.buf = g.buf[:0]
	return g.err
}

// snapshot builds a parent's address space from an assumed size.
func (g *gen) snapshot(s ProcessSize) trace.Snapshot {
	kib := func(v float64) int64 {
		b := int64(v * 1024)
		return (b + int64(g.pageSize) - 1) / int64(g.pageSize) * int64(g.pageSize)
	}
	res := kib(g.vary(float64(s.ResidentKiB)))
	wr := kib(g.vary(float64(s.WritableResidentKiB)))
	if wr > res {
		wr = res
	}
	virt := res * 5 / 2
	pages := virt / int64(g.pageSize)
	ptBytes := (pages*g.pteBytes + int64(g.pageSize) - 1) / int64(g.pageSize) * int64(g.pageSize)
	return trace.Snapshot{
		VirtBytes: virt, WritableBytes: wr * 3 / 2, ResidentBytes: res, WritableResidentBytes: wr,
		AnonResidentBytes: wr, PageTableBytes: ptBytes, MapEntries: s.MapEntries,
		ParentThreads: 1, PageSize: g.pageSize, Source: trace.Synthetic,
	}
}

// proc is a running process in a generated trace.
type proc struct {
	pid, ppid int32
	comm      string
	size      ProcessSize
}

// create emits a creation by parent and returns the child, which starts as
// a copy of the parent (same comm) until it execs.
func (g *gen) create(parent *proc, kind trace.Kind) *proc {
	child := &proc{pid: g.pid(), ppid: parent.pid, comm: parent.comm, size: parent.size}
	g.put(trace.Event{PID: parent.pid, PPID: parent.ppid, Kind: kind, ChildPID: child.pid, Comm: parent.comm,
		Snapshot: g.snapshot(parent.size), HasSnapshot: true})
	g.advance(0.2)
	return child
}

// exec emits the child's exec and sets its new image. failedFirst lists
// paths tried before path (a PATH search).
func (g *gen) exec(p *proc, path, comm string, argv []string, size ProcessSize, failedFirst ...string) {
	for _, f := range failedFirst {
		g.put(trace.Event{PID: p.pid, PPID: p.ppid, Kind: trace.ExecFailed, Comm: p.comm, ExecPath: f, Argv: argv})
		g.advance(0.05)
	}
	g.advance(0.8)
	g.put(trace.Event{PID: p.pid, PPID: p.ppid, Kind: trace.Exec, Comm: comm, ExecPath: path, Argv: argv})
	p.comm, p.size = comm, size
}

func (g *gen) exit(p *proc, status int32) {
	g.put(trace.Event{PID: p.pid, PPID: p.ppid, Kind: trace.Exit, Comm: p.comm, ExitStatus: status, HasExitStatus: true})
	g.advance(0.1)
}

// run creates a child of parent with kind, execs path in it, lets it run
// for ms milliseconds and exit.
func (g *gen) run(parent *proc, kind trace.Kind, path string, argv []string, size ProcessSize, ms float64, failedFirst ...string) {
	c := g.create(parent, kind)
	g.exec(c, path, argv[0], argv, size, failedFirst...)
	g.advance(ms)
	g.exit(c, 0)
}

// Generate emits the libc build.
func (c LibcBuild) Generate(emit Emit) error {
	if err := c.Validate(); err != nil {
		return err
	}
	g := newGen(c.Seed, emit, c.Jitter, c.PageSize, c.PTEBytes)
	tool := ProcessSize{ResidentKiB: 200, WritableResidentKiB: 80, MapEntries: 10}
	mk := &proc{pid: g.pid(), ppid: 1, comm: "make", size: c.Make}
	g.put(trace.Event{PID: mk.pid, PPID: 1, Kind: trace.Exec, Comm: "make", ExecPath: "/usr/bin/make", Argv: []string{"make"}})
	suffix := []string{".o", ".po", ".so"}
	flags := [][]string{{"-O"}, {"-O", "-pg"}, {"-O", "-fpic", "-DPIC"}}
	shell := func(cmdline string) *proc {
		sh := g.create(mk, trace.VFork)
		g.exec(sh, "/bin/sh", "sh", []string{"sh", "-ec", cmdline}, c.Shell)
		return sh
	}
	for i := 0; i < c.Sources && g.flush() == nil; i++ {
		src := fmt.Sprintf("src%04d.c", i)
		for v := 0; v < c.Variants && g.err == nil; v++ {
			obj := fmt.Sprintf("src%04d%s", i, suffix[v%3])
			ccArgv := append(append([]string{"cc"}, flags[v%3]...), "-c", src, "-o", obj)
			sh := shell(fmt.Sprintf("cc %s -c %s -o %s; ld -x -r %s; mv a.out %s", flags[v%3][0], src, obj, obj, obj))
			// sh searches PATH=/bin:/usr/bin for cc, ld and mv.
			cc := g.create(sh, trace.Fork)
			g.exec(cc, "/usr/bin/cc", "cc", ccArgv, c.CC, "/bin/cc")
			g.run(cc, trace.VFork, "/usr/libexec/cpp", []string{"cpp", src}, tool, 300)
			g.run(cc, trace.VFork, "/usr/libexec/cc1", []string{"cc1", "-O", "-quiet"}, ProcessSize{ResidentKiB: 2000, WritableResidentKiB: 1500, MapEntries: 10}, 1200)
			g.run(cc, trace.VFork, "/usr/bin/as", []string{"as", "-o", obj}, tool, 200)
			g.exit(cc, 0)
			g.run(sh, trace.Fork, "/usr/bin/ld", []string{"ld", "-x", "-r", obj}, tool, 100, "/bin/ld")
			g.run(sh, trace.Fork, "/bin/mv", []string{"mv", "a.out", obj}, tool, 20)
			g.exit(sh, 0)
		}
	}
	for _, lib := range []string{"libc.a", "libc_p.a"} {
		sh := shell("ar cq " + lib + " `lorder *.o | tsort`; ranlib " + lib)
		g.run(sh, trace.Fork, "/usr/bin/ar", []string{"ar", "cq", lib}, tool, 3000, "/bin/ar")
		g.run(sh, trace.Fork, "/usr/bin/ranlib", []string{"ranlib", lib}, tool, 1000, "/bin/ranlib")
		g.exit(sh, 0)
	}
	sh := shell("ld -x -Bshareable -o libc.so.12.0 *.so")
	g.run(sh, trace.Fork, "/usr/bin/ld", []string{"ld", "-x", "-Bshareable", "-o", "libc.so.12.0"}, tool, 5000, "/bin/ld")
	g.exit(sh, 0)
	g.exit(mk, 0)
	return g.flush()
}

// Sweep configures the sweep workload.
type Sweep struct {
	Seed uint64
	// MinMiB and MaxMiB bound the parent's touched memory; sizes double
	// from one to the next (default 1 MiB to 1 GiB).
	MinMiB, MaxMiB int64
	// Reps is the number of fork+exec+wait rounds per size (default 5).
	Reps int
	// Base is the parent's size before it touches anything (default
	// 2 MiB resident, 512 KiB writable, 20 map entries: a small dynamically
	// linked C program).
	Base ProcessSize
	// PageSize and PTEBytes of the recording host (default 4096 and 8).
	PageSize int32
	PTEBytes int64
}

// DefaultSweep returns the documented defaults.
func DefaultSweep() Sweep {
	return Sweep{Seed: 1, MinMiB: 1, MaxMiB: 1024, Reps: 5,
		Base: ProcessSize{ResidentKiB: 2048, WritableResidentKiB: 512, MapEntries: 20}, PageSize: 4096, PTEBytes: 8}
}

// Meta returns the trace metadata for the workload.
func (c Sweep) Meta() trace.Meta {
	return trace.Meta{Source: "synth", SourceOS: "synthetic", TimeSynthetic: true,
		Origin: fmt.Sprintf("synth sweep --seed %d --min-mib %d --max-mib %d --reps %d", c.Seed, c.MinMiB, c.MaxMiB, c.Reps)}
}

// Sizes returns the touched sizes, in MiB.
func (c Sweep) Sizes() []int64 {
	var s []int64
	for m := c.MinMiB; m <= c.MaxMiB; m *= 2 {
		s = append(s, m)
	}
	return s
}

// Generate emits the sweep.
func (c Sweep) Generate(emit Emit) error {
	if c.MinMiB < 1 || c.MaxMiB < c.MinMiB || c.Reps < 1 {
		return fmt.Errorf("sweep: want 1 <= --min-mib <= --max-mib and --reps >= 1")
	}
	g := newGen(c.Seed, emit, 0, c.PageSize, c.PTEBytes)
	parent := &proc{pid: g.pid(), ppid: 1, comm: "sweep", size: c.Base}
	g.put(trace.Event{PID: parent.pid, PPID: 1, Kind: trace.Exec, Comm: "sweep", ExecPath: "/usr/local/bin/sweep", Argv: []string{"sweep"}})
	var touched int64
	for _, mib := range c.Sizes() {
		if g.flush() != nil {
			break
		}
		// Grow the buffer to mib MiB and touch every page.
		g.put(trace.Event{PID: parent.pid, PPID: 1, Kind: trace.Mmap, Comm: "sweep"})
		g.advance(float64(mib-touched) * 0.3)
		touched = mib
		parent.size = ProcessSize{ResidentKiB: c.Base.ResidentKiB + mib*1024,
			WritableResidentKiB: c.Base.WritableResidentKiB + mib*1024, MapEntries: c.Base.MapEntries + 1}
		for r := 0; r < c.Reps; r++ {
			g.run(parent, trace.Fork, "/bin/true", []string{"true"}, ProcessSize{ResidentKiB: 100, WritableResidentKiB: 20, MapEntries: 8}, 0.5)
		}
	}
	g.exit(parent, 0)
	return g.flush()
}
