package main

import (
	"fmt"

	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

func init() {
	register(command{name: "replay", summary: "replay traces on machine profiles and print what sharing vfork saves", run: runReplay})
}

func runReplay(e *env, args []string) error {
	fs := newFlagSet(e, "replay", "analyze replay [--machine M,...] [--format text|csv|json|markdown] [-o EVENTS.arrow|.parquet] TRACE...",
		`Streams each trace, finds the creations that could have used vfork (the
child only exec'd or exited first), costs each one under every strategy
(fork-copy, fork-cow, fork-cow-pte, vfork-share, spawn) on every chosen
machine, and prints per machine: each strategy's total, the saving of
vfork-share over fork-cow and over the machine's native fork, the steps
the saving comes from, the parent commands behind it, and how much of it
rests on estimated sizes. With -o, also writes one row per eligible
creation and machine, with every strategy's cost.`,
		"  analyze replay --machine ppro200 --set ppro200.soft_fault_ns=20000 build.arrow\n  analyze replay --format json -o per-event.parquet build.arrow")
	var mf machineFlags
	mf.add(fs)
	var uf uncertaintyFlags
	uf.add(fs)
	format := fs.String("format", "text", "output `format`: text, csv, json or markdown")
	out := fs.StringP("output", "o", "", "also write per-event costs to `file` (.arrow or .parquet)")
	top := fs.Int("top", 10, "how many parent commands to list per machine")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := oneOf(fs, "format", *format, "text", "csv", "json", "markdown"); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fs.failf("no TRACE given")
	}
	if *top < 0 {
		return fs.failf("--top %d: must not be negative", *top)
	}
	profs, err := mf.profiles(fs)
	if err != nil {
		return err
	}
	unc, err := uf.config(fs)
	if err != nil {
		return err
	}
	sum, err := replayTraces(e, fs.Args(), replay.Config{Machines: profs, TopCommands: *top, Uncertainty: unc}, *out)
	if err != nil {
		return err
	}
	return render(e, *format, sum)
}

func render(e *env, format string, sum *replay.Summary) error {
	switch format {
	case "json":
		return report.JSON(e.stdout, sum)
	case "csv":
		return report.CSV(e.stdout, sum)
	case "markdown":
		return report.Markdown(e.stdout, sum)
	default:
		return report.Text(e.stdout, sum)
	}
}

// replayTraces replays paths in order; with eventsOut it also writes the
// per-event table, which appears only if every trace replayed.
func replayTraces(e *env, paths []string, cfg replay.Config, eventsOut string) (*replay.Summary, error) {
	bar := progress.New(e.stderr, e.terminal)
	defer bar.Done()
	profs := cfg.Machines
	var ew *replay.EventWriter
	if eventsOut != "" {
		var err error
		if ew, err = replay.NewEventWriter(eventsOut, paths, profs); err != nil {
			return nil, err
		}
		cfg.OnEvent = func(ec *replay.EventCost) error { return ew.Write(ec, profs[ec.Machine].Name) }
	}
	var current string
	cfg.Progress = func(n int64) { bar.Printf("replaying %s: %d events", current, n) }
	r, err := replay.New(cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		current = p
		rd, err := openAny(e, p) // a raw strace log is converted on the fly
		if err == nil {
			err = r.Trace(rd)
			rd.Close()
		}
		if err != nil {
			if ew != nil {
				ew.Abort()
			}
			return nil, err
		}
	}
	if ew != nil {
		if err := ew.Close(); err != nil {
			return nil, err
		}
		bar.Done()
		fmt.Fprintf(e.stderr, "wrote per-event costs to %s\n", eventsOut)
	}
	return r.Summary(), nil
}
