package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

func init() {
	register(command{name: "replay", summary: "replay traces on machine profiles and print what sharing vfork saves", run: runReplay})
}

func runReplay(e *env, args []string) error {
	fs := newFlagSet(e, "replay", "analyze replay [--machine M,...] [filters] [--format text|csv|json|markdown|latex] [-o EVENTS.arrow|.parquet] [--out DIR] TRACE|DIR|GLOB...",
		`Streams each trace, finds the creations that could have used vfork (the
child only exec'd or exited first), costs each one under every strategy
(fork-copy, fork-cow, fork-cow-pte, vfork-share, spawn) on every chosen
machine, and prints per machine: each strategy's total, the saving of
vfork-share over fork-cow and over the machine's native fork, the steps
the saving comes from, the parent commands behind it, and how much of it
rests on estimated sizes. With -o, also writes one row per eligible
creation and machine, with every strategy's cost.

A directory stands for the traces under it; a quoted glob for the files
it matches. Traces are replayed in parallel (--jobs); one that cannot be
read is reported at the end, left out of the totals, and makes the exit
status 1. With --out DIR, the per-event costs are written as a Parquet
dataset partitioned Hive style, DIR/machine=M/trace=T/part-0.parquet,
for DuckDB, Polars or Spark (see docs/analysis.md).

The filters (--since, --until, --comm, --subtree, --kind,
--min-parent-mib) choose which creations are counted and costed; whether
a creation is eligible is still decided on the whole trace.`,
		"  analyze replay --machine ppro200 --set ppro200.soft_fault_ns=20000 build.arrow\n  analyze replay --format json -o per-event.parquet build.arrow\n  analyze replay --since 30s --comm 'cc*' --format latex build.arrow\n  analyze replay --out results/ 'ci/*.parquet'")
	var mf machineFlags
	mf.add(fs)
	var ff filterFlags
	ff.add(fs, false)
	var uf uncertaintyFlags
	uf.add(fs)
	format := fs.String("format", "text", "output `format`: text, csv, json, markdown or latex")
	out := fs.StringP("output", "o", "", "also write per-event costs to `file` (.arrow or .parquet); traces are then replayed one at a time")
	outDir := fs.String("out", "", "also write per-event costs as a Parquet dataset in `DIR` (machine=M/trace=T/part-0.parquet)")
	jobs := fs.IntP("jobs", "j", defaultJobs(), "replay up to `n` traces at once")
	top := fs.Int("top", 10, "how many parent commands to list per machine")
	addLenient(fs, e)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := oneOf(fs, "format", *format, "text", "csv", "json", "markdown", "latex"); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fs.failf("no TRACE given")
	}
	if *top < 0 {
		return fs.failf("--top %d: must not be negative", *top)
	}
	if *jobs < 1 {
		return fs.failf("--jobs %d: want at least 1", *jobs)
	}
	spec, err := ff.spec(fs)
	if err != nil {
		return err
	}
	profs, err := mf.profiles(fs)
	if err != nil {
		return err
	}
	unc, err := uf.config(fs)
	if err != nil {
		return err
	}
	paths, err := expandInputs(fs.Args())
	if err != nil {
		return err
	}
	job := replayJob{cfg: replay.Config{Machines: profs, TopCommands: *top, Filter: spec, Uncertainty: unc}, jobs: *jobs, eventsOut: *out, outDir: *outDir}
	sum, err := job.run(e, paths)
	if err != nil {
		return err
	}
	if err := render(e, *format, sum); err != nil {
		return err
	}
	return failures(e, sum)
}

// failures reports the traces that could not be replayed, after the
// output, and makes the exit status 1 if there are any.
func failures(e *env, sum *replay.Summary) error {
	f := sum.Trace.Failed
	if len(f) == 0 {
		return nil
	}
	fmt.Fprintf(e.stderr, "analyze: %d of %d traces could not be replayed and are left out of the totals:\n", len(f), len(f)+len(sum.Trace.Inputs))
	for _, x := range f {
		fmt.Fprintf(e.stderr, "  %s: %s\n", x.Path, x.Error)
	}
	return errTracesFailed
}

var errTracesFailed = errors.New("some traces failed (listed above)")

func render(e *env, format string, sum *replay.Summary) error {
	switch format {
	case "json":
		return report.JSON(e.stdout, sum)
	case "csv":
		return report.CSV(e.stdout, sum)
	case "markdown":
		return report.Markdown(e.stdout, sum)
	case "latex":
		return report.LaTeX(e.stdout, sum)
	default:
		return report.Text(e.stdout, sum)
	}
}

// replayJob replays many traces: each with a Replayer of its own on a pool
// of workers, merged into the total in input order, so the output does not
// depend on the number of workers.
type replayJob struct {
	cfg       replay.Config // Machines, TopCommands, Filter, Uncertainty
	jobs      int
	eventsOut string // one per-event file: traces are then replayed in turn
	outDir    string // a partitioned per-event dataset
	// perTrace, if set, sees each replayed trace's own summary, in input
	// order, before it is merged (compare uses it).
	perTrace func(i int, s *replay.Summary)
}

type traceOutcome struct {
	r   *replay.Replayer
	err error
}

// replayTraces replays paths in order (the plain, sequential form some
// callers use); the first trace that fails is the error.
func replayTraces(e *env, paths []string, cfg replay.Config, eventsOut string) (*replay.Summary, error) {
	j := replayJob{cfg: cfg, jobs: 1, eventsOut: eventsOut}
	sum, err := j.run(e, paths)
	if err != nil {
		return nil, err
	}
	if len(sum.Trace.Failed) > 0 {
		f := sum.Trace.Failed[0]
		return nil, fmt.Errorf("%s: %s", f.Path, f.Error)
	}
	return sum, nil
}

