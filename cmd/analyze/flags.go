package main

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// machineFlags are the flags every subcommand that costs creations shares.
type machineFlags struct {
	names, files, sets []string
}

func (m *machineFlags) add(fs *flagSet) {
	fs.StringSliceVar(&m.names, "machine", nil, "built-in machine `profiles` to use, comma-separated or repeated (default ppro200,zen4; see 'analyze machines')")
	fs.StringArrayVar(&m.files, "machine-file", nil, "a profile of your own, as a TOML `file` (repeatable)")
	fs.StringArrayVar(&m.sets, "set", nil, "override a parameter: `MACHINE.PARAM=VALUE` (repeatable; never split on commas)")
}

// uncertaintyFlags set the Monte Carlo behind the intervals.
type uncertaintyFlags struct {
	draws  int
	seed   uint64
	sample int
}

func (u *uncertaintyFlags) add(fs *flagSet) {
	fs.IntVar(&u.draws, "mc-draws", 200, "parameter sets drawn from the profiles' ranges for each saving's 90% interval (0: no intervals)")
	fs.Uint64Var(&u.seed, "mc-seed", 1, "seed of those draws: the same seed gives the same intervals")
	fs.IntVar(&u.sample, "mc-sample", 2000, "eligible creations (a uniform sample) each draw is costed on")
}

func (u *uncertaintyFlags) config(fs *flagSet) (replay.Uncertainty, error) {
	if u.draws < 0 || u.sample < 1 {
		return replay.Uncertainty{}, fs.failf("--mc-draws must be >= 0 and --mc-sample >= 1")
	}
	return replay.Uncertainty{Draws: u.draws, Seed: u.seed, SampleSize: u.sample}, nil
}

// profiles resolves the flags. A --machine-file that cannot be read or
// parsed is a failure (exit status 1), like any missing or corrupt file; a
// name, parameter or value that is wrong is a usage error, with the
// nearest valid one suggested.
func (m *machineFlags) profiles(fs *flagSet) ([]*machines.Profile, error) {
	names, err := resolveMachineNames(fs, m.names, m.files, m.sets)
	if err != nil {
		return nil, err
	}
	ps, err := machines.Select(names, m.files, m.sets)
	if err != nil {
		return nil, fs.fail(err)
	}
	return ps, nil
}

// resolveMachineNames checks --machine names and --set keys before
// machines.Select sees them, and drops the names a --machine-file profile
// of the same name provides: --machine myp --machine-file myp.toml selects
// the file's myp (and --machine host --machine-file host.toml does not
// need a calibration). It reads every file: a bad one is a plain error.
func resolveMachineNames(fs *flagSet, names, files, sets []string) ([]string, error) {
	fromFile := map[string]bool{}
	for _, f := range files {
		p, err := machines.LoadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--machine-file %w", err)
		}
		fromFile[p.Name] = true
	}
	all, err := machines.Builtin()
	if err != nil {
		return nil, err
	}
	known := []string{machines.HostName}
	for _, p := range all {
		known = append(known, p.Name)
	}
	var keep []string
	selected := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
		case fromFile[n]:
			selected[n] = true
		case n == machines.HostName:
			// No calibration yet is a missing file, not a usage error.
			if _, err := machines.LoadHost(); err != nil {
				return nil, err
			}
			keep = append(keep, n)
			selected[n] = true
		case slices.Contains(known, n):
			keep = append(keep, n)
			selected[n] = true
		default:
			return nil, fs.failf("unknown machine %q%s (built-in: %s; host, this host's calibration; or your own with --machine-file)",
				n, didYouMean(n, known), strings.Join(known[1:], ", "))
		}
	}
	if len(names) == 0 && len(files) == 0 {
		for _, n := range machines.DefaultNames {
			selected[n] = true
		}
	}
	for n := range fromFile {
		selected[n] = true
	}
	params := make([]string, 0, len(model.ParamSpecs()))
	for _, p := range model.ParamSpecs() {
		params = append(params, p.Name)
	}
	for _, set := range sets {
		key, _, ok := strings.Cut(set, "=")
		mach, param, ok2 := strings.Cut(strings.TrimSpace(key), ".")
		if !ok || !ok2 {
			return nil, fs.failf("--set %q: want MACHINE.PARAM=VALUE, e.g. ppro200.soft_fault_ns=20000", set)
		}
		if !selected[mach] {
			sel := slices.Sorted(maps.Keys(selected))
			return nil, fs.failf("--set %q: machine %q is not selected%s (selected: %s)", set, mach, didYouMean(mach, sel), strings.Join(sel, ", "))
		}
		if _, ok := model.LookupParam(param); !ok {
			return nil, fs.failf("--set %q: unknown parameter %q%s (see 'analyze machines show %s')", set, param, didYouMean(param, params), mach)
		}
	}
	if len(keep) == 0 && len(files) == 0 {
		return nil, nil // the defaults
	}
	return keep, nil
}

