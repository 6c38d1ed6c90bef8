package strace

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/decompress"
	"github.com/forkcost/forkcost/trace/textconv"
)

// TestEmitShortSameRows converts the committed logs with and without
// SetEmitShort: the same rows in the same order, every memory row the
// short way, and signal rows of the Go build's log (SIGURG) too.
func TestEmitShortSameRows(t *testing.T) {
	for _, name := range committedLogs() {
		data := readLog(t, name)
		_, sig := tracetest.CheckEmitShort(t, name, func(emit func(*trace.Event) error, short tracetest.EmitShort) {
			c := NewConverter(Options{}, emit)
			if short != nil {
				c.SetEmitShort(textconv.EmitShort(short))
			}
			if err := RunPipelined(NewReader(bytes.NewReader(data), name), c, func(*SyntaxError) error { return nil }); err != nil {
				t.Fatal(err)
			}
		})
		if strings.Contains(name, "gobuild") && sig == 0 {
			t.Errorf("%s: no signal row went the short way", name)
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
