package strace

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/decompress"
)

// TestEmitMemorySameRows converts the committed logs with and without
// SetEmitMemory: the same rows in the same order, and every memory row
// the memory way.
func TestEmitMemorySameRows(t *testing.T) {
	for _, name := range committedLogs() {
		data := readLog(t, name)
		tracetest.CheckEmitMemory(t, name, func(emit func(*trace.Event) error, mem tracetest.EmitMemory) {
			c := NewConverter(Options{}, emit)
			if mem != nil {
				c.SetEmitMemory(mem)
			}
			if err := RunPipelined(NewReader(bytes.NewReader(data), name), c, func(*SyntaxError) error { return nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestEmitSignalSameRows converts the committed logs with and without
// SetEmitSignal: the same rows in the same order, and the signal rows of
// the Go build's log (SIGURG) the signal way.
func TestEmitSignalSameRows(t *testing.T) {
	for _, name := range committedLogs() {
		data := readLog(t, name)
		convert := func(withSignal bool) (rows []trace.Event, viaSignal int) {
			c := NewConverter(Options{}, func(ev *trace.Event) error { rows = append(rows, *ev); return nil })
			if withSignal {
				c.SetEmitSignal(func(ts int64, pid, ppid int32, comm string, sig int32) error {
					viaSignal++
					rows = append(rows, trace.Event{TimeNs: ts, PID: pid, PPID: ppid, Kind: trace.Signal, Comm: comm, Signal: sig})
					return nil
				})
			}
			if err := RunPipelined(NewReader(bytes.NewReader(data), name), c, func(*SyntaxError) error { return nil }); err != nil {
				t.Fatal(err)
			}
			return rows, viaSignal
		}
		want, _ := convert(false)
		got, via := convert(true)
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows with SetEmitSignal, %d without", name, len(got), len(want))
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("%s: row %d with SetEmitSignal %+v, without %+v", name, i, got[i], want[i])
			}
		}
		if strings.Contains(name, "gobuild") && via == 0 {
			t.Errorf("%s: no signal row went to SetEmitSignal's function", name)
		}
	}
}

// committedLogs lists the committed logs that the row-path tests convert.
func committedLogs() []string {
	files, _ := filepath.Glob("testdata/*.txt")
	real, _ := filepath.Glob("testdata/real/*.strace.*")
	return append(files, real...)
}

// readLog reads a committed log, decompressed.
func readLog(t testing.TB, name string) []byte {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, closeDec, err := decompress.Reader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDec()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
