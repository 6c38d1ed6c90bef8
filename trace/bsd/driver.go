package bsd

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/strace"
)

// Run converts every record of src with c, then finishes c. Syntax errors
// are counted and passed to onErr, which may stop the conversion by
// returning an error (--strict); onErr may be nil.
func Run(src Source, c *Converter, onErr func(*SyntaxError) error) error {
	started := false
	for src.Next() {
		rec := src.Record()
		if rec == nil {
			c.Stats.SyntaxErrors++
			if onErr != nil {
				if err := onErr(src.SyntaxError()); err != nil {
					return err
				}
			}
			continue
		}
		if !started {
			started = true
			c.SetTimeForm(src.TimeForm())
		}
		if rec.Type == Other && rec.Unknown && onErr != nil {
			// Skipped and counted by the converter; fatal only if onErr
			// says so (--strict).
			if err := onErr(unknownType(rec)); err != nil {
				return err
			}
		}
		if err := c.Add(rec); err != nil {
			return err
		}
	}
	if err := src.Err(); err != nil {
		return err
	}
	return c.Finish()
}

func unknownType(rec *Record) *SyntaxError {
	return &SyntaxError{File: rec.File, Line: rec.Line, Msg: fmt.Sprintf("unknown record type %q", rec.Name), unknown: true}
}

// Config is a whole conversion of one log into one trace file.
type Config struct {
	Options
	// Format is the log's format, "kdump" or "truss", written as the
	// trace's source.
	Format string
	// Strict makes the first syntax error fatal.
	Strict bool
	// Compress zstd-compresses an .arrow output.
	Compress bool
	// MaxReported is how many syntax errors are reported one by one (10 if 0).
	MaxReported int
	// Warn receives warnings and reported syntax errors; nil discards them.
	Warn func(format string, args ...any)
	// Progress, if set, is called now and then with the bytes read so far.
	Progress func(bytesRead int64)
	// Stdin is read for the input "-".
	Stdin io.Reader
}

// Metadata keys the BSD converters add to a trace.
const (
	MetaTimeForm         = "forkcost.bsd.time_form"
	MetaResidentFraction = "forkcost.bsd.resident_fraction"
	MetaBaseline         = "forkcost.bsd.exec_baseline"
	MetaSizes            = "forkcost.bsd.sizes"
)

