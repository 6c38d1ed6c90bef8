package kdump

import (
	"os"
	"testing"

	"github.com/forkcost/forkcost/trace/bsd"
)

func TestDebugDump(t *testing.T) {
	name := os.Getenv("KDUMP_DEBUG")
	if name == "" {
		t.Skip()
	}
	evs, c, rd, errs := convert(t, name, bsd.Options{})
	t.Logf("os=%s form=%s errs=%v stats=%+v", rd.OS(), rd.TimeForm(), errs, c.Stats)
	t.Logf("\n%s", lines(evs))
	if err := bsd.CheckInvariants(evs, true); err != nil {
		t.Error(err)
	}
}
