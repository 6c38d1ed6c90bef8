package strace

import (
	"os"
	"testing"
)

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