// OpenFile opens a log (or "-" for cfg.Stdin), decompressing gzip and
// zstd, and returns the reader and a function that closes it.
func OpenFile(name string, stdin io.Reader) (io.Reader, func(), error) {
	var src io.Reader
	closeF := func() {}
	if name == "-" {
		src = stdin
		if src == nil {
			src = os.Stdin
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		src, closeF = f, func() { f.Close() }
	}
	dr, closeDec, err := strace.Decompress(src)
	if err != nil {
		closeF()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return dr, func() { closeDec(); closeF() }, nil
}

// ConvertSource converts src, read from the log named name, into the trace
// file out. Nothing appears at out unless the conversion succeeds.
func ConvertSource(src Source, name, out string, cfg Config) (*Stats, error) {
	warn := cfg.Warn
	if warn == nil {
		warn = func(string, ...any) {}
	}
	maxRep := cfg.MaxReported
	if maxRep <= 0 {
		maxRep = 10
	}
	if cfg.Format == "truss" {
		cfg.Options.Truss = true
	}
	var w *trace.Writer
	var aw *trace.AsyncWriter
	var conv *Converter
	ensure := func() error {
		if w != nil {
			return nil
		}
		meta := trace.Meta{
			Source:   cfg.Format,
			SourceOS: src.OS(),
			Origin:   cfg.Format + " log " + name,
			Tool:     version.String(),
			Extra:    map[string]string{},
		}
		if meta.SourceOS == "" {
			meta.SourceOS = "unknown-bsd"
		}
		start, form, ok := conv.Start()
		if ok && form == TimeAbsolute {
			meta.StartUnixNs = start
		}
		if form == TimeNone || form == TimeDuration || form == TimeAuto {
			meta.TimeSynthetic = true
		}
		meta.Extra[MetaTimeForm] = form.String()
		meta.Extra[MetaResidentFraction] = strconv.FormatFloat(conv.opt.ResidentFraction, 'g', -1, 64)
		meta.Extra[MetaBaseline] = fmt.Sprintf("virt=%d writable=%d map_entries=%d per exec (the kernel's mappings of the program, the loader and the stack, invisible to %s)",
			conv.base.VirtBytes, conv.base.WritableBytes, conv.base.MapEntries, cfg.Format)
		meta.Extra[MetaSizes] = "virt_bytes, writable_bytes and map_entries are rebuilt from the memory system calls in the log plus the per-exec baseline; " +
			"resident sizes are resident_fraction of them and page tables are derived from those (snapshot_source=estimated)"
		var err error
		var opts []trace.CreateOption
		if cfg.Compress {
			opts = append(opts, trace.Compressed())
		}
		if w, err = trace.Create(out, meta, nil, opts...); err != nil {
			return err
		}
		aw = trace.NewAsyncWriter(w)
		return nil
	}
	n := 0
	conv = NewConverter(cfg.Options, func(ev *trace.Event) error {
		if err := ensure(); err != nil {
			return err
		}
		n++
		if cfg.Progress != nil && n&0xffff == 0 {
			cfg.Progress(src.BytesRead())
		}
		return aw.Append(ev)
	})
	reported := 0
	onErr := func(e *SyntaxError) error {
		if cfg.Strict {
			return e
		}
		if e.unknown {
			return nil // counted in Stats.UnknownRecords, reported at the end
		}
		if reported < maxRep {
			warn("%s", e)
			reported++
		}
		return nil
	}
	err := RunPipelined(src, conv, onErr)
	if err == nil {
		err = ensure()
	}
	if err := aw.End(err); err != nil {
		return &conv.Stats, err
	}
	st := &conv.Stats
	if st.SyntaxErrors > int64(reported) {
		warn("%d more lines could not be parsed (%d in all) and were skipped", st.SyntaxErrors-int64(reported), st.SyntaxErrors)
	}
	if st.UnknownRecords > 0 {
		warn("%d records of unknown types were skipped", st.UnknownRecords)
	}
	if st.MemoryCalls == 0 && st.Records > 0 {
		warn("the log has no memory system calls: address-space sizes are only the per-exec baseline")
	}
	if f := conv.form; (f == TimeNone || f == TimeDuration) && st.Records > 0 {
		warn("the log has no timestamps (%s): times are record numbers (1 µs apart) and the trace says time_synthetic=true", f)
	}
	if st.ForcedRelease > 0 {
		warn("%d rows were written before what they waited for (look-ahead limit of %d rows): some child_exec_ns are missing; if children never appear in the log, record with ktrace -i (truss -f)", st.ForcedRelease, conv.opt.MaxHeld)
	}
	if st.NotExited > 0 {
		warn("%d processes have no exit in the log (truncated log, or still running when tracing stopped)", st.NotExited)
	}
	if st.NoPID > 0 {
		warn("%d records carry no pid (truss without -f): their rows have pid 0", st.NoPID)
	}
	if st.TimeBackwards > 0 {
		warn("time ran backwards %d times in the log", st.TimeBackwards)
	}
	return st, nil
}

// ConvertAll converts everything src holds into memory: the rows, the
// converter (for its Stats and Held), and the syntax errors met on the way.
// It is for tests, fuzzing and small logs; ConvertFiles streams to a file.
func ConvertAll(src Source, opt Options) ([]trace.Event, *Converter, []SyntaxError, error) {
	var evs []trace.Event
	c := NewConverter(opt, func(ev *trace.Event) error {
		evs = append(evs, *ev)
		return nil
	})
	var errs []SyntaxError
	err := Run(src, c, func(e *SyntaxError) error { errs = append(errs, *e); return nil })
	return evs, c, errs, err
}
