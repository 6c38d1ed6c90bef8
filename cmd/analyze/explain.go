package main

import (
	"fmt"
	"math"

	"github.com/forkcost/forkcost/report"
	"github.com/forkcost/forkcost/trace"
)

func init() {
	register(command{name: "explain", summary: "print every strategy's steps for one creation, hypothetical or recorded", run: runExplain})
}

func runExplain(e *env, args []string) error {
	fs := newFlagSet(e, "explain", "analyze explain [--machine NAME] [--resident-mib N] [--writable-resident-mib N] [--map-entries N] [...] | --trace TRACE (--row N | --pid PID) [--format text|csv|json|markdown|latex]",
		`Costs one creation, described by the parent's address space, under every
strategy on one machine, and prints each strategy's steps in the order of
NetBSD's two lists, with the line of the seed each mirrors: a reader can
check the model against the seed by eye.

The creation is hypothetical, from the size flags: sizes not given take
defaults that follow the sizes given (the writable resident size is half
the resident size, the mapped sizes at least the resident ones), and the
output lists which were defaulted. Or it is one recorded creation, with
its real sizes: --trace with --row (the row 'analyze dump' prints in its
JSON lines) or --pid (the creation that made process PID).`,
		"  analyze explain --machine ppro200 --resident-mib 1.2 --writable-resident-mib 0.9 --map-entries 12\n  analyze explain --machine zen4 --resident-mib 4096 --format json\n  analyze explain --machine ppro200 --trace build.arrow --pid 4242")
	var mf machineFlags
	mf.add(fs)
	fs.Lookup("machine").Usage = "the built-in machine `profile` to use (default ppro200; see 'analyze machines')"
	out := addOutput(fs, report.Text, nil)
	tracePath := fs.String("trace", "", "explain a recorded creation of this `TRACE` (with --row or --pid)")
	row := fs.Int64("row", 0, "with --trace: the creation at this `row` of the trace (from 0)")
	pid := fs.Int32("pid", 0, "with --trace: the creation that made process `PID`")
	virt := fs.Float64("virt-mib", 4, "parent's mapped address space (`MiB`; default at least the resident size)")
	writable := fs.Float64("writable-mib", 1, "parent's private writable mappings (`MiB`; default at least the writable resident size)")
	resident := fs.Float64("resident-mib", 1, "parent's resident set (`MiB`; default at least the writable resident size)")
	wres := fs.Float64("writable-resident-mib", 0.5, "resident pages in private writable mappings (`MiB`; default half the resident size)")
	anon := fs.Float64("anon-resident-mib", 0, "resident anonymous memory (`MiB`; default: the writable resident size)")
	huge := fs.Float64("huge-resident-mib", 0, "resident memory in huge pages (`MiB`)")
	ptKiB := fs.Float64("page-table-kib", 16, "size of the parent's page tables (`KiB`; default 4 KiB per MiB mapped, at least 16)")
	entries := fs.Int64("map-entries", 12, "number of mappings (`n`)")
	threads := fs.Int32("parent-threads", 1, "threads in the parent (`n`)")
	pageSize := fs.Int32("page-size", 4096, "page size of the host the sizes came from (`bytes`)")
	if err := fs.parse(args); err != nil {
		return err
	}
	opts, err := out.options()
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fs.failf("unexpected argument %q", fs.Arg(0))
	}
	sizeFlags := []string{"virt-mib", "writable-mib", "resident-mib", "writable-resident-mib", "anon-resident-mib",
		"huge-resident-mib", "page-table-kib", "map-entries", "parent-threads", "page-size"}
	if *tracePath == "" && (fs.Changed("row") || fs.Changed("pid")) {
		return fs.failf("--row and --pid choose a creation of a --trace; give the trace")
	}
	if *tracePath != "" {
		if fs.Changed("row") == fs.Changed("pid") {
			return fs.failf("--trace: give --row N or --pid PID, one of them")
		}
		if *row < 0 || (fs.Changed("pid") && *pid <= 0) {
			return fs.failf("want --row >= 0 or --pid > 0")
		}
		for _, name := range sizeFlags {
			if fs.Changed(name) {
				return fs.failf("--%s: a recorded creation has its own sizes; give either --trace or sizes", name)
			}
		}
	}
	if len(mf.names)+len(mf.files) == 0 {
		mf.names = []string{"ppro200"}
	}
	profs, err := mf.profiles(fs)
	if err != nil {
		return err
	}
	if len(profs) != 1 {
		return fs.failf("explain takes one machine, got %d", len(profs))
	}
	var ex *report.Explanation
	if *tracePath != "" {
		if !fs.Changed("row") {
			*row = -1 // by --pid
		}
		rc, err := findCreation(e, *tracePath, *row, *pid)
		if err != nil {
			return err
		}
		ex = report.Explain(profs[0], rc.ev.Snapshot, nil)
		ex.Creation = rc.describe(*tracePath)
	} else {
		// Defaults follow the sizes given, so that --resident-mib 0 or
		// 4096 alone describes a possible address space.
		if !fs.Changed("resident-mib") && fs.Changed("writable-resident-mib") {
			*resident = max(*resident, *wres)
		}
		if !fs.Changed("writable-resident-mib") {
			*wres = *resident / 2
		}
		if !fs.Changed("anon-resident-mib") {
			*anon = *wres
		}
		if !fs.Changed("writable-mib") {
			*writable = max(*writable, *wres)
		}
		if !fs.Changed("virt-mib") {
			*virt = max(*virt, *resident, *writable)
		}
		if !fs.Changed("page-table-kib") {
			*ptKiB = max(*ptKiB, 4**virt)
		}
		for _, f := range []struct {
			name string
			v    float64
		}{{"virt-mib", *virt}, {"writable-mib", *writable}, {"resident-mib", *resident}, {"writable-resident-mib", *wres},
			{"anon-resident-mib", *anon}, {"huge-resident-mib", *huge}, {"page-table-kib", *ptKiB}} {
			if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
				return fs.failf("--%s %v: want a finite, non-negative size", f.name, f.v)
			}
		}
		// An address space that cannot exist: a part larger than the whole.
		for _, c := range []struct {
			part, whole string
			p, w        float64
		}{{"resident-mib", "virt-mib", *resident, *virt}, {"writable-mib", "virt-mib", *writable, *virt},
			{"writable-resident-mib", "resident-mib", *wres, *resident}, {"writable-resident-mib", "writable-mib", *wres, *writable},
			{"anon-resident-mib", "resident-mib", *anon, *resident}, {"huge-resident-mib", "resident-mib", *huge, *resident}} {
			if c.p > c.w {
				return fs.failf("--%s %s is larger than --%s %s: a part cannot exceed the whole", c.part, report.PlainNum(c.p), c.whole, report.PlainNum(c.w))
			}
		}
		if *entries < 0 || *threads < 1 || *pageSize < 512 {
			return fs.failf("want --map-entries >= 0, --parent-threads >= 1, --page-size >= 512")
		}
		mib := func(v float64) int64 { return int64(v * (1 << 20)) }
		snap := trace.Snapshot{VirtBytes: mib(*virt), WritableBytes: mib(*writable), ResidentBytes: mib(*resident),
			WritableResidentBytes: mib(*wres), AnonResidentBytes: mib(*anon), HugeResidentBytes: mib(*huge),
			PageTableBytes: int64(*ptKiB * 1024), MapEntries: *entries, ParentThreads: *threads, PageSize: *pageSize}
		var defaulted []string
		for _, name := range sizeFlags {
			if !fs.Changed(name) {
				defaulted = append(defaulted, name)
			}
		}
		ex = report.Explain(profs[0], snap, defaulted)
	}
	return report.Generate(e.stdout, opts, ex)
}

