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

func TestDebugNotExited(t *testing.T) {
	name := os.Getenv("DUMPNE")
	if name == "" {
		t.Skip()
	}
	_, c, _ := convertFiles(t, Options{}, name)
	c.Finish()
	for tid, p := range c.tasks {
		t.Logf("tid %d proc %d exited=%v threads=%d tids=%v", tid, p.pid, p.exited, p.threads, p.tids)
	}
}
