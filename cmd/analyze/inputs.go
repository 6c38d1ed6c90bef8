package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/forkcost/forkcost/internal/pool"
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

// ordered is pool.Ordered: results in input order, memory bounded by the
// workers.
func ordered[T any](n, workers int, work func(i int) T, done func(i int, v T)) {
	pool.Ordered(n, workers, work, done)
}
