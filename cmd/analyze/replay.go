package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
	"github.com/forkcost/forkcost/trace/arrowio"
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
	var mfl manyFlags
	mfl.add(fs, true)
	out0 := addOutput(fs, report.Text, nil)
	out := fs.StringP("output", "o", "", "also write per-event costs to `file` (.arrow or .parquet); traces are then replayed one at a time")
	outDir := fs.String("out", "", "also write per-event costs as a Parquet dataset in `DIR` (machine=M/trace=T/part-0.parquet)")
	mfl.addJobs(fs)
	top := fs.Int("top", 10, "how many parent commands to list per machine")
	addLenient(fs, e)
	if err := fs.parse(args); err != nil {
		return err
	}
	opts, err := out0.options()
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fs.failf("no TRACE given")
	}
	if err := checkTableOut(fs, "-o", *out); err != nil {
		return err
	}
	if *outDir != "" {
		if err := needParquet(fs, "--out", *outDir); err != nil {
			return err
		}
	}
	if *top < 0 {
		return fs.failf("--top %d: must not be negative", *top)
	}
	cfg, err := mfl.config(fs)
	if err != nil {
		return err
	}
	cfg.TopCommands = *top
	paths, err := expandInputs(fs.Args())
	if err != nil {
		return err
	}
	sum, err := runMany(e, paths, replay.Many{Config: cfg, Jobs: *mfl.jobs, EventsFile: *out, Dataset: *outDir})
	if err != nil {
		return err
	}
	if err := nothingReplayed(e, sum); err != nil {
		return err
	}
	warnEmpty(e, "replay", sum)
	if err := report.Generate(e.stdout, opts, sum); err != nil {
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

// nothingReplayed is the error when every trace failed: then there is no
// table worth printing, only the error (exit status 1).
func nothingReplayed(e *env, sum *replay.Summary) error {
	f := sum.Trace.Failed
	if len(sum.Trace.Inputs) > 0 || len(f) == 0 {
		return nil
	}
	if len(f) == 1 {
		return fmt.Errorf("%s: %s", f[0].Path, f[0].Error)
	}
	fmt.Fprintf(e.stderr, "analyze: none of the %d traces could be replayed:\n", len(f))
	for _, x := range f {
		fmt.Fprintf(e.stderr, "  %s: %s\n", x.Path, x.Error)
	}
	return errTracesFailed
}

// warnEmpty says on stderr when the filters kept no creation, so that a
// table of zeros is not taken for a result.
func warnEmpty(e *env, cmd string, sum *replay.Summary) {
	t := sum.Trace
	switch {
	case len(sum.Filters) > 0 && t.Creations == 0:
		fmt.Fprintf(e.stderr, "analyze %s: warning: the filters kept none of the %d creations (%s); every total is zero\n", cmd, t.CreationsBeforeFilters, strings.Join(sum.Filters, "; "))
	case t.Creations == 0 && len(t.Inputs) > 0:
		fmt.Fprintf(e.stderr, "analyze %s: warning: the traces hold no process creation; every total is zero\n", cmd)
	case t.Eligible == 0 && t.Creations > 0:
		fmt.Fprintf(e.stderr, "analyze %s: warning: none of the %d creations is eligible for vfork; every saving is zero\n", cmd, t.Creations)
	}
}

// runMany replays paths with replay.RunMany, opening each as the other
// subcommands do (raw logs converted on the fly, embedded traces by name),
// with progress on a terminal and the lines about written files on stderr.
func runMany(e *env, paths []string, m replay.Many) (*replay.Summary, error) {
	// Warnings from raw logs converted on the fly come from the workers.
	we := *e
	we.stderr = &lockedWriter{w: e.stderr}
	m.Open = func(path string) (*arrowio.Reader, error) { return openTrace(&we, path) }
	m.Bar = progress.New(e.stderr, e.terminal)
	m.Log = e.stderr
	return replay.RunMany(paths, m)
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
