package replay_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// writeCreations writes a trace of n fork+exec+exit triplets from one
// parent whose size varies, so that every creation is eligible.
func writeCreations(tb testing.TB, path string, n int) {
	tb.Helper()
	tracetest.WriteSeq(tb, path, trace.Meta{Source: "bench", Origin: "replay benchmark"}, tracetest.ForkExecExit(n, func(i int) trace.Snapshot {
		res := int64(1+i%1024) << 20
		return trace.Snapshot{VirtBytes: 4 * res, WritableBytes: res, ResidentBytes: res, WritableResidentBytes: res / 2,
			AnonResidentBytes: res / 2, PageTableBytes: res / 512, MapEntries: 30, ParentThreads: 1, PageSize: 4096, Source: trace.Synthetic}
	}))
}

var benchTrace string

// creationsTrace returns a trace of 1M creations (3M events), made once per
// test binary run.
func creationsTrace(b *testing.B) string {
	if benchTrace == "" {
		dir, err := os.MkdirTemp("", "forkcost-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchTrace = filepath.Join(dir, "creations.arrow")
		writeCreations(b, benchTrace, 1_000_000)
	}
	return benchTrace
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchTrace != "" {
		os.RemoveAll(filepath.Dir(benchTrace))
	}
	os.Exit(code)
}

// BenchmarkReadTrace is the baseline: merely reading the events.
func BenchmarkReadTrace(b *testing.B) {
	path := creationsTrace(b)
	b.ResetTimer()
	var events int64
	for b.Loop() {
		rd, err := arrowio.Open(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		for rd.Next() {
			events++
		}
		if err := rd.Err(); err != nil {
			b.Fatal(err)
		}
		rd.Close()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReplay replays 1M creations on ppro200 and zen4.
func BenchmarkReplay(b *testing.B) {
	path := creationsTrace(b)
	profs, err := machines.Select(nil, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var events int64
	var peak uint64
	for b.Loop() {
		r, _ := replay.New(replay.Config{Machines: profs})
		rd, err := arrowio.Open(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Trace(rd); err != nil {
			b.Fatal(err)
		}
		rd.Close()
		s := r.Summary()
		events += s.Trace.Events
		if s.Trace.Eligible != 1_000_000 {
			b.Fatalf("eligible = %d", s.Trace.Eligible)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak {
			peak = ms.HeapInuse
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
}

// TestReplayMemoryIsFlat checks that the replayer's own state does not
// grow with the trace: 10x more creations leave the same number of pending
// entries and commands (the heap is the Go runtime's business).
func TestReplayMemoryIsFlat(t *testing.T) {
	dir := t.TempDir()
	profs, _ := machines.Select(nil, nil, nil)
	var allocs [2]float64
	for i, n := range []int{10_000, 100_000} {
		path := filepath.Join(dir, "t.arrow")
		writeCreations(t, path, n)
		allocs[i] = testing.AllocsPerRun(1, func() {
			r, _ := replay.New(replay.Config{Machines: profs})
			rd, _ := arrowio.Open(path, nil)
			r.Trace(rd)
			rd.Close()
		})
	}
	// Allocation counts grow with batches read (64K rows each), not with
	// events: 10x the events may cost at most a few batches' worth more.
	perEvent := (allocs[1] - allocs[0]) / 270_000
	if perEvent > 0.01 {
		t.Errorf("replay allocates %.3f times per extra event (%v vs %v allocations): state grows with the trace", perEvent, allocs[0], allocs[1])
	}
}
