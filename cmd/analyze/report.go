package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/proctree"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report/htmlreport"
)

func init() {
	register(command{name: "report", summary: "write a self-contained HTML report: headline, machines, process tree, timeline, figures", run: runReport})
}

func runReport(e *env, args []string) error {
	fs := newFlagSet(e, "report", "analyze report [--machine M,...] [filters] -o report.html TRACE|DIR|GLOB...",
		`Replays the traces once, as 'analyze replay' does, and writes one HTML
file to open in a browser: the headline of each trace with its intervals,
the machines table, each trace's process tree (as 'analyze tree' groups
it; expand and collapse lines, search by command, sort by saving), the
timeline of the processes, and the paper figures of 'analyze plot' as
inline SVG, each with its provenance. The file is self-contained: styles,
script and figures are inline and nothing is fetched, so it opens from the
file system and can be mailed or archived as it is.

The tree's savings are on the first machine. The filters choose the
creations counted and costed, as for replay. As for replay, traces are
replayed in parallel (--jobs), and one that cannot be read is reported at
the end, left out, and makes the exit status 1. TRACE may be a raw strace
log or an embedded trace (`+embeddedNames()+`).`,
		"  analyze report -o report.html build.arrow\n  analyze report --machine ppro200,zen4,host -o runs.html runs/\n  analyze report -o demo.html embedded:dietlibc-build.arrow embedded:libc-build.arrow")
	var mfl manyFlags
	mfl.add(fs, true)
	out := fs.StringP("output", "o", "", "the HTML `file` to write (required)")
	mfl.addJobs(fs)
	title := fs.String("title", "forkcost report", "the page's `title`")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fs.failf("no output file: give -o report.html")
	}
	if fs.NArg() == 0 {
		return fs.failf("no TRACE given")
	}
	cfg, err := mfl.config(fs)
	if err != nil {
		return err
	}
	cfg.TopCommands = 5
	profs := cfg.Machines
	paths, err := expandInputs(fs.Args())
	if err != nil {
		return err
	}
	ms := plots.MachinesOf(profs)
	all := plots.NewCollector(ms, true)
	var traces []htmlreport.Trace
	sum, err := runMany(e, paths, replay.Many{Config: cfg, Jobs: *mfl.jobs,
		Each: func(i int, c *replay.Config) func(*replay.Summary) {
			col := plots.NewCollector(ms, true)
			c.OnEvent = col.OnEvent
			c.OnTraceEvent = col.Observe
			b := proctree.NewBuilder(0, true)
			b.Attach(c)
			return func(s *replay.Summary) {
				all.Merge(col, len(traces))
				traces = append(traces, htmlreport.Trace{Summary: s, Tree: b.Finish(paths[i], profs[0].Name)})
			}
		}})
	if err != nil {
		return err
	}
	if len(traces) == 0 {
		failures(e, sum)
		return fmt.Errorf("nothing to report: no trace could be replayed")
	}
	// The timeline first, across the page; then the paper's figures.
	timeline, _ := plots.LookupKind("timeline")
	kinds := []plots.Kind{timeline}
	for _, k := range plots.Kinds {
		if k.Name != "timeline" {
			kinds = append(kinds, k)
		}
	}
	// The timeline across a page, the others a column wide.
	d := all.Data(sum)
	var figs []htmlreport.Figure
	var skipped []error
	for i, st := range []plots.Style{plots.Paper(7 * vg.Inch), plots.Paper(plots.SingleColumn)} {
		ks := kinds[1:]
		if i == 0 {
			ks = kinds[:1]
		}
		fs, sk := plots.Make(d, ks, st)
		for _, f := range fs {
			figs = append(figs, htmlreport.Figure{Figure: f, Style: st})
		}
		skipped = append(skipped, sk...)
	}
	for _, s := range skipped {
		fmt.Fprintf(e.stderr, "analyze report: figure left out: %v\n", s)
	}
	in := &htmlreport.Input{Title: *title, Command: "analyze report " + strings.Join(args, " "), Summary: sum, Traces: traces, Figures: figs}
	err = plots.WriteAtomic(*out, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := htmlreport.Write(bw, in); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d traces, %d figures\n", *out, len(traces), len(figs))
	return failures(e, sum)
}
