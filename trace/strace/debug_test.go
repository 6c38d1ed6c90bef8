package strace

import (
	"os"
	"testing"
)

// TestDebugDump prints the conversion of a testdata file:
// DUMP=s_f_ttt_T.txt go test -run DebugDump -v ./trace/strace
func TestDebugDump(t *testing.T) {
	name := os.Getenv("DUMP")
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
