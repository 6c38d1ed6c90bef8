package strace

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// convertFiles converts testdata files (one log, or an -ff set) and returns
// the events and the syntax errors.
func convertFiles(t testing.TB, opt Options, names ...string) ([]trace.Event, *Converter, []*SyntaxError) {
	t.Helper()
	var evs []trace.Event
	c := NewConverter(opt, func(ev *trace.Event) error {
		e := *ev
		evs = append(evs, e)
		return nil
	})
	var rds []*Reader
	for _, n := range names {
		f, err := os.Open(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		rd := NewReader(f, n)
		if pid, ok := ffPID(n); ok && len(names) > 1 {
			rd.DefaultPID = pid
		}
		rds = append(rds, rd)
	}
	var errs []*SyntaxError
	if err := Merge(rds, c, func(e *SyntaxError) error { c := *e; errs = append(errs, &c); return nil }); err != nil {
		t.Fatal(err)
	}
	return evs, c, errs
}

// formatEvent prints an event as one line of text, for golden files.
func formatEvent(ev *trace.Event) string {
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
	return b.String()
}
