package replay

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/forkcost/forkcost/internal/pool"
	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// Many says how RunMany replays a list of traces. Every view of several
// traces (replay, compare, plot, tree, report) goes through it, so they
// share one worker pool, one order of results and one rule for failures: a
// trace that cannot be read is recorded in the summary's Trace.Failed, left
// out of the totals, and the others go on.
type Many struct {
	// Config is the replay of every trace: machines, filters, intervals.
	// Its OnEvent and Progress are set per trace by RunMany and Each.
	Config Config
	// Jobs is how many traces are replayed at once (at least 1).
	Jobs int
	// Open opens a trace by the name it was given (a file, a raw log
	// converted on the fly, an embedded trace). It is called from the
	// workers, so what it writes must be safe for concurrent use.
	Open func(path string) (*arrowio.Reader, error)
	// EventsFile, if set, receives every trace's per-event costs in one
	// file (.arrow or .parquet); traces are then replayed one at a time so
	// that its rows are in input order. It is written only if every trace
	// succeeds.
	EventsFile string
	// Dataset, if set, is a directory that receives the per-event costs as
	// a Parquet dataset partitioned Hive style,
	// DIR/machine=M/trace=T/part-0.parquet; it must be empty or missing.
	Dataset string
	// Each, if set, is called on a worker before trace i is replayed, with
	// the trace's own copy of Config, which it may extend (OnEvent,
	// Observe, OnCount): per-trace state lives there, so workers share
	// nothing. The function it returns, if not nil, is called on the
	// caller's goroutine, in input order, with the trace's own summary,
	// once the trace has been replayed without error; that is where
	// per-trace results are merged.
	Each func(i int, cfg *Config) func(*Summary)
	// Bar shows progress (may be nil); Log, if set, receives the lines
	// that say which per-event files were written.
	Bar *progress.Bar
	Log io.Writer
}

// RunMany replays paths as m says and returns the summary of those that
// could be replayed, merged in input order: the same whatever m.Jobs is.
// The error is for what stops every trace (a dataset directory in use, an
// events file that cannot be created); failures of single traces are in
// the summary.
func RunMany(paths []string, m Many) (*Summary, error) {
	bar := m.Bar
	defer bar.Done()
	profs := m.Config.Machines
	total, err := New(m.Config)
	if err != nil {
		return nil, err
	}
	workers := max(m.Jobs, 1)
	var ew *EventWriter
	if m.EventsFile != "" {
		workers = 1 // one file, rows in input order
		if ew, err = NewEventWriter(m.EventsFile, paths, profs); err != nil {
			return nil, err
		}
	}
	var parts []string
	if m.Dataset != "" {
		if parts, err = datasetParts(m.Dataset, paths); err != nil {
			if ew != nil {
				ew.Abort()
			}
			return nil, err
		}
	}
	type outcome struct {
		r    *Replayer
		done func(*Summary)
		err  error
	}
	work := func(i int) outcome {
		cfg := m.Config
		var done func(*Summary)
		if m.Each != nil {
			done = m.Each(i, &cfg)
		}
		var pws []*EventWriter
		if m.Dataset != "" {
			var err error
			if pws, err = partWriters(m.Dataset, parts[i], paths[i], &m.Config); err != nil {
				return outcome{err: err}
			}
		}
		if next := cfg.OnEvent; ew != nil || pws != nil {
			cfg.OnEvent = func(ec *EventCost) error {
				if ew != nil {
					ec.Input = i
					if err := ew.Write(ec, profs[ec.Machine].Name); err != nil {
						return err
					}
				}
				if pws != nil {
					if err := pws[ec.Machine].Write(ec, profs[ec.Machine].Name); err != nil {
						return err
					}
				}
				if next != nil {
					return next(ec)
				}
				return nil
			}
		}
		if len(paths) == 1 {
			cfg.Progress = func(n int64) { bar.Printf("replaying %s: %d events", paths[i], n) }
		}
		r, err := New(cfg)
		if err == nil {
			var rd *arrowio.Reader
			if rd, err = m.Open(paths[i]); err == nil {
				err = r.Trace(rd)
				rd.Close()
			}
		}
		for k, pw := range pws {
			if err != nil {
				pw.Abort()
				os.Remove(filepath.Join(m.Dataset, "machine="+profs[k].Name, "trace="+parts[i])) // only if empty
			} else if cerr := pw.Close(); cerr != nil {
				err = cerr
			}
		}
		return outcome{r, done, err}
	}
	failed := 0
	pool.Ordered(len(paths), workers, work, func(i int, o outcome) {
		if o.err != nil {
			total.Fail(paths[i], o.err)
			failed++
		} else {
			if o.done != nil {
				o.done(o.r.Summary())
			}
			total.Merge(o.r)
		}
		if len(paths) > 1 {
			bar.Printf("replayed %d of %d traces", i+1, len(paths))
		}
	})
	bar.Done()
	log := m.Log
	if log == nil {
		log = io.Discard
	}
	if ew != nil {
		if failed > 0 {
			ew.Abort()
			fmt.Fprintf(log, "analyze: per-event costs not written to %s: a trace failed\n", m.EventsFile)
		} else if err := ew.Close(); err != nil {
			return nil, err
		} else {
			fmt.Fprintf(log, "wrote per-event costs to %s\n", m.EventsFile)
		}
	}
	if m.Dataset != "" {
		fmt.Fprintf(log, "wrote per-event costs of %d traces on %d machines to the dataset %s\n", len(paths)-failed, len(profs), m.Dataset)
	}
	return total.Summary(), nil
}

// datasetParts checks the dataset directory and names each trace's
// partition: the file's base name without extension, with characters
// other than letters, digits, '.', '-' and '_' replaced by '_', and a
// ~2, ~3... suffix for names already taken.
func datasetParts(dir string, paths []string) ([]string, error) {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("--out %s: the directory is not empty (a dataset is written whole: remove it or choose another)", dir)
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

// partWriters creates one trace's dataset files, one per machine.
func partWriters(dir, part, tracePath string, cfg *Config) ([]*EventWriter, error) {
	extra := map[string]string{"forkcost.filters": cfg.Filter.String()}
	var ws []*EventWriter
	for _, p := range cfg.Machines {
		d := filepath.Join(dir, "machine="+p.Name, "trace="+part)
		err := os.MkdirAll(d, 0o755)
		var w *EventWriter
		if err == nil {
			w, err = NewPartWriter(filepath.Join(d, "part-0.parquet"), tracePath, p, extra)
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
