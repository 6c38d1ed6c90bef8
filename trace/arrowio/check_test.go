package arrowio_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func TestEventCheck(t *testing.T) {
	good := sampleEvents()
	for i := range good {
		if p := good[i].Check(); p != "" {
			t.Fatalf("sample row %d: %s", i, p)
		}
	}
	fork := good[1] // a creation with a snapshot
	cases := []struct {
		name string
		edit func(ev *trace.Event)
		want string
	}{
		{"negative time", func(ev *trace.Event) { ev.TimeNs = -1 }, "time_ns -1 is negative"},
		{"negative pid", func(ev *trace.Event) { ev.PID = -5 }, "pid -5 is negative"},
		{"negative ppid", func(ev *trace.Event) { ev.PPID = -1 }, "ppid -1 is negative"},
		{"unknown kind", func(ev *trace.Event) { ev.Kind = "spoon" }, `kind "spoon" is unknown`},
		{"creation without child", func(ev *trace.Event) { ev.ChildPID = 0 }, "a fork row has no child_pid"},
		{"child exec before creation", func(ev *trace.Event) { ev.ChildExecNs = ev.TimeNs - 1 }, "child_exec_ns 9 is before"},
		{"negative size", func(ev *trace.Event) { ev.Snapshot.PageTableBytes = -4096 }, "page_table_bytes -4096 is negative"},
		{"writable beyond virtual", func(ev *trace.Event) { ev.Snapshot.WritableBytes = 25288767635456 }, "writable_bytes 25288767635456 > virt_bytes 10485760"},
		{"resident beyond virtual", func(ev *trace.Event) { ev.Snapshot.ResidentBytes = 11 << 20 }, "resident_bytes 11534336 > virt_bytes"},
		{"writable resident beyond resident", func(ev *trace.Event) { ev.Snapshot.WritableResidentBytes = 4 << 20 }, "writable_resident_bytes 4194304 > resident_bytes 3145728"},
		{"anon beyond resident", func(ev *trace.Event) { ev.Snapshot.AnonResidentBytes = 3<<20 + 1 }, "anon_resident_bytes 3145729 > resident_bytes"},
		{"huge beyond virtual", func(ev *trace.Event) { ev.Snapshot.HugeResidentBytes = 11 << 20 }, "huge_resident_bytes 11534336 > virt_bytes"},
		{"page size", func(ev *trace.Event) { ev.Snapshot.PageSize = 4095 }, "page_size 4095 is not a power of two"},
		{"negative faults", func(ev *trace.Event) { ev.MajFaults = -1 }, "maj_faults -1 is negative"},
	}
	for _, c := range cases {
		ev := fork
		c.edit(&ev)
		if p := ev.Check(); !strings.Contains(p, c.want) {
			t.Errorf("%s: Check() = %q, want %q", c.name, p, c.want)
		}
	}
	// A log without pids (strace without -f) writes pid 0: allowed.
	ev := good[0]
	ev.PID = 0
	if p := ev.Check(); p != "" {
		t.Errorf("pid 0: %s", p)
	}
}

// TestReaderChecksRows writes a trace with two impossible rows among good
// ones: the reader stops at the first with the file, batch and row, or,
// lenient, skips both and reports them once.
func TestReaderChecksRows(t *testing.T) {
	evs := sampleEvents()
	bad1 := evs[1]
	bad1.TimeNs = 11
	bad1.Snapshot.WritableBytes = 25288767635456
	bad2 := evs[1]
	bad2.TimeNs = 12
	bad2.ChildPID = 0
	evs = append(evs[:2], append([]trace.Event{bad1, bad2}, evs[2:]...)...)
	for _, ext := range []string{".arrow", ".parquet"} {
		t.Run(ext, func(t *testing.T) { checkRows(t, ext, evs) })
	}
}

func checkRows(t *testing.T, ext string, evs []trace.Event) {
	path := filepath.Join(t.TempDir(), "bad"+ext)
	writeTrace(t, path, nil, evs, 3) // rows 2 and 3: batch 0 row 2, then row 3

	r, err := arrowio.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		n++
	}
	var ire *trace.InvalidRowError
	if !errors.As(r.Err(), &ire) || !errors.Is(r.Err(), trace.ErrInvalidRow) {
		t.Fatalf("after %d rows: error %v, want an InvalidRowError", n, r.Err())
	}
	if n != 2 || ire.File != path || ire.Batch != 0 || ire.BatchRow != 2 || ire.Row != 2 ||
		!strings.Contains(ire.Error(), "writable_bytes 25288767635456 > virt_bytes 10485760") {
		t.Fatalf("after %d rows: %+v", n, ire)
	}
	r.Close()

	r, err = arrowio.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	reports := 0
	var skipped int64
	var first *trace.InvalidRowError
	r.SetLenient(func(n int64, f *trace.InvalidRowError) { reports++; skipped, first = n, f })
	var times []int64
	for r.Next() {
		times = append(times, r.Event().TimeNs)
	}
	r.Close()
	if r.Err() != nil || reports != 1 || skipped != 2 || first.Row != 2 {
		t.Fatalf("lenient: err %v, %d reports, %d skipped, first %+v", r.Err(), reports, skipped, first)
	}
	if len(times) != len(evs)-2 || times[2] != 20 {
		t.Fatalf("lenient: read times %v", times)
	}
}
