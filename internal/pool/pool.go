// Package pool runs independent pieces of work on a few goroutines and
// hands their results back in input order, so that what a command prints
// does not depend on how many workers it used.
package pool

import "sync"

// Ordered runs work(i) for i in [0, n) on up to workers goroutines and
// calls done(i, result) on the calling goroutine in index order. At most
// 2*workers results are started but not yet done, so memory is bounded by
// the number of workers, not by n.
func Ordered[T any](n, workers int, work func(i int) T, done func(i int, v T)) {
	if workers < 1 {
		workers = 1
	}
	if workers > n {
		workers = n
	}
	if n == 0 {
		return
	}
	type result struct {
		i int
		v T
	}
	window := 2 * workers
	tokens := make(chan struct{}, window)
	jobs := make(chan int)
	results := make(chan result, window)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results <- result{i, work(i)}
			}
		}()
	}
	go func() {
		for i := 0; i < n; i++ {
			tokens <- struct{}{}
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	pending := map[int]T{}
	next := 0
	for r := range results {
		pending[r.i] = r.v
		for {
			v, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			done(next, v)
			<-tokens
			next++
		}
	}
}
