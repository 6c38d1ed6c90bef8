package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
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

// profiles resolves the flags; errors are usage errors.
func (m *machineFlags) profiles(fs *flagSet) ([]*machines.Profile, error) {
	ps, err := machines.Select(m.names, m.files, m.sets)
	if err != nil {
		return nil, fs.fail(err)
	}
	return ps, nil
}

// oneOf checks a --format-style value.
func oneOf(fs *flagSet, flag, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fs.failf("--%s %q: want one of %s", flag, v, strings.Join(allowed, ", "))
}

// openTrace opens a trace for reading: an embedded one by its name
// (embedded:...), a table file, or a raw log converted on the fly, whose
// skipped lines are reported on stderr. With e.lenient, rows that break
// the schema's invariants are skipped and counted on stderr, and a file
// that was never finished is read up to its last complete batch.
func openTrace(e *env, path string) (*trace.Reader, error) {
	var rd *trace.Reader
	var err error
	if t, ok := defaulttrace.Lookup(path); ok {
		rd, err = t.Open()
	} else {
		rd, err = trace.OpenAny(path, nil, func(format string, args ...any) {
			fmt.Fprintf(e.stderr, "analyze: %s: "+format+"\n", append([]any{path}, args...)...)
		})
		if errors.Is(err, trace.ErrUnfinished) {
			if !e.lenient {
				hint := ""
				if e.hasLenient {
					hint = " (or read them with --lenient)"
				}
				return nil, fmt.Errorf("%w with 'analyze convert --salvage %s -o OUT.arrow'%s", err, path, hint)
			}
			rd, err = trace.OpenUnfinished(path, nil)
		}
	}
	if err == nil && strings.HasSuffix(rd.Meta().Incomplete, trace.UnfinishedNote) {
		fmt.Fprintf(e.stderr, "analyze: %s: %s\n", path, trace.UnfinishedNote)
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
