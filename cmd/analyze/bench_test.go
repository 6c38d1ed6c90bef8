package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"
)

var benchDirs = map[int]string{}

// smallTraces returns a directory of n small traces (100 creations, 300
// events each), made once per test binary run.
func smallTraces(b *testing.B, n int) string {
	if d, ok := benchDirs[n]; ok {
		return d
	}
	dir, err := os.MkdirTemp("", "forkcost-dir-bench")
	if err != nil {
		b.Fatal(err)
	}
	writeForks(b, filepath.Join(dir, "t0000.arrow"), 100)
	data, err := os.ReadFile(filepath.Join(dir, "t0000.arrow"))
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i < n; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("t%04d.arrow", i)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	benchDirs[n] = dir
	return dir
}

// peakHeap samples the live heap every millisecond while f runs and
// returns the largest sample, in bytes.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	return peak
}

// cpuTime is the process's user+system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReplayDirectory replays directories of 250 and 1,000 small
// traces, each iteration once on 1 worker and then once on 2, so that the
// two are measured in the same run under the same load (the machine is
// shared). It reports both rates, the speed-up (wall time on 1 worker over
// wall time on 2, summed over the iterations), the CPU time over wall time
// on 2 workers (2 = both cores busy; on a loaded machine far less), the
// CPU time per trace on each (which the load does not change), and the
// peak live heap, which should not grow from 250 to 1,000 traces. The
// Monte Carlo intervals are off (--mc-draws 0): they cost the same once per
// run whatever the number of traces, and are not what is measured here.
func BenchmarkReplayDirectory(b *testing.B) {
	for _, n := range []int{250, 1000} {
		b.Run(fmt.Sprintf("traces=%d", n), func(b *testing.B) {
			dir := smallTraces(b, n)
			var wall [3]time.Duration
			var cpu [3]time.Duration
			var peak uint64
			b.ResetTimer()
			for b.Loop() {
				for _, jobs := range []int{1, 2} {
					c0, t0 := cpuTime(), time.Now()
					p := peakHeap(func() {
						if err := run([]string{"replay", "--format", "json", "--mc-draws", "0", "--jobs", fmt.Sprint(jobs), dir}, io.Discard, io.Discard); err != nil {
							b.Fatal(err)
						}
					})
					wall[jobs] += time.Since(t0)
					cpu[jobs] += cpuTime() - c0
					peak = max(peak, p)
				}
			}
			runs := float64(b.N)
			b.ReportMetric(float64(n)*runs/wall[1].Seconds(), "traces/s-1worker")
			b.ReportMetric(float64(n)*runs/wall[2].Seconds(), "traces/s-2workers")
			b.ReportMetric(wall[1].Seconds()/wall[2].Seconds(), "speedup")
			b.ReportMetric(cpu[2].Seconds()/wall[2].Seconds(), "cpu/wall-2workers")
			// CPU per trace does not depend on the load: equal on 1 and
			// 2 workers means the parallel path adds no work.
			b.ReportMetric(cpu[1].Seconds()*1e6/(float64(n)*runs), "cpu-us/trace-1worker")
			b.ReportMetric(cpu[2].Seconds()*1e6/(float64(n)*runs), "cpu-us/trace-2workers")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	clear(benchDirs)
}
