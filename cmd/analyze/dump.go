package main

import (
	"strconv"

	"github.com/forkcost/forkcost/report"
	"github.com/forkcost/forkcost/trace"
)

func init() {
	register(command{name: "dump", summary: "print a trace's rows as CSV, JSON lines or a table", run: runDump})
}

// dumpColumns are the trace columns in schema order, with how to print
// each from an Event ("" for null).
var dumpColumns = []struct {
	name string
	get  func(ev *trace.Event) any
}{
	{trace.ColTimeNs, func(ev *trace.Event) any { return ev.TimeNs }},
	{trace.ColPID, func(ev *trace.Event) any { return ev.PID }},
	{trace.ColPPID, func(ev *trace.Event) any { return nonZero(ev.PPID) }},
	{trace.ColKind, func(ev *trace.Event) any { return string(ev.Kind) }},
	{trace.ColChildPID, func(ev *trace.Event) any { return nonZero(ev.ChildPID) }},
	{trace.ColCloneFlags, func(ev *trace.Event) any {
		if !ev.HasCloneFlags {
			return nil
		}
		return "0x" + strconv.FormatUint(ev.CloneFlags, 16)
	}},
	{trace.ColComm, func(ev *trace.Event) any { return nonEmpty(ev.Comm) }},
	{trace.ColExecPath, func(ev *trace.Event) any { return nonEmpty(ev.ExecPath) }},
	{trace.ColArgv, func(ev *trace.Event) any {
		if ev.Argv == nil {
			return nil
		}
		return ev.Argv
	}},
	{trace.ColExitStatus, func(ev *trace.Event) any {
		if !ev.HasExitStatus {
			return nil
		}
		return ev.ExitStatus
	}},
	{trace.ColSignal, func(ev *trace.Event) any { return nonZero(ev.Signal) }},
	{trace.ColCoreDumped, func(ev *trace.Event) any {
		if ev.Kind != trace.Exit || ev.Signal == 0 {
			return nil
		}
		return ev.CoreDumped
	}},
	{trace.ColVirtBytes, snap(func(s *trace.Snapshot) any { return s.VirtBytes })},
	{trace.ColWritableBytes, snap(func(s *trace.Snapshot) any { return s.WritableBytes })},
	{trace.ColResidentBytes, snap(func(s *trace.Snapshot) any { return s.ResidentBytes })},
	{trace.ColWritableResidentBytes, snap(func(s *trace.Snapshot) any { return s.WritableResidentBytes })},
	{trace.ColAnonResidentBytes, snap(func(s *trace.Snapshot) any { return s.AnonResidentBytes })},
	{trace.ColHugeResidentBytes, snap(func(s *trace.Snapshot) any { return s.HugeResidentBytes })},
	{trace.ColPageTableBytes, snap(func(s *trace.Snapshot) any { return s.PageTableBytes })},
	{trace.ColMapEntries, snap(func(s *trace.Snapshot) any { return s.MapEntries })},
	{trace.ColParentThreads, snap(func(s *trace.Snapshot) any { return s.ParentThreads })},
	{trace.ColPageSize, snap(func(s *trace.Snapshot) any { return s.PageSize })},
	{trace.ColSnapshotSource, snap(func(s *trace.Snapshot) any { return nonEmpty(string(s.Source)) })},
	{trace.ColChildExecNs, func(ev *trace.Event) any {
		if !ev.HasChildExec {
			return nil
		}
		return ev.ChildExecNs
	}},
	{trace.ColMinFaults, func(ev *trace.Event) any {
		if !ev.HasFaults {
			return nil
		}
		return ev.MinFaults
	}},
	{trace.ColMajFaults, func(ev *trace.Event) any {
		if !ev.HasFaults {
			return nil
		}
		return ev.MajFaults
	}},
	{trace.ColProcGone, func(ev *trace.Event) any {
		if !ev.ProcGone {
			return nil
		}
		return true
	}},
	{trace.ColCreateNs, opt(func(ev *trace.Event) (int64, bool) { return ev.CreateNs, ev.HasCreateNs })},
	{trace.ColParentBlockedNs, opt(func(ev *trace.Event) (int64, bool) { return ev.ParentBlockedNs, ev.HasParentBlockedNs })},
	{trace.ColPostCreateFaults, opt(func(ev *trace.Event) (int64, bool) { return ev.PostCreateFaults, ev.HasPostCreateFaults })},
	{trace.ColExecNs, opt(func(ev *trace.Event) (int64, bool) { return ev.ExecNs, ev.HasExecNs })},
}

