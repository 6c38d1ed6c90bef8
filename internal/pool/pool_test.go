package pool

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestOrderedBoundsMemory: results come back in index order, and no more
// than 2*workers are started and not yet done, however slow one item is:
// memory is bounded by the workers, not by the number of items.
func TestOrderedBoundsMemory(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		var live, peak atomic.Int64
		next := 0
		Ordered(200, workers, func(i int) int {
			n := live.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			if i%50 == 0 {
				time.Sleep(5 * time.Millisecond) // a slow trace holds the others back
			}
			return i * i
		}, func(i, v int) {
			if i != next || v != i*i {
				t.Fatalf("workers %d: got item %d (%d), want %d", workers, i, v, next)
			}
			next++
			live.Add(-1)
		})
		if next != 200 {
			t.Fatalf("workers %d: %d items done", workers, next)
		}
		if p := peak.Load(); p > int64(2*workers) {
			t.Errorf("workers %d: %d items in flight, want at most %d", workers, p, 2*workers)
		}
	}
}

// TestOrderedRunsConcurrently: with 4 workers, 20 items that each wait
// 20 ms take about 100 ms, not 400 (waiting needs no CPU, so the check
// holds on a loaded machine).
func TestOrderedRunsConcurrently(t *testing.T) {
	start := time.Now()
	Ordered(20, 4, func(i int) int { time.Sleep(20 * time.Millisecond); return i }, func(int, int) {})
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("20 items of 20 ms on 4 workers took %v: not concurrent", d)
	}
}
