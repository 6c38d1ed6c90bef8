package arrowio_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func TestAsyncWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.arrow")
	w, err := arrowio.Create(path, trace.Meta{Source: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	aw := arrowio.NewAsyncWriter(w)
	var want []trace.Event
	for i := 0; i < 10000; i++ { // several batches
		ev := tracetest.Sample()[i%6]
		ev.TimeNs = int64(i)
		if ev.HasChildExec {
			ev.ChildExecNs = ev.TimeNs + 20 // the child execs after its creation
		}
		want = append(want, ev)
		if err := aw.Append(&ev); err != nil {
			t.Fatal(err)
		}
		ev.PID = -1 // the queued copy must not see this
	}
	if err := aw.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, got := tracetest.Read(t, path, nil); !reflect.DeepEqual(got, want) {
		t.Errorf("read back %d events, differing from the %d appended", len(got), len(want))
	}
}

func TestAsyncWriterReportsTheWritersError(t *testing.T) {
	w, err := arrowio.Create(filepath.Join(t.TempDir(), "a.arrow"), trace.Meta{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	aw := arrowio.NewAsyncWriter(w)
	bad := trace.Event{Kind: "teleport"}
	var first error
	for i := 0; i < 20000 && first == nil; i++ {
		first = aw.Append(&bad)
	}
	if err := aw.Finish(); err == nil || !strings.Contains(err.Error(), "teleport") {
		t.Errorf("Finish: %v, want the writer's error", err)
	}
}

func TestAsyncWriterEnd(t *testing.T) {
	dir := t.TempDir()
	for _, fail := range []bool{false, true} {
		path := filepath.Join(dir, "e.arrow")
		w, err := arrowio.Create(path, trace.Meta{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		aw := arrowio.NewAsyncWriter(w)
		ev := tracetest.Sample()[0]
		aw.Append(&ev)
		var cause error
		if fail {
			cause = errors.New("converter failed")
		}
		if err := aw.End(cause); err != cause {
			t.Errorf("End(%v) = %v", cause, err)
		}
		_, statErr := os.Stat(path)
		if fail != os.IsNotExist(statErr) {
			t.Errorf("fail=%v: the output exists: %v", fail, statErr == nil)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 1 {
			t.Errorf("temporary files left: %v", entries)
		}
		os.Remove(path)
	}
	var none *arrowio.AsyncWriter
	if err := none.End(io.EOF); err != io.EOF {
		t.Errorf("nil End = %v", err)
	}
}

// TestAsyncWriterCases checks what an AsyncWriter writes against the
// events appended, where its batches are built in other ways than
// Drive's: from a checked allocator (whose buffers must all come back:
// the batches in flight are released at Finish) with batches of several
// sizes, after rows appended to the Writer itself, and over a writer that
// flushes on a timer (FlushEvery: the rows then go to the Writer).
func TestAsyncWriterCases(t *testing.T) {
	dir := t.TempDir()
	var evs []trace.Event
	for i := 0; i < 2000; i++ {
		ev := tracetest.Sample()[i%6]
		ev.TimeNs = int64(i)
		if ev.HasChildExec {
			ev.ChildExecNs = ev.TimeNs + 20
		}
		evs = append(evs, ev)
	}
	for _, c := range []struct {
		name   string
		batch  int
		before int // rows appended to the Writer first
		flush  bool
	}{{"batch1", 1, 0, false}, {"batch7", 7, 0, false}, {"batch300", 300, 0, false},
		{"before", 300, 450, false}, {"flushevery", 300, 0, true}} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		path := filepath.Join(dir, c.name+".arrow")
		var opts []arrowio.CreateOption
		if c.flush {
			opts = append(opts, arrowio.FlushEvery(time.Millisecond))
		}
		w, err := arrowio.Create(path, trace.Meta{Source: "test"}, mem, opts...)
		if err != nil {
			t.Fatal(err)
		}
		w.BatchRows = c.batch
		for i := range evs[:c.before] {
			if err := w.Append(&evs[i]); err != nil {
				t.Fatal(err)
			}
		}
		aw := arrowio.NewAsyncWriter(w)
		for i := c.before; i < len(evs); i++ {
			ev := &evs[i]
			if ev.Kind.IsMemory() && ev.ChildPID == 0 && !ev.HasSnapshot {
				err = aw.AppendShort(ev.TimeNs, ev.PID, ev.PPID, ev.Kind, ev.Comm, ev.Signal)
			} else {
				err = aw.Append(ev)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := aw.End(nil); err != nil {
			t.Fatal(err)
		}
		mem.AssertSize(t, 0)
		if w.Rows() != int64(len(evs)) {
			t.Errorf("%s: Rows() = %d, want %d", c.name, w.Rows(), len(evs))
		}
		if _, got := tracetest.Read(t, path, nil); !reflect.DeepEqual(got, evs) {
			t.Errorf("%s: read back %d events, differing from the %d appended", c.name, len(got), len(evs))
		}
	}
}

// TestLazyAsyncWriterOpenError: a lazy AsyncWriter whose open fails
// returns its error from every row function, Open and End, and writes
// nothing; one never opened ends with End's error.
func TestLazyAsyncWriterOpenError(t *testing.T) {
	bad := errors.New("no file")
	opened := 0
	aw := arrowio.NewLazyAsyncWriter(func() (*arrowio.Writer, error) {
		opened++
		return nil, bad
	})
	if err := aw.AppendShortKind(1, 2, 1, int32(trace.Mmap.Index()), "cc", 0); err != bad {
		t.Errorf("AppendShortKind: %v, want %v", err, bad)
	}
	ev := tracetest.Sample()[0]
	if err := aw.Append(&ev); err != bad {
		t.Errorf("Append: %v, want %v", err, bad)
	}
	if err := aw.Open(); err != bad {
		t.Errorf("Open: %v, want %v", err, bad)
	}
	if err := aw.End(nil); err != bad {
		t.Errorf("End: %v, want %v", err, bad)
	}
	if opened != 1 {
		t.Errorf("open called %d times, want 1", opened)
	}
	other := errors.New("stopped")
	unopened := arrowio.NewLazyAsyncWriter(func() (*arrowio.Writer, error) { panic("opened") })
	if err := unopened.End(other); err != other {
		t.Errorf("End of an unopened writer: %v, want %v", err, other)
	}
}
