package strace

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/trace"
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
	// Compress zstd-compresses an .arrow output (see trace.Compressed).
	Compress bool
}

// Metadata keys the strace converter adds to a trace.
const (
	MetaTimeForm         = "forkcost.strace.time_form"
	MetaResidentFraction = "forkcost.strace.resident_fraction"
	MetaBaseline         = "forkcost.strace.exec_baseline"
	MetaSizes            = "forkcost.strace.sizes"
)

// ConvertFiles converts the logs in inputs (one log, or the files of an -ff
// set) into the trace file out. Nothing appears at out unless the
// conversion succeeds.
func ConvertFiles(inputs []Input, out string, cfg Config) (*Stats, error) {
	warn := cfg.Warn
	if warn == nil {
		warn = func(string, ...any) {}
	}
	maxRep := cfg.MaxReported
	if maxRep <= 0 {
		maxRep = 10
	}
	var rds []*Reader
	var closers []func()
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	var names []string
	for _, in := range inputs {
		var src io.Reader
		if in.Name == "-" {
			src = cfg.Stdin
			if src == nil {
				src = os.Stdin
			}
		} else {
			f, err := os.Open(in.Name)
			if err != nil {
				return nil, err
			}
			closers = append(closers, func() { f.Close() })
			src = f
		}
		dr, closeDec, err := Decompress(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		closers = append(closers, closeDec)
		name := in.Name
		if name == "-" {
			name = "<stdin>"
		}
		rd := NewReader(dr, name)
		rd.DefaultPID = in.PID
		rds = append(rds, rd)
		names = append(names, name)
	}
	var w *trace.Writer
	var aw *trace.AsyncWriter
	var conv *Converter
	ensure := func() error {
		if w != nil {
			return nil
		}
		meta := trace.Meta{
			Source:   "strace",
			SourceOS: "linux",
			Origin:   "strace log " + strings.Join(names, " "),
			Tool:     version.String(),
			Extra:    map[string]string{},
		}
		start, form, ok := conv.Start()
		if ok && form == TimeUnix {
			meta.StartUnixNs = start
		}
		if !ok || form == TimeNone {
			meta.TimeSynthetic = true
		}
		meta.Extra[MetaTimeForm] = form.String()
		meta.Extra[MetaResidentFraction] = strconv.FormatFloat(conv.opt.ResidentFraction, 'g', -1, 64)
		meta.Extra[MetaBaseline] = fmt.Sprintf("virt=%d writable=%d map_entries=%d per exec (the kernel's ELF, ld.so, stack and vdso mappings, invisible to strace)",
			conv.base.VirtBytes, conv.base.WritableBytes, conv.base.MapEntries)
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
	conv = NewConverter(cfg.Options, func(ev *trace.Event) error {
		if err := ensure(); err != nil {
			return err
		}
		return aw.Append(ev)
	})
	reported := 0
	readBytes := func() int64 {
		if len(rds) == 1 {
			return conv.bytesRead // the Reader runs on another goroutine
		}
		var n int64
		for _, rd := range rds {
			n += rd.Bytes
		}
		return n
	}
	onErr := func(e *SyntaxError) error {
		if cfg.Strict {
			return e
		}
		if reported < maxRep {
			warn("%s", e)
			reported++
		}
		return nil
	}
	var err error
	if cfg.Progress != nil {
		n := 0
		emit := conv.emit
		conv.emit = func(ev *trace.Event) error {
			n++
			if n&0xffff == 0 {
				cfg.Progress(readBytes())
			}
			return emit(ev)
		}
	}
	if len(rds) == 1 {
		err = RunPipelined(rds[0], conv, onErr)
	} else {
		err = Merge(rds, conv, onErr)
	}
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
	if st.MemoryCalls == 0 && st.Records > 0 {
		warn("the log has no memory system calls: address-space sizes are only the per-exec baseline; record with strace -f -ttt -T -e trace=process,memory for reconstructed sizes")
	}
	if conv.form == TimeNone && st.Records > 0 {
		warn("the log has no timestamps: times are record numbers (1 µs apart); record with -ttt")
	}
	if st.ForcedRelease > 0 {
		warn("%d creations were written before their child acted (look-ahead limit of %d rows): their child_exec_ns is missing", st.ForcedRelease, conv.opt.MaxHeld)
	}
	if st.NotExited > 0 {
		warn("%d processes have no exit in the log (truncated log, or still running when strace stopped)", st.NotExited)
	}
	if st.UnknownPIDRows > 0 {
		warn("%d rows have pid 0: the log does not say which process printed them (record with -f)", st.UnknownPIDRows)
	}
	if st.CutArgs > 0 {
		warn("%d execs have arguments cut short by strace's -s limit (default 32); record with -s 4096 for whole argv", st.CutArgs)
	}
	if st.TimeBackwards > 0 {
		warn("time ran backwards %d times in the log", st.TimeBackwards)
	}
	return st, nil
}

// SniffFile reports whether the file at path (possibly compressed) looks
// like a strace log; see Sniff.
func SniffFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	dr, closeDec, err := Decompress(f)
	if err != nil {
		return false
	}
	defer closeDec()
	head := make([]byte, 16<<10)
	n, _ := io.ReadFull(dr, head)
	head = head[:n]
	// Drop a last partial line.
	if i := bytes.LastIndexByte(head, '\n'); i >= 0 && n == len(head) {
		head = head[:i+1]
	}
	return Sniff(head)
}

func init() {
	trace.RegisterTextFormat(&trace.TextFormat{
		Name:  "strace",
		Sniff: SniffFile,
		Convert: func(path, out string, warn func(string, ...any)) error {
			ins, err := ExpandFF([]string{path})
			if err != nil {
				return err
			}
			_, err = ConvertFiles(ins, out, Config{Warn: warn})
			return err
		},
	})
}
