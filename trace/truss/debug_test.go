package truss

import (
	"os"
	"testing"

	"github.com/forkcost/forkcost/trace/bsd"
)

// TestDebugDump prints the conversion of one of the package's testdata
// files, for a person looking into a converter. The three converters'
// TestDebugDumps (strace, kdump, truss) take the same variable:
//
//	FORKCOST_DEBUG_DUMP=FILE go test -run DebugDump -v ./trace/truss
func TestDebugDump(t *testing.T) {
	name := os.Getenv("FORKCOST_DEBUG_DUMP")
	if name == "" {
		t.Skip()
	}
	evs, c, rd, errs := convert(t, name, bsd.Options{})
	t.Logf("form=%s errs=%v stats=%+v", rd.TimeForm(), errs, c.Stats)
	t.Logf("\n%s", lines(evs))
	if err := bsd.CheckInvariants(evs, true); err != nil {
		t.Error(err)
	}
}
