package proctree_test

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/filter"
	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/proctree"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func ppro200(t *testing.T) []*machines.Profile {
	t.Helper()
	ps, err := machines.Select([]string{"ppro200", "zen4"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// build replays rd with cfg, building the tree on machine m.
func build(t *testing.T, rd *arrowio.Reader, cfg replay.Config, m int) (*proctree.Tree, *replay.Summary) {
	t.Helper()
	defer rd.Close()
	b := proctree.NewBuilder(m, true)
	b.Attach(&cfg)
	r, err := replay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Trace(rd); err != nil {
		t.Fatal(err)
	}
	return b.Finish(rd.Name(), cfg.Machines[m].Name), r.Summary()
}

// TestRootIsReplay: on the real recorded build, with and without filters,
// the root's creations, eligible creations and saving are replay's, on
// either machine; and every process is in the tree once.
func TestRootIsReplay(t *testing.T) {
	profs := ppro200(t)
	specs := []*filter.Spec{nil,
		{Comm: []string{"gcc"}},
		{Comm: []string{"cc1", "as"}},
		{Kinds: []trace.Kind{trace.Spawn}},
		{Since: filter.Time{Set: true, RelNs: 10e9, Text: "10s"}, Until: filter.Time{Set: true, RelNs: 20e9, Text: "20s"}},
	}
	for _, spec := range specs {
		for m := range profs {
			rd, err := defaulttrace.Recorded.Open()
			if err != nil {
				t.Fatal(err)
			}
			tr, sum := build(t, rd, replay.Config{Machines: profs, Filter: spec}, m)
			root := tr.Root
			name := fmt.Sprintf("%s on %s", strings.Join(spec.Describe(), "; "), profs[m].Name)
			if root.Creations != sum.Trace.Creations || root.Eligible != sum.Trace.Eligible {
				t.Errorf("%s: root has %d creations, %d eligible; replay %d, %d", name, root.Creations, root.Eligible, sum.Trace.Creations, sum.Trace.Eligible)
			}
			want := sum.Machines[m].SavedS
			if got := root.SavedNs / 1e9; math.Abs(got-want) > 1e-9*math.Abs(want) {
				t.Errorf("%s: root saves %v s, replay %v s", name, got, want)
			}
			if spec == nil && (want <= 0 || root.Creations == 0) {
				t.Errorf("%s: nothing counted", name)
			}
			// One node per process: the creations that name a child, plus
			// the processes seen without one.
			seen := map[*proctree.Process]bool{}
			var walk func(p *proctree.Process)
			walk = func(p *proctree.Process) {
				if seen[p] {
					t.Fatalf("%s: pid %d twice in the tree", name, p.PID)
				}
				seen[p] = true
				for _, c := range p.Children {
					if c.Parent != p {
						t.Fatalf("%s: pid %d's parent link is wrong", name, c.PID)
					}
					walk(c)
				}
			}
			walk(root)
			if int64(len(seen)) != root.Processes {
				t.Errorf("%s: %d processes walked, root says %d", name, len(seen), root.Processes)
			}
			if spec == nil && root.Processes != sum.Trace.Kinds["fork"]+sum.Trace.Kinds["vfork"]+sum.Trace.Kinds["spawn"]+sum.Trace.Kinds["clone"]+1 {
				t.Errorf("%d processes for %v creations and one root", root.Processes, sum.Trace.Kinds)
			}
		}
	}
}

// writeTrace writes evs as a trace file, one event per millisecond, and
// opens it.
func writeTrace(t *testing.T, evs []trace.Event) *arrowio.Reader {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.arrow")
	for i := range evs {
		evs[i].TimeNs = int64(i) * 1e6
	}
	tracetest.Write(t, path, trace.Meta{Source: "test", SourceOS: "linux"}, evs)
	rd, err := arrowio.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

var snap = trace.Snapshot{VirtBytes: 8 << 20, WritableBytes: 4 << 20, ResidentBytes: 2 << 20, WritableResidentBytes: 1 << 20,
	AnonResidentBytes: 1 << 20, PageTableBytes: 16 << 10, MapEntries: 20, ParentThreads: 1, PageSize: 4096, Source: trace.Recorded}

func create(kind trace.Kind, pid, ppid, child int32, comm string) trace.Event {
	return trace.Event{Kind: kind, PID: pid, PPID: ppid, ChildPID: child, Comm: comm, Snapshot: snap, HasSnapshot: true}
}

func exec(pid, ppid int32, comm string) trace.Event {
	return trace.Event{Kind: trace.Exec, PID: pid, PPID: ppid, Comm: comm, ExecPath: "/bin/" + comm, Argv: []string{comm, "-x"}}
}

func exit(pid, ppid int32, status int32) trace.Event {
	return trace.Event{Kind: trace.Exit, PID: pid, PPID: ppid, ExitStatus: status, HasExitStatus: true}
}

// shape writes the tree as comm[pid kind exit](children...).
func shape(p *proctree.Process) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s[%d %s", p.Comm, p.PID, p.Kind)
	switch {
	case p.Signal != 0:
		fmt.Fprintf(&b, " sig%d", p.Signal)
	case p.Exited:
		fmt.Fprintf(&b, " %d", p.ExitStatus)
	case !p.Ended:
		b.WriteString(" -")
	}
	fmt.Fprintf(&b, " c%d e%d]", p.Creations, p.Eligible)
	if len(p.Children) > 0 {
		var cs []string
		for _, c := range p.Children {
			cs = append(cs, shape(c))
		}
		b.WriteString("(" + strings.Join(cs, " ") + ")")
	}
	return b.String()
}

// TestAwkwardProcesses: an orphan re-parented to init stays under its
// creator, a reused pid is a new process (with or without the old one's
// exit traced), a process seen only at its exit hangs under its known
// parent or at the top, a thread is no process, and the figures still
// add up to replay's.
func TestAwkwardProcesses(t *testing.T) {
	evs := []trace.Event{
		create(trace.Fork, 1, 0, 10, "sh"),              // sh makes 10
		exec(10, 1, "make"),                             // 10 is make: eligible
		create(trace.Fork, 10, 1, 11, "make"),           // make makes 11
		exec(11, 10, "cc"),                              // eligible
		exit(10, 1, 0),                                  // make exits: 11 is an orphan
		create(trace.Fork, 11, 1, 12, "cc"),             // the orphan, now ppid 1, makes 12
		{Kind: trace.Mmap, PID: 12, PPID: 11},           // 12's first act: not eligible
		exit(12, 11, 0),                                 //
		exit(11, 1, 2),                                  // cc fails
		create(trace.VFork, 1, 0, 11, "sh"),             // pid 11 again: a new process
		exec(11, 1, "ld"),                               //
		{Kind: trace.Exit, PID: 11, PPID: 1, Signal: 9}, // killed
		exit(50, 1, 0),                                  // seen only at its exit, parent known
		exit(60, 999, 3),                                // seen only at its exit, parent unknown
		create(trace.Fork, 1, 0, 13, "sh"),              // 13, whose exit is never traced,
		create(trace.Thread, 1, 0, 14, "sh"),            // a thread of sh: no process
		{Kind: trace.Exit, PID: 14, PPID: 0},            // the thread ends, sh goes on
		create(trace.Spawn, 1, 0, 13, "sh"),             // 13 reused: replay counts the first 13 eligible at this exec
		exec(13, 1, "true"),                             //
		exit(13, 1, 0),                                  //
		exit(1, 0, 0),                                   //
	}
	profs := ppro200(t)
	tr, sum := build(t, writeTrace(t, evs), replay.Config{Machines: profs}, 0)
	got := shape(tr.Root)
	want := "(trace)[0  - c6 e5](" +
		"sh[1  0 c6 e5](" +
		"make[10 fork 0 c2 e1](cc[11 fork 2 c1 e0](cc[12 fork 0 c0 e0])) " +
		"ld[11 vfork sig9 c0 e0] " +
		"[50  0 c0 e0] " +
		"sh[13 fork - c0 e0] " +
		"true[13 spawn 0 c0 e0]) " +
		"[60  3 c0 e0])"
	if got != want {
		t.Errorf("tree\n got %s\nwant %s", got, want)
	}
	if tr.Root.Creations != sum.Trace.Creations || tr.Root.Eligible != sum.Trace.Eligible {
		t.Errorf("root %d/%d, replay %d/%d", tr.Root.Creations, tr.Root.Eligible, sum.Trace.Creations, sum.Trace.Eligible)
	}
	if d := tr.Root.SavedNs/1e9 - sum.Machines[0].SavedS; math.Abs(d) > 1e-12 || sum.Machines[0].SavedS <= 0 {
		t.Errorf("root saves %v s, replay %v s", tr.Root.SavedNs/1e9, sum.Machines[0].SavedS)
	}
	// The synthetic root starts with the first process at the top.
	if tr.Root.StartNs != 0 || !tr.Root.Synthetic() {
		t.Errorf("the synthetic root starts at %d ns", tr.Root.StartNs)
	}
	// The argv of the last exec is kept.
	mk := tr.Root.Children[0].Children[0]
	if strings.Join(mk.Argv, " ") != "make -x" {
		t.Errorf("make's argv %q", mk.Argv)
	}
}

// TestGroups: siblings of one command, three or more, are one line, with
// their children grouped under it the same way.
func TestGroups(t *testing.T) {
	var evs []trace.Event
	pid := int32(100)
	for i := 0; i < 5; i++ {
		gcc := pid
		evs = append(evs, create(trace.Spawn, 1, 0, gcc, "make"), exec(gcc, 1, "gcc"))
		evs = append(evs, create(trace.VFork, gcc, 1, gcc+1, "gcc"), exec(gcc+1, gcc, "cc1"), exit(gcc+1, gcc, 0))
		evs = append(evs, exit(gcc, 1, 0))
		pid += 2
		if i < 2 {
			evs = append(evs, create(trace.Spawn, 1, 0, pid, "make"), exec(pid, 1, "strip"), exit(pid, 1, 0))
			pid++
		}
	}
	tr, _ := build(t, writeTrace(t, evs), replay.Config{Machines: ppro200(t)}, 0)
	var lines []string
	var walk func(g *proctree.Group, indent string)
	walk = func(g *proctree.Group, indent string) {
		lines = append(lines, fmt.Sprintf("%s%s x%d c%d", indent, g.Comm(), len(g.Members), g.Creations))
		for _, c := range g.Children(proctree.MinRun) {
			walk(c, indent+"  ")
		}
	}
	walk(proctree.Groups([]*proctree.Process{tr.Root}, 1)[0], "")
	want := "make x1 c12|  gcc x5 c5|    cc1 x5 c0|  strip x1 c0|  strip x1 c0"
	if got := strings.Join(lines, "|"); got != want {
		t.Errorf("groups\n got %s\nwant %s", got, want)
	}
}

// TestMemoryFollowsProcesses: the builder's memory grows with the
// processes, not with the events: a million events of the same 2,000
// processes take no more than 200,000 do.
func TestMemoryFollowsProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("feeds a million events")
	}
	heap := func(events int) (uint64, *proctree.Builder) {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		b := proctree.NewBuilder(0, true)
		const procs = 2000
		ev := trace.Event{}
		row := int64(0)
		for p := int32(2); p < procs+2; p++ {
			ev = trace.Event{Kind: trace.Fork, PID: 1, ChildPID: p, Comm: "make"}
			b.Observe(row, &ev)
			row++
			ev = trace.Event{Kind: trace.Exec, PID: p, PPID: 1, Comm: "cc1", Argv: []string{"cc1", "-O2", "x.c"}}
			b.Observe(row, &ev)
			row++
		}
		for row < int64(events) {
			ev = trace.Event{Kind: trace.Mmap, PID: int32(2 + row%procs), PPID: 1, Comm: "cc1"}
			b.Observe(row, &ev)
			row++
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc), b
	}
	small, b1 := heap(200_000)
	large, b2 := heap(1_000_000)
	runtime.KeepAlive(b1)
	runtime.KeepAlive(b2)
	t.Logf("heap: %d KiB for 200k events, %d KiB for 1M", small>>10, large>>10)
	if large > small*3/2+1<<20 {
		t.Errorf("the builder grew with the events: %d KiB for 200k, %d KiB for 1M", small>>10, large>>10)
	}
}
