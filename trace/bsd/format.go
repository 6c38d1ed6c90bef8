package bsd

import (
	"fmt"

	"github.com/forkcost/forkcost/trace"
)

// FormatEvent prints an event on one line, for golden files and debugging.
func FormatEvent(ev *trace.Event) string { return ev.String() }

// CheckInvariants reports rows that break the trace schema's rules: kinds,
// signs, snapshots only on creation rows, child_exec_ns after the creation,
// and (when ordered is true) a child's rows after its creation row and
// times that never go backwards.
func CheckInvariants(evs []trace.Event, ordered bool) error {
	created := map[int32]int{}
	firstRow := map[int32]int{}
	for i := range evs {
		ev := &evs[i]
		if _, err := trace.ParseKind(string(ev.Kind)); err != nil {
			return fmt.Errorf("row %d: %v", i, err)
		}
		if ev.TimeNs < 0 || ev.PID < 0 || ev.PPID < 0 || ev.ChildPID < 0 {
			return fmt.Errorf("row %d: negative time or pid: %s", i, FormatEvent(ev))
		}
		isCreate := ev.Kind.IsCreation()
		if isCreate != ev.HasSnapshot {
			return fmt.Errorf("row %d: snapshot only on creation rows: %s", i, FormatEvent(ev))
		}
		if !isCreate && ev.HasChildExec {
			return fmt.Errorf("row %d: child_exec_ns on a non-creation row: %s", i, FormatEvent(ev))
		}
		if ev.HasChildExec && ev.ChildExecNs < ev.TimeNs {
			return fmt.Errorf("row %d: child exec'd before it was created: %s", i, FormatEvent(ev))
		}
		if ev.Kind == trace.Exit && ev.HasExitStatus && ev.Signal != 0 {
			return fmt.Errorf("row %d: exit with both status and signal", i)
		}
		if ev.HasSnapshot {
			s := ev.Snapshot
			for _, v := range []int64{s.VirtBytes, s.WritableBytes, s.ResidentBytes, s.WritableResidentBytes, s.AnonResidentBytes, s.PageTableBytes, s.MapEntries} {
				if v < 0 {
					return fmt.Errorf("row %d: negative size: %s", i, FormatEvent(ev))
				}
			}
			if s.WritableBytes > s.VirtBytes || s.ResidentBytes > s.VirtBytes || s.WritableResidentBytes > s.WritableBytes || s.ParentThreads < 1 || s.Source != trace.Estimated {
				return fmt.Errorf("row %d: inconsistent sizes: %s", i, FormatEvent(ev))
			}
		}
		if !ordered {
			continue
		}
		if i > 0 && ev.TimeNs < evs[i-1].TimeNs {
			return fmt.Errorf("row %d: time goes backwards: %s after %s", i, FormatEvent(ev), FormatEvent(&evs[i-1]))
		}
		if isCreate && ev.ChildPID > 0 {
			if _, ok := created[ev.ChildPID]; !ok {
				created[ev.ChildPID] = i
			}
		}
		if _, ok := firstRow[ev.PID]; !ok {
			firstRow[ev.PID] = i
		}
	}
	for child, ci := range created {
		if fi, ok := firstRow[child]; ok && fi < ci {
			return fmt.Errorf("pid %d has row %d before its creation row %d: %s", child, fi, ci, FormatEvent(&evs[fi]))
		}
	}
	return nil
}
