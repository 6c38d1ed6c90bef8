package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/trace/decompress"
	"github.com/forkcost/forkcost/trace/textconv"
)

// convertJob is one trace to write: a log, or the files of an -ff set.
type convertJob struct {
	name   string // for messages: the log, or the -ff prefix
	inputs []textconv.Input
	out    string
}

// logJobs turns convert's arguments into jobs: a file is a job; a
// directory gives a job per file under it (recursively, sorted, hidden
// files skipped), except that LOG.PID files with the same LOG in one
// directory form one -ff job; a glob that names no file gives its
// matches, grouped the same way; anything else goes to textconv.ExpandFF
// (an -ff prefix) as one job.
func logJobs(args []string) ([]convertJob, error) {
	var jobs []convertJob
	group := func(files []string) {
		ff := map[string][]textconv.Input{}
		var order []string
		for _, f := range files {
			if i := strings.LastIndexByte(f, '.'); i > 0 {
				if pid, err := strconv.ParseInt(f[i+1:], 10, 32); err == nil && pid > 0 {
					prefix := f[:i]
					if _, ok := ff[prefix]; !ok {
						order = append(order, prefix)
					}
					ff[prefix] = append(ff[prefix], textconv.Input{Name: f, PID: int32(pid)})
					continue
				}
			}
			order = append(order, f)
			ff[f] = nil
		}
		for _, key := range order {
			ins := ff[key]
			switch {
			case ins == nil:
				jobs = append(jobs, convertJob{name: key, inputs: []textconv.Input{{Name: key}}})
			case len(ins) == 1:
				// A lone LOG.PID file is an ordinary log.
				jobs = append(jobs, convertJob{name: ins[0].Name, inputs: []textconv.Input{{Name: ins[0].Name}}})
			default:
				sort.Slice(ins, func(i, j int) bool { return ins[i].PID < ins[j].PID })
				jobs = append(jobs, convertJob{name: key, inputs: ins})
			}
		}
	}
	for _, a := range args {
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			var files []string
			err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if strings.HasPrefix(d.Name(), ".") && p != a {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if d.Type().IsRegular() {
					files = append(files, p)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("%s: no files in this directory", a)
			}
			group(files)
		case err == nil:
			jobs = append(jobs, convertJob{name: a, inputs: []textconv.Input{{Name: a}}})
		case strings.ContainsAny(a, "*?["):
			m, gerr := filepath.Glob(a)
			if gerr != nil {
				return nil, fmt.Errorf("%s: %v", a, gerr)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no file matches", a)
			}
			group(m)
		default:
			ins, err := textconv.ExpandFF([]string{a})
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, convertJob{name: a, inputs: ins})
		}
	}
	return jobs, nil
}

// convertMany converts each job into a trace of its own in dir, in
// parallel, and reports the failures at the end.
func convertMany(e *env, fset *flagSet, args []string, dir, ext string, from string, workers int, quiet bool, cfg textconv.Config) error {
	for _, a := range args {
		if a == "-" {
			return fset.failf("--out DIR converts files: stdin (-) cannot be one of them")
		}
	}
	jobs, err := logJobs(args)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Output names: the log's base name without .gz/.zst and without a
	// .strace/.log/.txt ending; repeated names get ~2, ~3...
	seen := map[string]int{}
	for i := range jobs {
		base := filepath.Base(jobs[i].name)
		for _, suf := range []string{".gz", ".zst", ".strace", ".kdump", ".truss", ".log", ".txt"} {
			base = strings.TrimSuffix(base, suf)
		}
		seen[base]++
		if n := seen[base]; n > 1 {
			base = fmt.Sprintf("%s~%d", base, n)
		}
		jobs[i].out = filepath.Join(dir, base+ext)
	}
	stderr := &lockedWriter{w: e.stderr}
	bar := progress.New(e.stderr, e.terminal)
	defer bar.Done()
	type outcome struct {
		st  *textconv.Stats
		err error
	}
	var failed []string
	ordered(len(jobs), workers, func(i int) outcome {
		j := jobs[i]
		f := textconv.Lookup(from)
		if from == "auto" {
			for _, in := range j.inputs {
				if fi, err := os.Stat(in.Name); err == nil && fi.Size() == 0 {
					continue // an empty -ff file
				}
				name := textconv.DetectFile(in.Name)
				if name == "" {
					return outcome{err: notALog(in.Name, decompress.HeadFile(in.Name, textconv.HeadBytes))}
				}
				f = textconv.Lookup(name)
				break
			}
			if f == nil {
				f = textconv.Lookup("strace")
			}
		}
		c := cfg
		c.Warn = func(format string, args ...any) {
			fmt.Fprintf(stderr, "analyze convert: %s: "+format+"\n", append([]any{j.name}, args...)...)
		}
		st, err := f.Convert(j.inputs, j.out, c)
		err = strictError(err)
		return outcome{st, err}
	}, func(i int, o outcome) {
		bar.Done()
		if o.err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", jobs[i].name, o.err))
		} else if !quiet {
			fmt.Fprintf(stderr, "wrote %s: %s\n", jobs[i].out, o.st)
		}
		if len(jobs) > 1 {
			bar.Printf("converted %d of %d logs", i+1, len(jobs))
		}
	})
	bar.Done()
	if len(failed) > 0 {
		fmt.Fprintf(stderr, "analyze: %d of %d logs could not be converted:\n", len(failed), len(jobs))
		for _, f := range failed {
			fmt.Fprintf(stderr, "  %s\n", f)
		}
		return errTracesFailed
	}
	return nil
}
