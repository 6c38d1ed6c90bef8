package main

import (
	"fmt"

	"github.com/forkcost/forkcost/compare"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

func init() {
	register(command{name: "compare", summary: "compare two traces, or two sets of traces, side by side", run: runCompare})
}

func runCompare(e *env, args []string) error {
	fs := newFlagSet(e, "compare", "analyze compare [--machine M,...] [filters] [--alpha A] [--format text|csv|json|markdown|latex] A B | A... vs B...",
		`Replays two traces, or two sets of traces, and sets them side by side in
the manner of benchstat: creations, eligible creations, the parents' mean
resident size, and on each machine fork-cow's total and the saving of
sharing vfork over fork-cow and over the native fork, with the relative
difference (B - A) / A.

Each side is one argument (a trace, a directory or a quoted glob) or,
with 'vs' between the sides, several. With one trace per side the
difference is shown as it is. With several traces per side (runs of the
same build), each side's value is the median over its traces, ± the
largest deviation from the median, and a two-sided Mann-Whitney U test on
the per-trace values says whether the difference is larger than the
run-to-run spread: the delta is printed when p < alpha, and ~ otherwise.
The test needs at least 4 traces per side to reach p < 0.05.

A trace that cannot be read is reported at the end and left out; the exit
status is then 1.`,
		"  analyze compare before.arrow after.arrow\n  analyze compare runs/old/ runs/new/\n  analyze compare old1.arrow old2.arrow old3.arrow old4.arrow vs new1.arrow new2.arrow new3.arrow new4.arrow\n  analyze compare --format latex --machine zen4 'old/*.parquet' 'new/*.parquet'")
	var mfl manyFlags
	mfl.add(fs, false)
	out := addOutput(fs, report.Text, nil)
	alpha := fs.Float64("alpha", compare.DefaultAlpha, "significance `level` of the test")
	mfl.addJobs(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	opts, err := out.options()
	if err != nil {
		return err
	}
	if *alpha <= 0 || *alpha >= 1 {
		return fs.failf("--alpha %g: must be in (0, 1)", *alpha)
	}
	var aArgs, bArgs []string
	rest := fs.Args()
	split := -1
	for i, a := range rest {
		if a == "vs" {
			if split >= 0 {
				return fs.failf("'vs' given twice")
			}
			split = i
		}
	}
	switch {
	case split >= 0:
		aArgs, bArgs = rest[:split], rest[split+1:]
		if len(aArgs) == 0 || len(bArgs) == 0 {
			return fs.failf("want traces on both sides of 'vs'")
		}
	case len(rest) == 2:
		aArgs, bArgs = rest[:1], rest[1:]
	default:
		return fs.failf("want two arguments A B, or A... vs B..., got %d arguments", len(rest))
	}
	cfg, err := mfl.config(fs)
	if err != nil {
		return err
	}
	cfg.TopCommands = 1
	aPaths, err := expandInputs(aArgs)
	if err != nil {
		return err
	}
	bPaths, err := expandInputs(bArgs)
	if err != nil {
		return err
	}
	paths := append(append([]string{}, aPaths...), bPaths...)
	a := compare.Side{Label: "A", Args: aArgs}
	b := compare.Side{Label: "B", Args: bArgs}
	sum, err := runMany(e, paths, replay.Many{Config: cfg, Jobs: *mfl.jobs,
		Each: func(i int, _ *replay.Config) func(*replay.Summary) {
			side := &a
			if i >= len(aPaths) {
				side = &b
			}
			return func(s *replay.Summary) {
				side.Traces = append(side.Traces, s)
				side.Paths = append(side.Paths, paths[i])
			}
		}})
	if err != nil {
		return err
	}
	for _, f := range sum.Trace.Failed {
		if indexOf(aPaths, f.Path) >= 0 {
			a.Failed++
		} else {
			b.Failed++
		}
	}
	if err := nothingReplayed(e, sum); err != nil {
		return err
	}
	if len(a.Traces) == 0 || len(b.Traces) == 0 {
		failures(e, sum)
		return fmt.Errorf("nothing to compare: no trace of side %s could be replayed", map[bool]string{true: "A", false: "B"}[len(a.Traces) == 0])
	}
	res := compare.Build(a, b, *alpha, cfg.Filter.Describe())
	if err := report.Generate(e.stdout, opts, res); err != nil {
		return err
	}
	return failures(e, sum)
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}
