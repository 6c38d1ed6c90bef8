package bsd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/kdump"
	"github.com/forkcost/forkcost/trace/truss"
)

// RunPipelined gives the same rows, stats and syntax errors as Run.
func TestPipelinedSameAsRun(t *testing.T) {
	files, _ := filepath.Glob("../kdump/testdata/*.txt")
	tfiles, _ := filepath.Glob("../truss/testdata/*.txt")
	// A long log, so that batches and arenas turn over.
	var big bytes.Buffer
	for i := 0; i < 300; i++ {
		b, _ := os.ReadFile("../kdump/testdata/netbsd_T.txt")
		big.Write(b)
		big.WriteString("garbage line\n   10 sh       ZZZZ  unknown\n")
	}
	type input struct {
		name  string
		data  []byte
		truss bool
	}
	var ins []input
	for _, f := range files {
		b, _ := os.ReadFile(f)
		ins = append(ins, input{f, b, false})
	}
	for _, f := range tfiles {
		b, _ := os.ReadFile(f)
		ins = append(ins, input{f, b, true})
	}
	ins = append(ins, input{"big", big.Bytes(), false})
	for _, in := range ins {
		run := func(pipe bool) (string, bsd.Stats, int) {
			var out bytes.Buffer
			c := bsd.NewConverter(bsd.Options{Truss: in.truss}, func(ev *trace.Event) error {
				out.WriteString(bsd.FormatEvent(ev) + "\n")
				return nil
			})
			var src bsd.Source
			if in.truss {
				src = truss.NewReader(bytes.NewReader(in.data), in.name)
			} else {
				src = kdump.NewReader(bytes.NewReader(in.data), in.name)
			}
			nerr := 0
			onErr := func(*bsd.SyntaxError) error { nerr++; return nil }
			var err error
			if pipe {
				err = bsd.RunPipelined(src, c, onErr)
			} else {
				err = bsd.Run(src, c, onErr)
			}
			if err != nil {
				t.Fatal(err)
			}
			return out.String(), c.Stats, nerr
		}
		a, sa, ea := run(false)
		b, sb, eb := run(true)
		if a != b || sa.String() != sb.String() || sa.SyntaxErrors != sb.SyntaxErrors || sa.UnknownRecords != sb.UnknownRecords || ea != eb {
			t.Errorf("%s: pipelined conversion differs (%d/%d errors)", in.name, ea, eb)
		}
	}
}
