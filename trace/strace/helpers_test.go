package strace

import (
	"os"
	"path/filepath"
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
func formatEvent(ev *trace.Event) string { return ev.String() }