// outputFlags are --format and --wide, which every command that prints
// takes: report.Generate writes every output in any of report.Formats.
type outputFlags struct {
	fs     *flagSet
	format string
	wide   bool
	alias  map[string]report.Format
}

// addOutput adds --format, with default def, and --wide. alias maps
// other names a command has long taken to a format (dump's jsonl).
func addOutput(fs *flagSet, def report.Format, alias map[string]report.Format) *outputFlags {
	o := &outputFlags{fs: fs, alias: alias}
	fs.StringVar(&o.format, "format", string(def), "output `format`: "+strings.Join(report.FormatNames(), ", "))
	fs.BoolVar(&o.wide, "wide", false, "with --format latex: a table* across both columns of a two-column paper (default: one column wide)")
	return o
}

// options checks the flags (after parse) and returns them for
// report.Generate.
func (o *outputFlags) options() (report.Options, error) {
	f := report.Format(o.format)
	if a, ok := o.alias[o.format]; ok {
		f = a
	}
	if !slices.Contains(report.Formats, f) {
		return report.Options{}, oneOf(o.fs, "format", o.format, report.FormatNames()...)
	}
	if o.wide && f != report.LaTeX {
		return report.Options{}, o.fs.failf("--wide: only with --format latex")
	}
	return report.Options{Format: f, Wide: o.wide}, nil
}

// oneOf checks a --format-style value.
func oneOf(fs *flagSet, flag, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fs.failf("--%s %q%s: want one of %s", flag, v, didYouMean(v, allowed), strings.Join(allowed, ", "))
}

// checkTableOut checks an output file's name before any work: its
// extension must say Arrow or Parquet.
func checkTableOut(fs *flagSet, flag, path string) error {
	if path == "" {
		return nil
	}
	for _, ext := range []string{".arrow", ".feather", ".ipc", ".parquet", ".pq"} {
		if strings.HasSuffix(strings.ToLower(path), ext) {
			return needParquet(fs, flag, path)
		}
	}
	return fs.failf("%s %s: the name must end in .arrow or .parquet", flag, path)
}

// needParquet fails, before any work, when path names a Parquet output
// (a dataset directory when flag is --out, the format when it is --to)
// and this build has no Parquet (see parquet.go).
func needParquet(fs *flagSet, flag, path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	parquet := flag == "--out" || flag == "--to" && path == "parquet" || ext == ".parquet" || ext == ".pq"
	if !parquet || arrowio.HasFormat("parquet") {
		return nil
	}
	return fs.failf("%s %s: %s", flag, path, arrowio.NoParquet)
}

// openTrace opens a trace for reading: an embedded one by its name
// (embedded:...), a table file, or a raw log converted on the fly, whose
// skipped lines are reported on stderr. With e.lenient, rows that break
// the schema's invariants are skipped and counted on stderr, and a file
// that was never finished is read up to its last complete batch.
func openTrace(e *env, path string) (*arrowio.Reader, error) {
	var rd *arrowio.Reader
	var err error
	if t, ok := defaulttrace.Lookup(path); ok {
		rd, err = t.Open()
	} else {
		rd, err = arrowio.OpenAny(path, nil, func(format string, args ...any) {
			fmt.Fprintf(e.stderr, "analyze: %s: "+format+"\n", append([]any{path}, args...)...)
		})
		if errors.Is(err, arrowio.ErrUnfinished) {
			if !e.lenient {
				hint := ""
				if e.hasLenient {
					hint = " (or read them with --lenient)"
				}
				return nil, fmt.Errorf("%w with 'analyze convert --salvage %s -o OUT.arrow'%s", err, path, hint)
			}
			rd, err = arrowio.OpenUnfinished(path, nil)
		}
	}
	if err == nil && strings.HasSuffix(rd.Meta().Incomplete, arrowio.UnfinishedNote) {
		fmt.Fprintf(e.stderr, "analyze: %s: %s\n", path, arrowio.UnfinishedNote)
	}
	if err == nil && e.hasLenient && !e.lenient {
		rd.SetHint("the file is corrupt or its producer faulty; --lenient skips such rows")
	}
	if err == nil && e.lenient {
		rd.SetLenient(func(n int64, first *trace.InvalidRowError) {
			fmt.Fprintf(e.stderr, "analyze: %s: skipped %s that break the trace schema's invariants (--lenient); the first: batch %d, row %d (row %d of the file): %s\n",
				path, plural(n, "row"), first.Batch, first.BatchRow, first.Row, first.Problem)
		})
	}
	return rd, err
}

// addLenient adds --lenient to a command that reads traces.
func addLenient(fs *flagSet, e *env) {
	e.hasLenient = true
	fs.BoolVar(&e.lenient, "lenient", false, "skip the rows that break the trace schema's invariants (a corrupt file), counting them on stderr, and read the complete batches of a file that was never finished (a killed recording), instead of failing")
}

func plural(n int64, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
