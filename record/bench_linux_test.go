//go:build linux && amd64

package record

import (
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
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
	var direct, recorded, directCPU, recordedCPU []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), cpu()
		if err := exec.Command(args[0], args[1:]...).Run(); err != nil {
			b.Fatal(err)
		}
		t1, c1 := time.Now(), cpu()
		if _, err := Run(Options{Args: args, Output: out}); err != nil {
			b.Fatal(err)
		}
		t2, c2 := time.Now(), cpu()
		direct = append(direct, t1.Sub(t0))
		recorded = append(recorded, t2.Sub(t1))
		directCPU = append(directCPU, c1-c0)
		recordedCPU = append(recordedCPU, c2-c1)
	}
	b.StopTimer()
	// CPU time (the workload's, and the recorder's own) depends less on
	// what else the machine runs than wall time does.
	b.ReportMetric(float64(median(directCPU).Microseconds())/1000, "direct-cpu-ms")
	b.ReportMetric(float64(median(recordedCPU).Microseconds())/1000, "recorded-cpu-ms")
	d, r := median(direct), median(recorded)
	b.ReportMetric(float64(d.Microseconds())/1000, "direct-ms")
	b.ReportMetric(float64(r.Microseconds())/1000, "recorded-ms")
	b.ReportMetric(float64(r)/float64(d), "ratio")
	b.ReportMetric(float64((r-d).Microseconds())/200, "extra-µs/creation")
}

// cpu returns the user and system time of this process and its reaped
// children.
func cpu() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
