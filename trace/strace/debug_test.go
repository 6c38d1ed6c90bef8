package strace

import (
	"os"
	"testing"
)

// TestDebugDump prints the conversion of one of the package's testdata
// files, for a person looking into a converter. The three converters'
// TestDebugDumps (strace, kdump, truss) take the same variable:
//
//	FORKCOST_DEBUG_DUMP=FILE go test -run DebugDump -v ./trace/strace
func TestDebugDump(t *testing.T) {
	name := os.Getenv("FORKCOST_DEBUG_DUMP")
	if name == "" {
		t.Skip()
	}
	evs, c, errs := convertFiles(t, Options{}, name)
	for i := range evs {
		t.Log(formatEvent(&evs[i]))
	}
	for _, e := range errs {
		t.Log("ERR", e)
	}
	t.Logf("%s %+v", c.Stats.String(), c.Stats)
}
