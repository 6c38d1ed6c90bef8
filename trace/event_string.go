package trace

import (
	"fmt"
	"strings"
)

// String prints the event on one line, fields that are null left out: the
// text form of the converters' golden files, and handy when debugging.
func (ev *Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d pid=%d", ev.TimeNs, ev.PID)
	if ev.PPID != 0 {
		fmt.Fprintf(&b, " ppid=%d", ev.PPID)
	}
	fmt.Fprintf(&b, " %s", ev.Kind)
	if ev.ChildPID != 0 {
		fmt.Fprintf(&b, " child=%d", ev.ChildPID)
	}
	if ev.HasCloneFlags {
		fmt.Fprintf(&b, " flags=%#x", ev.CloneFlags)
	}
	if ev.Comm != "" {
		fmt.Fprintf(&b, " comm=%q", ev.Comm)
	}
	if ev.ExecPath != "" {
		fmt.Fprintf(&b, " path=%q", ev.ExecPath)
	}
	if ev.Argv != nil {
		fmt.Fprintf(&b, " argv=%q", ev.Argv)
	}
	if ev.HasExitStatus {
		fmt.Fprintf(&b, " status=%d", ev.ExitStatus)
	}
	if ev.Signal != 0 {
		fmt.Fprintf(&b, " sig=%d", ev.Signal)
	}
	if ev.CoreDumped {
		b.WriteString(" core")
	}
	if ev.HasSnapshot {
		s := ev.Snapshot
		fmt.Fprintf(&b, " virt=%d wr=%d rss=%d wrss=%d anon=%d pt=%d maps=%d thr=%d %s",
			s.VirtBytes, s.WritableBytes, s.ResidentBytes, s.WritableResidentBytes, s.AnonResidentBytes,
			s.PageTableBytes, s.MapEntries, s.ParentThreads, s.Source)
	}
	if ev.HasChildExec {
		fmt.Fprintf(&b, " child_exec=%d", ev.ChildExecNs)
	}
	if ev.HasCreateNs {
		fmt.Fprintf(&b, " create_ns=%d", ev.CreateNs)
	}
	if ev.HasParentBlockedNs {
		fmt.Fprintf(&b, " blocked_ns=%d", ev.ParentBlockedNs)
	}
	if ev.HasPostCreateFaults {
		fmt.Fprintf(&b, " post_faults=%d", ev.PostCreateFaults)
	}
	if ev.HasExecNs {
		fmt.Fprintf(&b, " exec_ns=%d", ev.ExecNs)
	}
	return b.String()
}
