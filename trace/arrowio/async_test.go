package arrowio_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

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
