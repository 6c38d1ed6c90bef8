package bsd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/kdump"
	"github.com/forkcost/forkcost/trace/textconv"
	"github.com/forkcost/forkcost/trace/truss"
)

// TestEmitShortSameRows converts the kdump and truss logs with and
// without SetEmitShort: the same rows in the same order, and every memory
// row the short way.
func TestEmitShortSameRows(t *testing.T) {
	files, _ := filepath.Glob("../kdump/testdata/*.txt")
	tfiles, _ := filepath.Glob("../truss/testdata/*.txt")
	mem := 0
	for _, name := range append(files, tfiles...) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		isTruss := strings.Contains(name, "truss")
		m, _ := tracetest.CheckEmitShort(t, name, func(emit func(*trace.Event) error, short tracetest.EmitShort) {
			c := bsd.NewConverter(bsd.Options{Truss: isTruss}, emit)
			if short != nil {
				c.SetEmitShort(textconv.EmitShort(short))
			}
			var src bsd.Source = kdump.NewReader(bytes.NewReader(data), name)
			if isTruss {
				src = truss.NewReader(bytes.NewReader(data), name)
			}
			if err := bsd.RunPipelined(src, c, func(*bsd.SyntaxError) error { return nil }); err != nil {
				t.Fatal(err)
			}
		})
		mem += m
	}
	if mem == 0 {
		t.Error("no log made a memory row")
	}
}
