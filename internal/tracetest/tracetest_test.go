package tracetest_test

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
)

// TestWriteRead writes Sample in batches of two rows and reads it back
// unchanged, metadata included.
func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.arrow")
	want := tracetest.Sample()
	tracetest.Write(t, path, tracetest.Meta, want, tracetest.BatchRows(2))
	meta, got := tracetest.Read(t, path, nil)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%v\nwant\n%v", got, want)
	}
	if meta.Origin != tracetest.Meta.Origin || meta.StartUnixNs != tracetest.Meta.StartUnixNs {
		t.Errorf("meta = %+v, want %+v", meta, tracetest.Meta)
	}
}

// TestForkExecExit checks that every creation ForkExecExit makes is
// eligible for vfork (its child execs first), and that a consumer may stop
// early.
func TestForkExecExit(t *testing.T) {
	evs := slices.Collect(tracetest.ForkExecExit(4, func(i int) trace.Snapshot {
		return trace.Snapshot{VirtBytes: int64(i+1) << 20, PageSize: 4096}
	}))
	if len(evs) != 12 {
		t.Fatalf("%d events, want 12", len(evs))
	}
	eligible := 0
	e := trace.NewEligibility(func(d trace.Decision) {
		if d.Eligible {
			eligible++
		}
	})
	for i := range evs {
		if p := evs[i].Check(); p != "" {
			t.Fatalf("event %d: %s", i, p)
		}
		e.Observe(int64(i), &evs[i])
	}
	e.Finish()
	if eligible != 4 {
		t.Errorf("%d eligible creations, want 4", eligible)
	}
	n := 0
	for range tracetest.ForkExecExit(1000, func(int) trace.Snapshot { return trace.Snapshot{} }) {
		if n++; n == 5 {
			break
		}
	}
}