// recordedCreation is a creation found in a trace, with the verdict on it.
type recordedCreation struct {
	row      int64
	ev       trace.Event
	decided  bool
	eligible bool
	reason   trace.Reason
}

// findCreation streams the trace for the creation at row (row >= 0) or the
// one that made process pid, and for the eligibility verdict on it.
func findCreation(e *env, path string, row int64, pid int32) (*recordedCreation, error) {
	rd, err := openTrace(e, path)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var found *recordedCreation
	el := trace.NewEligibility(func(d trace.Decision) {
		if found != nil && !found.decided && d.Creation.Row == found.row {
			found.decided, found.eligible, found.reason = true, d.Eligible, d.Reason
		}
	})
	var last int64 = -1
	for rd.Next() {
		ev := rd.Event()
		r := rd.Row()
		last = r
		if found == nil && ((row >= 0 && r == row) || (pid != 0 && ev.Kind.IsCreation() && ev.ChildPID == pid)) {
			if !ev.Kind.IsCreation() {
				return nil, fmt.Errorf("%s: row %d is an event of kind %s, not a process creation (analyze dump --kind fork,vfork,spawn,clone --format jsonl lists the creations with their rows)", path, row, ev.Kind)
			}
			if !ev.HasSnapshot {
				return nil, fmt.Errorf("%s: row %d (%s by %s, pid %d) has no address-space sizes to explain", path, r, ev.Kind, ev.Comm, ev.PID)
			}
			found = &recordedCreation{row: r, ev: *ev}
			found.ev.Argv = append([]string(nil), ev.Argv...)
		}
		el.Observe(r, ev)
		if found != nil && found.decided {
			break
		}
	}
	if err := rd.Err(); err != nil {
		return nil, err
	}
	el.Finish()
	if found == nil {
		if row >= 0 {
			return nil, fmt.Errorf("%s: no row %d (the trace has %d rows)", path, row, last+1)
		}
		return nil, fmt.Errorf("%s: no creation made process %d", path, pid)
	}
	return found, nil
}

// describe is the creation's provenance for the explanation.
func (c *recordedCreation) describe(path string) map[string]any {
	d := map[string]any{"trace": path, "row": c.row, "kind": string(c.ev.Kind), "comm": c.ev.Comm,
		"pid": c.ev.PID, "child_pid": c.ev.ChildPID, "time_ns": c.ev.TimeNs, "snapshot_source": string(c.ev.Snapshot.Source)}
	if c.ev.Kind == trace.Fork && c.ev.HasFaults {
		// replay takes the parent's writes after a recorded fork from its
		// next fault counters; one row alone cannot, so the parameter
		// stands in.
		d["parent_writes"] = "from the parent_write_fraction parameter; replay measures them from the parent's next fault counters"
	}
	if c.decided {
		d["eligible"] = c.eligible
		d["eligibility"] = string(c.reason)
	}
	return d
}
