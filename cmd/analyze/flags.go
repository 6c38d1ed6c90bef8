package main

import (
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

// wideFlag is --wide, for the commands that write LaTeX tables.
func wideFlag(fs *flagSet) *bool {
	return fs.Bool("wide", false, "with --format latex: a table* across both columns of a two-column paper (default: one column wide)")
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
// skipped lines are reported on stderr.
func openTrace(e *env, path string) (*trace.Reader, error) {
	if t, ok := defaulttrace.Lookup(path); ok {
		return t.Open()
	}
	return trace.OpenAny(path, nil, func(format string, args ...any) {
		fmt.Fprintf(e.stderr, "analyze: %s: "+format+"\n", append([]any{path}, args...)...)
	})
}

func plural(n int64, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
