package textconv

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// Config is a whole conversion: inputs to one trace file.
type Config struct {
	Options
	// Strict makes the first syntax error fatal.
	Strict bool
	// MaxReported is how many syntax errors are reported one by one (10 if 0).
	MaxReported int
	// Warn receives warnings and reported syntax errors; nil discards them.
	Warn func(format string, args ...any)
	// Progress, if set, is called now and then with the bytes read so far.
	Progress func(bytesRead int64)
	// Stdin is read for the input "-".
	Stdin io.Reader
	// Compress zstd-compresses an .arrow output (see arrowio.Compressed).
	Compress bool
	// TimeForm and OS, when set, say what a log of a format that cannot
	// always tell them (kdump, truss) does not: the form of its
	// timestamps and the system it comes from.
	TimeForm string
	OS       string
}

// A Conversion is one format's conversion of its inputs, run by Drive.
type Conversion interface {
	// Run converts the inputs, passing every row to emit and every
	// malformed line to onErr, and finishes the converter.
	Run(emit func(*trace.Event) error, onErr func(*SyntaxError) error) error
	// Describe fills in the trace's metadata (all but Tool): called at
	// the first row, or at the end when there is none.
	Describe(m *trace.Meta)
	// Stats returns the conversion's counters.
	Stats() *Stats
	// Warnings reports the format's own end-of-conversion warnings.
	Warnings(warn func(format string, args ...any))
	// BytesRead returns the input bytes consumed so far (for progress);
	// it is called on the converter's goroutine.
	BytesRead() int64
}

// A ShortWriter takes short rows: AppendShortKind(t, pid, ppid, kind,
// comm, sig) is the Event {TimeNs: t, PID: pid, PPID: ppid, Kind:
// trace.Kinds[kind], Comm: comm, Signal: sig} whose other fields are all
// zero. Most rows of a log are short, memory rows (sig 0) and, in a Go
// program's, signal rows, and passing their fields costs the writer a
// fraction of a whole Event. The kind is its index in trace.Kinds
// (trace.Kind.Index), which the converter knows: mapping a trace.Kind
// back to it cost every row a string switch. Drive's is the
// *arrowio.AsyncWriter itself.
type ShortWriter interface {
	AppendShortKind(t int64, pid, ppid, kind int32, comm string, sig int32) error
}

// EmitShort is a ShortWriter made of a function.
type EmitShort func(t int64, pid, ppid, kind int32, comm string, sig int32) error

// AppendShortKind calls f.
func (f EmitShort) AppendShortKind(t int64, pid, ppid, kind int32, comm string, sig int32) error {
	return f(t, pid, ppid, kind, comm, sig)
}

// A ShortRows is a Conversion that can pass its short rows to a
// ShortWriter instead of as Events: Drive gives it one before Run. Rows
// still reach the trace in the order they are emitted, whichever way.
type ShortRows interface {
	SetEmitShort(ShortWriter)
}

// NothingReadError is the error of a lenient conversion that made no row
// and met more malformed lines than it read: no line at all could be read
// (or only a few that make no row, such as random lines that happen to
// parse):
// the input is not a log of the format (or not a log), and an empty trace
// would hide it.
type NothingReadError struct {
	Source    string // the inputs, as the trace's origin names them
	Format    string
	Malformed int64
	Records   int64         // lines read, none of which made a row
	First     []SyntaxError // the first few malformed lines
}

func (e *NothingReadError) Error() string {
	var b strings.Builder
	if e.Records == 0 {
		fmt.Fprintf(&b, "%s: no line could be read as a %s log (%d malformed line", e.Source, e.Format, e.Malformed)
	} else {
		fmt.Fprintf(&b, "%s: nothing could be converted as a %s log (%d line(s) read made no row; %d malformed line", e.Source, e.Format, e.Records, e.Malformed)
	}
	if e.Malformed != 1 {
		b.WriteByte('s')
	}
	b.WriteString(")")
	for i := range e.First {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(e.First[i].Error())
	}
	if int64(len(e.First)) < e.Malformed {
		b.WriteString("; ...")
	}
	return b.String()
}

// firstReported is how many malformed lines a NothingReadError quotes.
const firstReported = 3

// BatchRows is the number of rows per record batch of a converted trace.
// Smaller than arrowio.DefaultBatchRows so that a batch's column buffers
// (about 200 bytes a row) stay in the caches between the rows appended
// to them and the write that copies them into the file. Converting the
// 500 MB logs of scripts/bench-convert.sh with batches of 8192 rows
// instead of 65536, in alternating runs, lowered the wall-time medians of
// the two build shapes by 5 to 9% in two series of 11 runs (CPU 0 to 6%),
// though one series of 7 had gobuild 6% slower; the memory-heavy shape,
// whose rows fill few columns, measured the same. The file holds the same
// rows and is about as large.
const BatchRows = 8 << 10

