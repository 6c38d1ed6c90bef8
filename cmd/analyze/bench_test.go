package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
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

// BenchmarkReplayDirectory replays directories of 250 and 1,000 small
// traces on 1 and 2 workers. traces/s on jobs=2 over jobs=1 is the
// speed-up; peak-heap-MiB (the largest live heap sampled during the run)
// should not grow from 250 to 1,000 traces.
func BenchmarkReplayDirectory(b *testing.B) {
	for _, n := range []int{250, 1000} {
		for _, jobs := range []int{1, 2} {
			b.Run(fmt.Sprintf("traces=%d/jobs=%d", n, jobs), func(b *testing.B) {
				dir := smallTraces(b, n)
				var peak uint64
				b.ResetTimer()
				for b.Loop() {
					p := peakHeap(func() {
						if err := run([]string{"replay", "--format", "json", "--jobs", fmt.Sprint(jobs), dir}, io.Discard, io.Discard); err != nil {
							b.Fatal(err)
						}
					})
					peak = max(peak, p)
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "traces/s")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			})
		}
	}
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	clear(benchDirs)
}
