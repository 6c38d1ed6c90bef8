package kdump

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/internal/fuzzbound"
	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/textconv"
)

// FuzzKdump feeds arbitrary text through the reader and the converter:
// they must never panic, every row must keep the schema's invariants, and
// nothing may stay held after Finish. The seed corpus is the fixtures, whole
// and in pieces of three lines.
func FuzzKdump(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		lines := bytes.Split(b, []byte("\n"))
		for i := 0; i+3 <= len(lines); i += 3 {
			f.Add(bytes.Join(lines[i:i+3], []byte("\n")))
		}
	}
	fuzzbound.Setup(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzbound.Run(t, func(t *testing.T) {
			open := func() bsd.Source {
				rd := NewReader(bytes.NewReader(data), "fuzz")
				rd.MaxLine = 4096
				return rd
			}
			if err := bsd.CheckLog(open, bsd.Options{Options: textconv.Options{MaxHeld: 16}}); err != nil {
				t.Fatalf("%v\ninput:\n%s", err, data)
			}
		})
	})
}
