package bsd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/kdump"
	"github.com/forkcost/forkcost/trace/truss"
)

// TestEmitMemorySameRows converts the kdump and truss logs with and
// without SetEmitMemory: the same rows in the same order, and every
// memory row the memory way.
func TestEmitMemorySameRows(t *testing.T) {
	files, _ := filepath.Glob("../kdump/testdata/*.txt")
	tfiles, _ := filepath.Glob("../truss/testdata/*.txt")
	mem := 0
	for _, name := range append(files, tfiles...) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		isTruss := strings.Contains(name, "truss")
		run := func(split bool) (rows []trace.Event, memRows int) {
			c := bsd.NewConverter(bsd.Options{Truss: isTruss}, func(ev *trace.Event) error {
				rows = append(rows, *ev)
				return nil
			})
			if split {
				c.SetEmitMemory(func(tm int64, pid, ppid int32, kind trace.Kind, comm string) error {
					memRows++
					rows = append(rows, trace.Event{TimeNs: tm, PID: pid, PPID: ppid, Kind: kind, Comm: comm})
					return nil
				})
			}
			var src bsd.Source = kdump.NewReader(bytes.NewReader(data), name)
			if isTruss {
				src = truss.NewReader(bytes.NewReader(data), name)
			}
			if err := bsd.RunPipelined(src, c, func(*bsd.SyntaxError) error { return nil }); err != nil {
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
		mem += memRows
	}
	if mem == 0 {
		t.Error("no log made a memory row")
	}
}
