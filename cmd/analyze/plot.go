package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/replay"
)

func init() {
	register(command{name: "plot", summary: "draw paper figures (SVG, PDF, PNG) with their CSV data", run: runPlot})
}

// defaultPlotDir is where plot writes when --out is not given, and where
// the demo writes its figures.
const defaultPlotDir = "forkcost-figures"

// demoFigureDir is where 'analyze' without arguments writes its figures;
// tests point it elsewhere.
var demoFigureDir = defaultPlotDir

func runPlot(e *env, args []string) error {
	var kinds []string
	for _, k := range plots.Kinds {
		per := ""
		if k.PerMachine {
			per = " [a file per machine]"
		}
		kinds = append(kinds, fmt.Sprintf("  %-16s %s%s", k.Name, k.About, per))
	}
	fs := newFlagSet(e, "plot", "analyze plot [--machine M,...] [--set M.P=V] [filters] [--figure F,...] [--format svg,pdf,png] [--out DIR] [--width 3.3in] TRACE|DIR|GLOB...",
		`Replays the traces on the chosen machines, as 'analyze replay' does, and
draws figures for a paper, each in each format, into DIR: FIGURE.FORMAT
for figures that compare machines, FIGURE-MACHINE.FORMAT for figures drawn
per machine. Beside each figure, FIGURE.csv holds the data behind it. The
CSV's '#' header lines, the SVG's <metadata>, the PDF's document
information and a PNG text chunk say where the numbers come from: tool and
model version, traces, profiles with hashes and overrides, the command.
The same inputs give byte-identical files, each written atomically. TRACE
may be an embedded trace: `+embeddedNames()+`. Figures:

`+strings.Join(kinds, "\n")+`

Figures are sized for a paper column (--width 3.3in, or 7in across two
columns) with 8 pt text; series differ in dash and marker as well as in
colour, so they survive greyscale printing. The machines figure puts the
90% ranges of replay's Monte Carlo (--mc-draws) around the savings over
fork-cow and over each machine's native fork. The filters (--since,
--until, --comm, --subtree, --kind, --min-parent-mib) choose the creations
drawn, as they do for replay, and the provenance names them. As for
replay, traces are replayed in parallel (--jobs), and one that cannot be
read is reported at the end, left out of the figures, and makes the exit
status 1.`,
		"  analyze plot --out figs build.arrow\n  analyze plot --figure cumulative,machines --format pdf --width 7in build.arrow\n  analyze plot --machine zen4 --set zen4.soft_fault_ns=1500 --figure sensitivity build.arrow")
	var mfl manyFlags
	mfl.add(fs, true)
	figures := fs.StringSlice("figure", nil, "`figures` to draw, comma-separated (default all)")
	formats := fs.StringSlice("format", []string{"svg", "pdf", "png"}, "image `formats`: svg, pdf, png (comma-separated)")
	out := fs.String("out", defaultPlotDir, "`directory` to write the figures into (created if missing)")
	width := fs.String("width", "3.3in", "figure `width`: 3.3in for a column, 7in for a page (also mm, cm, pt)")
	mfl.addJobs(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fs.failf("no TRACE given")
	}
	kinds2, err := parseKinds(fs, *figures)
	if err != nil {
		return err
	}
	fmts, err := parseFormats(fs, "--format", *formats)
	if err != nil {
		return err
	}
	w, err := plots.ParseWidth(*width)
	if err != nil {
		return fs.fail(err)
	}
	if *out == "" {
		return fs.failf("--out: empty directory name")
	}
	cfg, err := mfl.config(fs)
	if err != nil {
		return err
	}
	paths, err := expandInputs(fs.Args())
	if err != nil {
		return err
	}
	d, sum, err := collectTraces(e, paths, cfg, *mfl.jobs, needsSensitivity(kinds2), needsKind(kinds2, "timeline"))
	if err != nil {
		return err
	}
	if len(sum.Trace.Inputs) == 0 {
		failures(e, sum)
		return errors.New("nothing to plot: no trace could be replayed")
	}
	prov := plots.ProvenanceOf(d.Summary(), "analyze plot "+strings.Join(args, " "))
	figs, skipped := plots.Make(d, kinds2, plots.Paper(w))
	for _, s := range skipped {
		fmt.Fprintf(e.stderr, "analyze plot: skipped %v\n", s)
	}
	if len(figs) == 0 {
		return fmt.Errorf("no figure drawn: %w", errors.Join(skipped...))
	}
	written, err := plots.WriteFiles(*out, figs, fmts, plots.Paper(w), prov)
	if err != nil {
		return err
	}
	for _, f := range figs {
		fmt.Fprintf(e.stdout, "%s.{%s,csv}\n", filepath.Join(*out, f.Name()), strings.Join(fmts, ","))
	}
	fmt.Fprintf(e.stdout, "wrote %d figures (%d files) to %s\n", len(figs), len(written), *out)
	if len(skipped) > 0 && len(*figures) > 0 {
		failures(e, sum)
		return fmt.Errorf("%d of the figures asked for could not be drawn (see above)", len(skipped))
	}
	return failures(e, sum)
}

