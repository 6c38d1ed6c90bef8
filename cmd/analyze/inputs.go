package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// traceExts are the file name endings taken as traces when a directory is
// given.
var traceExts = []string{".arrow", ".feather", ".ipc", ".parquet"}

func isTraceName(name string) bool {
	if strings.HasPrefix(name, ".") { // hidden, or a table being written
		return false
	}
	ext := strings.ToLower(filepath.Ext(name))
	return slices.Contains(traceExts, ext)
}

// expandInputs turns the TRACE arguments into trace paths, in order: a
// directory gives the traces under it (recursively, sorted, by extension:
// .arrow, .feather, .ipc, .parquet); an argument that names no file but
// holds a glob pattern (* ? [) gives the paths it matches, for when the
// shell did not expand it (quoted, or too many files for one command line).
// Any other argument is kept as it is, so that a missing file is reported
// with the other failures.
func expandInputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			n := len(out)
			err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() && p != a && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				if !d.IsDir() && isTraceName(d.Name()) {
					out = append(out, p)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			if len(out) == n {
				return nil, fmt.Errorf("%s: no traces in this directory (looked for %s)", a, strings.Join(traceExts, ", "))
			}
		case err != nil && strings.ContainsAny(a, "*?["):
			m, gerr := filepath.Glob(a)
			if gerr != nil {
				return nil, fmt.Errorf("%s: %v", a, gerr)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no file matches", a)
			}
			sub, err := expandInputs(m)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		default:
			out = append(out, a)
		}
	}
	return out, nil
}

// defaultJobs is the number of traces processed at once by default.
func defaultJobs() int { return runtime.GOMAXPROCS(0) }

// ordered runs work(i) for i in [0, n) on up to workers goroutines and
// calls done(i, result) on the calling goroutine in index order. At most
// 2*workers results are started but not yet done, so memory is bounded by
// the number of workers, not by n.
func ordered[T any](n, workers int, work func(i int) T, done func(i int, v T)) {
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
