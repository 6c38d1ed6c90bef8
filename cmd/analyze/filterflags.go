package main

import (
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/filter"
	"github.com/forkcost/forkcost/trace"
)

// filterFlags are the filters replay, plot and dump share. add registers
// them; spec checks them and returns the filter.Spec.
type filterFlags struct {
	since, until string
	comm         []string
	subtree      []string
	kinds        []string
	minParentMiB float64
	rows         bool // dump: filters apply to rows of every kind
}

// add registers the flags. With rows (dump), --kind takes every event kind
// and the filters select rows; otherwise they select process creations.
func (f *filterFlags) add(fs *flagSet, rows bool) {
	f.rows = rows
	what := "creations"
	if rows {
		what = "rows"
	}
	fs.StringVar(&f.since, "since", "", "only "+what+" at or after `TIME`: a duration from the trace start (30s, 2m) or an RFC 3339 time (needs the trace's start_unix_ns)")
	fs.StringVar(&f.until, "until", "", "only "+what+" before `TIME` (same forms as --since)")
	if rows {
		fs.StringArrayVar(&f.comm, "comm", nil, "only rows whose comm, or exec path's base name, matches the `glob` (* ? [...]; repeatable)")
		fs.StringSliceVar(&f.subtree, "subtree", nil, "only rows of process `PID` and its descendants (repeatable)")
		fs.StringSliceVar(&f.kinds, "kind", nil, "only events of these `kinds` (fork, vfork, spawn, clone, thread, exec, exec_failed, exit, signal, mmap, ...)")
		fs.Float64Var(&f.minParentMiB, "min-parent-mib", 0, "only rows with address-space sizes, resident at least `MiB`")
	} else {
		fs.StringArrayVar(&f.comm, "comm", nil, "only creations whose parent command, or the command the child exec'd, matches the `glob` (* ? [...]; repeatable: any)")
		fs.StringSliceVar(&f.subtree, "subtree", nil, "only creations made by process `PID` or its descendants (repeatable)")
		fs.StringSliceVar(&f.kinds, "kind", nil, "only creations of these `kinds`: fork, vfork, spawn, clone")
		fs.Float64Var(&f.minParentMiB, "min-parent-mib", 0, "only creations whose parent had at least `MiB` resident")
	}
}

// spec returns the checked filters (a usage error if they are bad), or nil
// when none is set.
func (f *filterFlags) spec(fs *flagSet) (*filter.Spec, error) {
	var s filter.Spec
	var err error
	if s.Since, err = filter.ParseTime(f.since); err != nil {
		return nil, fs.failf("--since %v", err)
	}
	if s.Until, err = filter.ParseTime(f.until); err != nil {
		return nil, fs.failf("--until %v", err)
	}
	s.Rows = f.rows
	s.Comm = f.comm
	for _, p := range f.subtree {
		pid, err := strconv.ParseInt(strings.TrimSpace(p), 10, 32)
		if err != nil || pid <= 0 {
			return nil, fs.failf("--subtree %q: want a process id", p)
		}
		s.Subtree = append(s.Subtree, int32(pid))
	}
	for _, k := range f.kinds {
		kind, err := trace.ParseKind(strings.TrimSpace(k))
		if err != nil {
			return nil, fs.failf("--kind: %v", err)
		}
		s.Kinds = append(s.Kinds, kind)
	}
	if f.minParentMiB < 0 {
		return nil, fs.failf("--min-parent-mib %g: must not be negative", f.minParentMiB)
	}
	s.MinParentBytes = int64(f.minParentMiB * (1 << 20))
	if err := s.Check(!f.rows); err != nil {
		return nil, fs.fail(err)
	}
	if !s.Active() {
		return nil, nil
	}
	return &s, nil
}
