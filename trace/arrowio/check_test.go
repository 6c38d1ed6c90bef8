package arrowio_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// TestReaderChecksRows writes a trace with two impossible rows among good
// ones: the reader stops at the first with the file, batch and row, or,
// lenient, skips both and reports them once.
func TestReaderChecksRows(t *testing.T) {
	evs := tracetest.Sample()
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
	if ext == ".parquet" {
		tracetest.NeedParquet(t)
	}
	path := filepath.Join(t.TempDir(), "bad"+ext)
	tracetest.Write(t, path, tracetest.Meta, evs, tracetest.BatchRows(3)) // rows 2 and 3: batch 0 row 2, then row 3

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
