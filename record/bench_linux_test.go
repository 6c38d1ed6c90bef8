//go:build linux && amd64

package record

import (
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// BenchmarkOverhead measures recording overhead on a fork-heavy workload
// (200 fork+exec of /bin/true, then wait, one after the other): each
// iteration runs it directly and under the recorder, alternately, in the
// same run. It reports the median wall time of each and their ratio.
func BenchmarkOverhead(b *testing.B) {
	p := progs(b)
	out := filepath.Join(b.TempDir(), "bench.arrow")
	args := []string{p, "forkexec", "200"}
	var direct, recorded []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := exec.Command(args[0], args[1:]...).Run(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := Run(Options{Args: args, Output: out}); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		direct = append(direct, t1.Sub(t0))
		recorded = append(recorded, t2.Sub(t1))
	}
	b.StopTimer()
	d, r := median(direct), median(recorded)
	b.ReportMetric(float64(d.Microseconds())/1000, "direct-ms")
	b.ReportMetric(float64(r.Microseconds())/1000, "recorded-ms")
	b.ReportMetric(float64(r)/float64(d), "ratio")
	b.ReportMetric(float64((r-d).Microseconds())/200, "extra-µs/creation")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
