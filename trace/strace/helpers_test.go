package strace

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// convertFiles converts testdata files (one log, or an -ff set) and returns
// the events and the syntax errors.
func convertFiles(t testing.TB, opt Options, names ...string) ([]trace.Event, *Converter, []*SyntaxError) {
	t.Helper()
	var evs []trace.Event
	c := NewConverter(opt, func(ev *trace.Event) error {
		e := *ev
		evs = append(evs, e)
		return nil
	})
	var rds []*Reader
	for _, n := range names {
		f, err := os.Open(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		rd := NewReader(f, n)
		if pid, ok := ffPID(n); ok && len(names) > 1 {
			rd.DefaultPID = pid
		}
		rds = append(rds, rd)
	}
	var errs []*SyntaxError
	if err := Merge(rds, c, func(e *SyntaxError) error { c := *e; errs = append(errs, &c); return nil }); err != nil {
		t.Fatal(err)
	}
	return evs, c, errs
}

// formatEvent prints an event as one line of text, for golden files.
func formatEvent(ev *trace.Event) string { return ev.String() }

// convertBoth converts a log twice, line by line (Run) and through the
// pipeline (RunPipelined) with read-ahead blocks of block bytes (0: the
// usual size), and fails unless both give the same rows and report the
// same malformed lines. It returns the rows. open returns a fresh reader of
// the log each time.
func convertBoth(t testing.TB, opt Options, maxLine, block int, open func() io.Reader) []trace.Event {
	t.Helper()
	var bad [2][]string // the malformed lines, line by line and pipelined
	run := func(pipelined bool) []trace.Event {
		var evs []trace.Event
		c := NewConverter(opt, func(ev *trace.Event) error { evs = append(evs, *ev); return nil })
		rd := NewReader(open(), "log")
		rd.MaxLine = maxLine
		k := 0
		if pipelined {
			k = 1
		}
		onErr := func(e *SyntaxError) error { bad[k] = append(bad[k], e.Error()); return nil }
		var err error
		if pipelined {
			if block > 0 {
				pipelineBlock = block
				defer func() { pipelineBlock = readAheadBlock }()
			}
			err = RunPipelined(rd, c, onErr)
		} else {
			err = Run(rd, c, onErr)
		}
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	line, piped := run(false), run(true)
	if a, b := strings.Join(bad[0], "\n"), strings.Join(bad[1], "\n"); a != b {
		t.Fatalf("malformed lines line by line:\n%s\npipelined (blocks of %d):\n%s", a, block, b)
	}
	if len(line) != len(piped) {
		t.Fatalf("%d rows line by line, %d pipelined (blocks of %d)", len(line), len(piped), block)
	}
	for i := range line {
		if a, b := formatEvent(&line[i]), formatEvent(&piped[i]); a != b {
			t.Fatalf("row %d: line by line %s, pipelined (blocks of %d) %s", i, a, block, b)
		}
	}
	return line
}

// bytesLog opens data for convertBoth.
func bytesLog(data []byte) func() io.Reader {
	return func() io.Reader { return bytes.NewReader(data) }
}

// addLogSeeds adds to f's seed corpus the logs under testdata that match
// the globs (with whole) and pieces of per lines from the first max lines
// of each, so that the fuzzer mutates single lines too.
func addLogSeeds(f *testing.F, per, max int, whole bool, globs ...string) {
	for _, g := range globs {
		names, _ := filepath.Glob(filepath.Join("testdata", g))
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			if whole {
				f.Add(b)
			}
			lines := bytes.Split(b, []byte("\n"))
			for i := 0; i+per <= len(lines) && i < max; i += per {
				f.Add(bytes.Join(lines[i:i+per], []byte("\n")))
			}
		}
	}
}
