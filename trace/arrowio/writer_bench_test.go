package arrowio_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// BenchmarkWriterAppend appends a converted build's typical mix (mostly
// memory rows with a dozen null columns, some creations with a snapshot,
// some execs with argv) to an Arrow file, in memory when /dev/shm exists so
// that the disk is not measured.
func BenchmarkWriterAppend(b *testing.B) {
	dir := b.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "forkcost-bench-"); err == nil {
			dir = d
			defer os.RemoveAll(d)
		}
	}
	sample := tracetest.Sample()
	evs := make([]trace.Event, 1<<16)
	for i := range evs {
		ev := trace.Event{TimeNs: int64(i), PID: 7, PPID: 1, Kind: trace.Mmap, Comm: "cc1"}
		if i%50 == 0 {
			ev = sample[i%len(sample)]
		}
		evs[i] = ev
	}
	const rows = 1 << 20
	b.SetBytes(rows)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := arrowio.Create(filepath.Join(dir, "w.arrow"), trace.Meta{Source: "bench"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < rows; j++ {
			if err := w.Append(&evs[j&(len(evs)-1)]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
