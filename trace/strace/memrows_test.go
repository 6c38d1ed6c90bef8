package strace

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/decompress"
)

// TestEmitMemorySameRows converts the committed logs with and without
// SetEmitMemory: the same rows in the same order, and every memory row
// the memory way.
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
