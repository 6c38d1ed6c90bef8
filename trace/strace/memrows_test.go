package strace

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/decompress"
)

// TestEmitMemorySameRows converts the committed logs with and without
// SetEmitMemory: the rows, taken as Events or as memory rows, must be the
// same, in the same order, and memory rows must go the memory way.
func TestEmitMemorySameRows(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	real, _ := filepath.Glob("testdata/real/*.strace.*")
	for _, name := range append(files, real...) {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		r, closeDec, err := decompress.Reader(f)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		closeDec()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		run := func(mem bool) (rows []trace.Event, memRows int) {
			c := NewConverter(Options{}, func(ev *trace.Event) error {
				rows = append(rows, *ev)
				return nil
			})
			if mem {
				c.SetEmitMemory(func(tm int64, pid, ppid int32, kind trace.Kind, comm string) error {
					memRows++
					rows = append(rows, trace.Event{TimeNs: tm, PID: pid, PPID: ppid, Kind: kind, Comm: comm})
					return nil
				})
			}
			if err := RunPipelined(NewReader(bytes.NewReader(data), name), c, func(*SyntaxError) error { return nil }); err != nil {
				t.Fatal(err)
			}
			return rows, memRows
		}
		plain, _ := run(false)
		split, memRows := run(true)
		if !reflect.DeepEqual(plain, split) {
			t.Errorf("%s: the rows differ with SetEmitMemory (%d rows, %d)", name, len(plain), len(split))
		}
		want := 0
		for i := range plain {
			if plain[i].Kind.IsMemory() {
				want++
			}
		}
		if memRows != want {
			t.Errorf("%s: %d memory rows went to SetEmitMemory's function, want all %d", name, memRows, want)
		}
	}
}