func (j *replayJob) run(e *env, paths []string) (*replay.Summary, error) {
	bar := progress.New(e.stderr, e.terminal)
	defer bar.Done()
	profs := j.cfg.Machines
	total, err := replay.New(j.cfg)
	if err != nil {
		return nil, err
	}
	workers := j.jobs
	var ew *replay.EventWriter
	if j.eventsOut != "" {
		workers = 1 // one file, rows in input order
		if ew, err = replay.NewEventWriter(j.eventsOut, paths, profs); err != nil {
			return nil, err
		}
	}
	var parts []string
	if j.outDir != "" {
		if parts, err = j.prepareDataset(paths); err != nil {
			if ew != nil {
				ew.Abort()
			}
			return nil, err
		}
	}
	ewFailed := false
	failed := 0
	// Warnings from raw logs converted on the fly come from the workers.
	we := *e
	we.stderr = &lockedWriter{w: e.stderr}
	work := func(i int) traceOutcome {
		cfg := j.cfg
		var pws []*replay.EventWriter
		if j.outDir != "" {
			var err error
			if pws, err = j.partWriters(parts[i], paths[i]); err != nil {
				return traceOutcome{err: err}
			}
		}
		if ew != nil || pws != nil {
			cfg.OnEvent = func(ec *replay.EventCost) error {
				if ew != nil {
					ec.Input = i
					if err := ew.Write(ec, profs[ec.Machine].Name); err != nil {
						return err
					}
				}
				if pws != nil {
					return pws[ec.Machine].Write(ec, profs[ec.Machine].Name)
				}
				return nil
			}
		}
		if len(paths) == 1 {
			cfg.Progress = func(n int64) { bar.Printf("replaying %s: %d events", paths[i], n) }
		}
		r, err := replay.New(cfg)
		if err == nil {
			var rd interface{ Close() error }
			rd, err = replayOne(&we, r, paths[i])
			if rd != nil {
				rd.Close()
			}
		}
		for k, pw := range pws {
			if err != nil {
				pw.Abort()
				os.Remove(filepath.Join(j.outDir, "machine="+profs[k].Name, "trace="+parts[i])) // only if empty
			} else if cerr := pw.Close(); cerr != nil {
				err = cerr
			}
		}
		return traceOutcome{r, err}
	}
	ordered(len(paths), workers, work, func(i int, o traceOutcome) {
		if o.err != nil {
			total.Fail(paths[i], o.err)
			ewFailed = true
			failed++
		} else {
			if j.perTrace != nil {
				j.perTrace(i, o.r.Summary())
			}
			total.Merge(o.r)
		}
		if len(paths) > 1 {
			bar.Printf("replayed %d of %d traces", i+1, len(paths))
		}
	})
	bar.Done()
	if ew != nil {
		if ewFailed {
			ew.Abort()
			fmt.Fprintf(e.stderr, "analyze: per-event costs not written to %s: a trace failed\n", j.eventsOut)
		} else if err := ew.Close(); err != nil {
			return nil, err
		} else {
			fmt.Fprintf(e.stderr, "wrote per-event costs to %s\n", j.eventsOut)
		}
	}
	if j.outDir != "" {
		fmt.Fprintf(e.stderr, "wrote per-event costs of %d traces on %d machines to the dataset %s\n", len(paths)-failed, len(profs), j.outDir)
	}
	return total.Summary(), nil
}

// replayOne opens path (converting a raw log on the fly) and replays it
// into r; it returns the reader to close.
func replayOne(e *env, r *replay.Replayer, path string) (interface{ Close() error }, error) {
	rd, err := openTrace(e, path)
	if err != nil {
		return nil, err
	}
	return rd, lenientHint(r.Trace(rd))
}

// prepareDataset checks the dataset directory and names each trace's
// partition: the file's base name without extension, with characters
// other than letters, digits, '.', '-' and '_' replaced by '_', and a
// ~2, ~3... suffix for names already taken.
func (j *replayJob) prepareDataset(paths []string) ([]string, error) {
	if ents, err := os.ReadDir(j.outDir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("--out %s: the directory is not empty (a dataset is written whole: remove it or choose another)", j.outDir)
	}
	seen := map[string]int{}
	names := make([]string, len(paths))
	for i, p := range paths {
		base := filepath.Base(p)
		base = strings.TrimSuffix(base, filepath.Ext(base))
		name := strings.Map(func(r rune) rune {
			if r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return r
			}
			return '_'
		}, base)
		if name == "" {
			name = "_"
		}
		seen[name]++
		if n := seen[name]; n > 1 {
			name = fmt.Sprintf("%s~%d", name, n)
		}
		names[i] = name
	}
	return names, nil
}

func (j *replayJob) partWriters(part, tracePath string) ([]*replay.EventWriter, error) {
	extra := map[string]string{"forkcost.filters": j.cfg.Filter.String()}
	var ws []*replay.EventWriter
	for _, p := range j.cfg.Machines {
		dir := filepath.Join(j.outDir, "machine="+p.Name, "trace="+part)
		err := os.MkdirAll(dir, 0o755)
		var w *replay.EventWriter
		if err == nil {
			w, err = replay.NewPartWriter(filepath.Join(dir, "part-0.parquet"), tracePath, p, extra)
		}
		if err != nil {
			for _, w := range ws {
				w.Abort()
			}
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