// opt prints a nullable int64 field.
func opt(f func(*trace.Event) (int64, bool)) func(*trace.Event) any {
	return func(ev *trace.Event) any {
		if v, ok := f(ev); ok {
			return v
		}
		return nil
	}
}

func snap(f func(*trace.Snapshot) any) func(*trace.Event) any {
	return func(ev *trace.Event) any {
		if !ev.HasSnapshot {
			return nil
		}
		return f(&ev.Snapshot)
	}
}

func nonZero(v int32) any {
	if v == 0 {
		return nil
	}
	return v
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func runDump(e *env, args []string) error {
	fs := newFlagSet(e, "dump", "analyze dump [--kind K,...] [filters] [--format csv|json|text|markdown|latex] [--limit N] TRACE|TABLE",
		`Prints a trace's rows, one per event, so that a table can be looked into
without other tools. Any other table forkcost writes (replay's -o per-event
costs, a part of its --out dataset) prints column by column as well. Null fields are empty in CSV and absent in JSON lines;
the first line of CSV output is the header, preceded by '#' lines with the
trace's metadata (and the filters applied, if any). JSON is JSON lines,
one object a row (--format jsonl is the same); text, markdown and LaTeX
gather the rows into one table, so give them a --limit.`,
		"  analyze dump --kind fork,vfork,spawn,clone build.arrow | head\n  analyze dump --format jsonl --kind exec build.parquet")
	var ff filterFlags
	ff.add(fs, true)
	out := addOutput(fs, report.CSV, map[string]report.Format{"jsonl": report.JSON})
	limit := fs.Int64("limit", 0, "stop after `n` rows (0: all)")
	addLenient(fs, e)
	if err := fs.parse(args); err != nil {
		return err
	}
	opts, err := out.options()
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fs.failf("want exactly one TRACE, got %d arguments", fs.NArg())
	}
	spec, err := ff.spec(fs)
	if err != nil {
		return err
	}
	if err := notATable(fs.Arg(0)); err != nil {
		return err
	}
	if plainTable(fs.Arg(0)) {
		// replay's per-event costs, or another table forkcost wrote.
		if spec.Active() {
			return fs.failf("%s holds per-event costs, not a trace: the filters apply to traces (filter when replaying instead)", fs.Arg(0))
		}
		return dumpTable(e, fs.Arg(0), opts, *limit)
	}
	rd, err := openTrace(e, fs.Arg(0))
	if err != nil {
		return err
	}
	defer rd.Close()
	ft, err := spec.Start(rd.Meta())
	if err != nil {
		return err
	}
	m := rd.Meta()
	header := []string{m.Source + " trace, schema " + m.Version + ", source OS " + m.SourceOS + ": " + m.Origin}
	if m.Incomplete != "" {
		header = append(header, "INCOMPLETE: "+m.Incomplete)
	}
	if spec.Active() {
		header = append(header, "filters: "+spec.String())
	}
	names := make([]string, len(dumpColumns))
	for i, c := range dumpColumns {
		names[i] = c.name
	}
	rows, err := report.NewRows(e.stdout, opts, header, names)
	if err != nil {
		return err
	}
	values := make([]any, len(dumpColumns))
	var n int64
	for rd.Next() {
		ev := rd.Event()
		ft.Observe(ev)
		if !ft.Row(ev) {
			continue
		}
		if *limit > 0 && n >= *limit {
			break
		}
		n++
		for i, c := range dumpColumns {
			values[i] = c.get(ev)
		}
		if err := rows.Write(rd.Row(), values); err != nil {
			return err
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rd.Err()
}
