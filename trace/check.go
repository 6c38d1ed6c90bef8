package trace

import (
	"errors"
	"fmt"
)

// ErrInvalidRow is wrapped by the errors for rows that break the schema's
// invariants (see InvalidRowError).
var ErrInvalidRow = errors.New("the row breaks the trace schema's invariants")

// InvalidRowError reports a row that decodes but cannot be true: a size
// that is negative or larger than what contains it, an unknown kind, a
// creation without a child. Such a row
// comes from a corrupt file (a flipped bit in a column's buffer is not
// caught by the Arrow IPC or Parquet framing) or a faulty producer; read
// as it is, it would be replayed as a real event.
type InvalidRowError struct {
	File     string
	Batch    int   // record batch, from 0
	BatchRow int   // row within the batch, from 0
	Row      int64 // row within the file, from 0
	Problem  string
	Hint     string // see Reader.SetHint
}

func (e *InvalidRowError) Error() string {
	s := fmt.Sprintf("%s: batch %d, row %d (row %d of the file): %s", e.File, e.Batch, e.BatchRow, e.Row, e.Problem)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Is makes errors.Is(err, ErrInvalidRow) true.
func (e *InvalidRowError) Is(target error) bool { return target == ErrInvalidRow }

// Check returns what is wrong with ev, or "" when it keeps the invariants
// that every row of a trace keeps, whatever its source:
//
//   - time_ns is not negative (it counts from the trace's first event);
//   - pid, ppid and child_pid are not negative (pid 0 is a process whose
//     pid the source did not give: strace without -f, truss without -f);
//   - kind is one of Kinds;
//   - creation rows name the new process (child_pid);
//   - a creation's child_exec_ns is not before the creation;
//   - snapshot sizes are not negative, and nest: writable, resident and
//     huge-page resident bytes are at most the mapped bytes, writable
//     resident at most writable and at most resident, anonymous resident
//     at most resident; page_size is 0 (unknown) or a power of two;
//   - fault counters are not negative.
//
// Rows are not checked for time order: converted strace logs hold rows
// out of order by up to milliseconds (a creation stamped at its call's
// start is written after the child's first events).
func (ev *Event) Check() string {
	if ev.TimeNs < 0 {
		return fmt.Sprintf("%s %d is negative", ColTimeNs, ev.TimeNs)
	}
	if ev.PID < 0 {
		return fmt.Sprintf("%s %d is negative", ColPID, ev.PID)
	}
	if ev.PPID < 0 {
		return fmt.Sprintf("%s %d is negative", ColPPID, ev.PPID)
	}
	if ev.Kind.Index() < 0 {
		return fmt.Sprintf("%s %q is unknown (want one of %s)", ColKind, ev.Kind, kindList())
	}
	if ev.ChildPID < 0 {
		return fmt.Sprintf("%s %d is negative", ColChildPID, ev.ChildPID)
	}
	if ev.ChildPID == 0 && ev.Kind.IsCreation() {
		return fmt.Sprintf("a %s row has no %s", ev.Kind, ColChildPID)
	}
	if ev.HasChildExec && ev.ChildExecNs < ev.TimeNs {
		return fmt.Sprintf("%s %d is before the row's %s %d", ColChildExecNs, ev.ChildExecNs, ColTimeNs, ev.TimeNs)
	}
	if ev.HasFaults && (ev.MinFaults < 0 || ev.MajFaults < 0) {
		return fmt.Sprintf("%s %d or %s %d is negative", ColMinFaults, ev.MinFaults, ColMajFaults, ev.MajFaults)
	}
	if ev.HasSnapshot {
		return ev.Snapshot.check()
	}
	return ""
}

func (s *Snapshot) check() string {
	for i, v := range s.Sizes() {
		if v < 0 {
			return fmt.Sprintf("%s %d is negative", SizeCols[i], v)
		}
	}
	gt := func(a int64, an string, b int64, bn string) string {
		return fmt.Sprintf("%s %d > %s %d", an, a, bn, b)
	}
	switch {
	case s.WritableBytes > s.VirtBytes:
		return gt(s.WritableBytes, ColWritableBytes, s.VirtBytes, ColVirtBytes)
	case s.ResidentBytes > s.VirtBytes:
		return gt(s.ResidentBytes, ColResidentBytes, s.VirtBytes, ColVirtBytes)
	case s.HugeResidentBytes > s.VirtBytes:
		return gt(s.HugeResidentBytes, ColHugeResidentBytes, s.VirtBytes, ColVirtBytes)
	case s.WritableResidentBytes > s.ResidentBytes:
		return gt(s.WritableResidentBytes, ColWritableResidentBytes, s.ResidentBytes, ColResidentBytes)
	case s.WritableResidentBytes > s.WritableBytes:
		return gt(s.WritableResidentBytes, ColWritableResidentBytes, s.WritableBytes, ColWritableBytes)
	case s.AnonResidentBytes > s.ResidentBytes:
		return gt(s.AnonResidentBytes, ColAnonResidentBytes, s.ResidentBytes, ColResidentBytes)
	case s.ParentThreads < 0:
		return fmt.Sprintf("%s %d is negative", ColParentThreads, s.ParentThreads)
	case s.PageSize < 0 || s.PageSize&(s.PageSize-1) != 0:
		return fmt.Sprintf("%s %d is not a power of two", ColPageSize, s.PageSize)
	}
	return ""
}