func parseKinds(fs *flagSet, names []string) ([]plots.Kind, error) {
	if len(names) == 0 {
		return plots.Kinds, nil
	}
	var out []plots.Kind
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "all" {
			return plots.Kinds, nil
		}
		k, err := plots.LookupKind(n)
		if err != nil {
			return nil, fs.failf("--figure: %v", err)
		}
		if !needsKind(out, k.Name) {
			out = append(out, k)
		}
	}
	return out, nil
}

// parseFormats checks the image formats of flag (--format, --figures).
func parseFormats(fs *flagSet, flag string, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if !slices.Contains(plots.Formats, n) {
			return nil, fs.failf("%s %q: want svg, pdf or png (comma-separated)", flag, n)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fs.failf("%s: no format given", flag)
	}
	return out, nil
}

func needsSensitivity(kinds []plots.Kind) bool { return needsKind(kinds, "sensitivity") }

func needsKind(kinds []plots.Kind, name string) bool {
	return slices.ContainsFunc(kinds, func(k plots.Kind) bool { return k.Name == name })
}

// collectTraces replays paths with cfg (machines, filters, intervals) as
// replay does, collecting what the figures need (with processes, every
// process's lifetime too, for the timeline): each trace into a collector
// of its own, merged in input order.
func collectTraces(e *env, paths []string, cfg replay.Config, jobs int, sensitivity, processes bool) (*plots.Data, *replay.Summary, error) {
	ms := plots.MachinesOf(cfg.Machines)
	all := plots.NewCollector(ms, sensitivity)
	merged := 0
	sum, err := runMany(e, paths, replay.Many{Config: cfg, Jobs: jobs,
		Each: func(i int, c *replay.Config) func(*replay.Summary) {
			col := plots.NewCollector(ms, sensitivity)
			c.OnEvent = col.OnEvent
			if processes {
				c.OnTraceEvent = col.Observe
			}
			return func(*replay.Summary) {
				all.Merge(col, merged)
				merged++
			}
		}})
	if err != nil {
		return nil, nil, err
	}
	return all.Data(sum), sum, nil
}

// embeddedNames lists the embedded traces' names.
func embeddedNames() string {
	var names []string
	for _, t := range defaulttrace.All {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}

// demoFigures are the figures 'analyze' draws for the default embedded trace:
// every kind but the timeline (a view of the build, not of the saving), as
// SVG only, to keep it quick.
func demoFigures(e *env, d *plots.Data) error {
	st := plots.Paper(plots.SingleColumn)
	kinds := slices.DeleteFunc(slices.Clone(plots.Kinds), func(k plots.Kind) bool { return k.Name == "timeline" })
	figs, skipped := plots.Make(d, kinds, st)
	if err := errors.Join(skipped...); err != nil {
		return err
	}
	prov := plots.ProvenanceOf(d.Summary(), "analyze")
	if _, err := plots.WriteFiles(demoFigureDir, figs, []string{"svg"}, st, prov); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "figures: %d SVG figures with their CSV data in %s%c (PDF and PNG: analyze plot %s; see analyze plot --help)\n",
		len(figs), demoFigureDir, filepath.Separator, defaulttrace.Default.Name)
	return nil
}

// demoCollector returns the collector the demo's replay feeds.
func demoCollector(profs []*machines.Profile) *plots.Collector {
	return plots.NewCollector(plots.MachinesOf(profs), true)
}