// Drive runs c into the trace file out: it creates the writer at the
// first row (so that the metadata can say what the first lines told, such
// as the start time), reports malformed lines (the first
// cfg.MaxReported one by one, then a count; the first one is fatal with
// cfg.Strict), fails when it made no row of a log of mostly malformed
// lines (NothingReadError), and ends with the
// warnings of what the conversion met. Nothing appears at out unless the
// conversion succeeds.
func Drive(c Conversion, out string, cfg Config) error {
	warn := cfg.Warn
	if warn == nil {
		warn = func(string, ...any) {}
	}
	maxRep := cfg.MaxReported
	if maxRep <= 0 {
		maxRep = 10
	}
	// The writer is made at the first row, so that the metadata can say
	// what the first lines told; the row functions are its methods: a
	// closure testing for the first row was a call more for every row
	// (scripts/ir-convert).
	aw := arrowio.NewLazyAsyncWriter(func() (*arrowio.Writer, error) {
		meta := trace.Meta{Tool: version.String(), Extra: map[string]string{}}
		c.Describe(&meta)
		var opts []arrowio.CreateOption
		if cfg.Compress {
			opts = append(opts, arrowio.Compressed())
		}
		w, err := arrowio.Create(out, meta, nil, opts...)
		if err != nil {
			return nil, err
		}
		w.BatchRows = BatchRows
		return w, nil
	})
	if cfg.Progress != nil {
		// Every 65536 rows, as batches are handed to the writer:
		// counting in the row functions cost every row.
		last := int64(0)
		aw.OnBatch(func(rows int64) {
			if rows>>16 != last>>16 {
				last = rows
				cfg.Progress(c.BytesRead())
			}
		})
	}
	emit := aw.Append
	if sr, ok := c.(ShortRows); ok {
		sr.SetEmitShort(aw)
	}
	reported := 0
	var first []SyntaxError
	onErr := func(e *SyntaxError) error {
		if cfg.Strict {
			return e
		}
		if e.Unknown {
			return nil // counted by the converter, reported at the end
		}
		if len(first) < firstReported {
			first = append(first, *e)
		}
		if reported < maxRep {
			warn("%s", e)
			reported++
		}
		return nil
	}
	err := c.Run(emit, onErr)
	st := c.Stats()
	if err == nil && st.Rows == 0 && st.SyntaxErrors > st.Records {
		// Nothing made a row and most lines were malformed: not a log of
		// this format. (A few records that make no row, such as one call
		// that never returned, beside a malformed line, are a log.)
		var m trace.Meta
		c.Describe(&m)
		err = &NothingReadError{Source: strings.TrimPrefix(m.Origin, m.Source+" log "), Format: m.Source,
			Malformed: st.SyntaxErrors, Records: st.Records, First: first}
	}
	if err == nil {
		err = aw.Open()
	}
	if err := aw.End(err); err != nil {
		return err
	}
	if st.SyntaxErrors > int64(reported) {
		warn("%d more lines could not be parsed (%d in all) and were skipped", st.SyntaxErrors-int64(reported), st.SyntaxErrors)
	}
	c.Warnings(warn)
	if st.TimeBackwards > 0 {
		warn("time ran backwards %d times in the log", st.TimeBackwards)
	}
	return nil
}

// DescribeSizes adds the metadata every converter writes about its
// address-space sizes, under prefix (forkcost.strace): the resident
// fraction, the per-exec baseline (what stands for what the tool cannot
// see), and how the sizes were made.
func DescribeSizes(m *trace.Meta, prefix string, o Options, invisible string) {
	base := o.BaselineOf()
	m.Extra[prefix+".resident_fraction"] = strconv.FormatFloat(o.WithDefaults().ResidentFraction, 'g', -1, 64)
	m.Extra[prefix+".exec_baseline"] = fmt.Sprintf("virt=%d writable=%d map_entries=%d per exec (%s)",
		base.VirtBytes, base.WritableBytes, base.MapEntries, invisible)
	m.Extra[prefix+".sizes"] = "virt_bytes, writable_bytes and map_entries are rebuilt from the memory system calls in the log plus the per-exec baseline; " +
		"resident sizes are resident_fraction of them and page tables are derived from those (snapshot_source=estimated)"
}
