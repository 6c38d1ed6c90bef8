package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/forkcost/forkcost/proctree"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

func init() {
	register(command{name: "tree", summary: "print a trace's process tree with what sharing vfork saves in each subtree", run: runTree})
}

func runTree(e *env, args []string) error {
	fs := newFlagSet(e, "tree", "analyze tree [--machine M] [-v] [--format text|csv|json|markdown|latex] [--depth N] [--min-saved T] [filters] TRACE",
		`Prints the trace's process tree, as strace-process-tree does for an strace
log: one line per process, under the process that created it, with its
command (and with -v its command line), how it was created (fork, vfork,
spawn, clone), how it ended and how long it ran. On the left, for the
process's whole subtree: what sharing vfork saves over fork-cow on the
machine (default ppro200), its share of the whole trace's saving, the
creations and the creations eligible for vfork. The first line's figures
are replay's for the same trace and filters.

Siblings with one command, three or more, are one line ("cc1 x 412")
where the first of them is, even when others run between them (make
starts gcc and strip in turn), with the children of them all under it,
grouped the same way. --depth N and --min-saved T leave out deeper
processes and subtrees that save less, summed into one line per parent.
Box-drawing characters and colours are used on a terminal only (--color).

A process's parent is the process that created it: an orphan re-parented
to init stays where it was made. Processes whose creation is not in the
trace hang under their ppid when it is known, at the top otherwise; with
several processes at the top, the tree's root is "(trace)". TRACE may be a
raw strace log or an embedded trace (`+embeddedNames()+`).

With --format json, the tree is one nested object per process: pid, comm,
argv, kind, exit_status (negative: killed by that signal; null: exit not
traced), start_s, end_s (seconds from the trace's start), and creations,
eligible and saved_s over the subtree, then its children. JSON always
holds every process; --depth and --min-saved shape the text only. CSV,
markdown and LaTeX give a table of every process, depth first: its depth,
pid, command, creation, exit and its subtree's figures.

The filters (--since, --until, --comm, --subtree, --kind,
--min-parent-mib) choose the creations counted, as for replay; the tree
still shows every process.`,
		"  analyze tree build.arrow\n  analyze tree -v --min-saved 10ms build.arrow\n  analyze tree --depth 2 --machine zen4 embedded:dietlibc-build.arrow\n  analyze tree --format json build.arrow | jq '.children[0]'")
	var mf machineFlags
	mf.add(fs)
	var ff filterFlags
	ff.add(fs, false)
	out := addOutput(fs, report.Text, nil)
	verbose := fs.BoolP("verbose", "v", false, "show each process's command line")
	depth := fs.Int("depth", 0, "show processes down to depth `N` (the root is 0; 0: all)")
	minSaved := fs.String("min-saved", "0", "show only subtrees that save at least `T` (10ms, 1.5s, or seconds)")
	color := fs.String("color", "auto", "box-drawing characters and colours: auto (on a terminal), always or never")
	if err := fs.parse(args); err != nil {
		return err
	}
	opts, err := out.options()
	if err != nil {
		return err
	}
	if err := oneOf(fs, "color", *color, "auto", "always", "never"); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fs.failf("want one TRACE, got %d", fs.NArg())
	}
	if *depth < 0 {
		return fs.failf("--depth %d: must not be negative", *depth)
	}
	min, err := parseSeconds(*minSaved)
	if err != nil {
		return fs.failf("--min-saved %v", err)
	}
	spec, err := ff.spec(fs)
	if err != nil {
		return err
	}
	if len(mf.names) == 0 && len(mf.files) == 0 {
		mf.names = []string{"ppro200"}
	}
	profs, err := mf.profiles(fs)
	if err != nil {
		return err
	}
	if len(profs) != 1 {
		return fs.failf("--machine: the tree shows one machine, got %d", len(profs))
	}
	t, sum, err := buildTree(e, fs.Arg(0), replay.Config{Machines: profs, Filter: spec}, *verbose || opts.Format == report.JSON)
	if err != nil {
		return err
	}
	warnEmpty(e, "tree", sum)
	fancy := *color == "always"
	if *color == "auto" {
		f, ok := e.stdout.(*os.File)
		fancy = ok && term.IsTerminal(int(f.Fd())) && os.Getenv("NO_COLOR") == ""
	}
	return report.Generate(e.stdout, opts, &report.Tree{Tree: t, Summary: sum, Options: report.TreeOptions{Verbose: *verbose, Depth: *depth, MinSavedS: min, Box: fancy, Color: fancy}})
}

// buildTree replays one trace with cfg, building its process tree with the
// savings on cfg's first machine.
func buildTree(e *env, path string, cfg replay.Config, argv bool) (*proctree.Tree, *replay.Summary, error) {
	var t *proctree.Tree
	sum, err := runMany(e, []string{path}, replay.Many{Config: cfg, Jobs: 1,
		Each: func(_ int, c *replay.Config) func(*replay.Summary) {
			b := proctree.NewBuilder(0, argv)
			b.Attach(c)
			return func(s *replay.Summary) { t = b.Finish(path, cfg.Machines[0].Name) }
		}})
	if err != nil {
		return nil, nil, err
	}
	if len(sum.Trace.Failed) > 0 {
		f := sum.Trace.Failed[0]
		if strings.HasPrefix(f.Error, f.Path+":") { // the reader's errors name the file already
			return nil, nil, errors.New(f.Error)
		}
		return nil, nil, fmt.Errorf("%s: %s", f.Path, f.Error)
	}
	return t, sum, nil
}

// parseSeconds reads a duration: Go's form (10ms, 1.5s, 20us) or a number
// of seconds.
func parseSeconds(s string) (float64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		d, derr := time.ParseDuration(s)
		if derr != nil {
			return 0, fmt.Errorf("%q: want a duration such as 10ms or 1.5s, or seconds", s)
		}
		v = d.Seconds()
	}
	if v < 0 {
		return 0, fmt.Errorf("%q: must not be negative", s)
	}
	return v, nil
}
