package strace

import (
	"strings"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/decompress"
	"github.com/forkcost/forkcost/trace/textconv"
)

// Config is a whole conversion: inputs to one trace file (textconv's).
type Config = textconv.Config

// Metadata keys the strace converter adds to a trace.
const (
	MetaTimeForm         = "forkcost.strace.time_form"
	MetaResidentFraction = "forkcost.strace.resident_fraction"
	MetaBaseline         = "forkcost.strace.exec_baseline"
	MetaSizes            = "forkcost.strace.sizes"
)

// conversion is the conversion of one log, or of the files of an -ff set,
// run by textconv.Drive.
type conversion struct {
	rds   []*Reader
	names []string
	conv  *Converter
	opt   Options
	short textconv.ShortWriter
}

func (v *conversion) SetEmitShort(f textconv.ShortWriter) { v.short = f }

// SetEmitShort makes the converter pass its memory and signal rows to f
// instead of emit.
func (c *Converter) SetEmitShort(f textconv.ShortWriter) { c.emitShort = f }

func (v *conversion) Run(emit func(*trace.Event) error, onErr func(*SyntaxError) error) error {
	v.conv = NewConverter(v.opt, emit)
	v.conv.SetEmitShort(v.short)
	if len(v.rds) == 1 {
		return RunPipelined(v.rds[0], v.conv, onErr)
	}
	return Merge(v.rds, v.conv, onErr)
}

func (v *conversion) Stats() *textconv.Stats { return &v.conv.Stats.Stats }

func (v *conversion) BytesRead() int64 {
	if len(v.rds) == 1 {
		return v.conv.bytesRead // the Reader runs on another goroutine
	}
	var n int64
	for _, rd := range v.rds {
		n += rd.Bytes
	}
	return n
}

func (v *conversion) Describe(m *trace.Meta) {
	m.Source, m.SourceOS = "strace", "linux"
	m.Origin = "strace log " + strings.Join(v.names, " ")
	if m.Extra == nil {
		m.Extra = map[string]string{}
	}
	form, ok := TimeNone, false
	if v.conv != nil {
		var start int64
		start, form, ok = v.conv.Start()
		if ok && form == TimeUnix {
			m.StartUnixNs = start
		}
	}
	if !ok || form == TimeNone {
		m.TimeSynthetic = true
	}
	m.Extra[MetaTimeForm] = form.String()
	textconv.DescribeSizes(m, "forkcost.strace", v.opt, "the kernel's ELF, ld.so, stack and vdso mappings, invisible to strace")
}

func (v *conversion) Warnings(warn func(string, ...any)) {
	c := v.conv
	st := &c.Stats
	if st.MemoryCalls == 0 && st.Records > 0 {
		warn("the log has no memory system calls: address-space sizes are only the per-exec baseline; record with strace -f -ttt -T -e trace=process,memory for reconstructed sizes")
	}
	if c.form == TimeNone && st.Records > 0 {
		warn("the log has no timestamps: times are record numbers (1 µs apart); record with -ttt")
	}
	if st.ForcedRelease > 0 {
		warn("%d creations were written before their child acted (look-ahead limit of %d rows): their child_exec_ns is missing", st.ForcedRelease, c.opt.MaxHeld)
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
}

// ConvertFiles converts the logs in inputs (one log, or the files of an -ff
// set) into the trace file out (textconv.Drive). Nothing appears at out
// unless the conversion succeeds.
func ConvertFiles(inputs []Input, out string, cfg Config) (*Stats, error) {
	v := &conversion{opt: cfg.Options}
	for _, in := range inputs {
		r, closeR, err := decompress.Open(in.Name, cfg.Stdin)
		if err != nil {
			return nil, err
		}
		defer closeR()
		rd := NewReader(r, in.DisplayName())
		rd.DefaultPID = in.PID
		v.rds = append(v.rds, rd)
		v.names = append(v.names, in.DisplayName())
	}
	err := textconv.Drive(v, out, cfg)
	if v.conv == nil {
		return nil, err
	}
	return &v.conv.Stats, err
}

// SniffFile reports whether the file at path (possibly compressed) looks
// like a strace log; see Sniff.
func SniffFile(path string) bool {
	head := decompress.HeadFile(path, 16<<10)
	return head != nil && Sniff(head)
}

func init() {
	textconv.Register(&textconv.Format{
		Name:    "strace",
		Score:   Score,
		Lenient: true,
		Sets:    true,
		Convert: func(inputs []Input, out string, cfg Config) (*textconv.Stats, error) {
			st, err := ConvertFiles(inputs, out, cfg)
			if st == nil {
				return nil, err
			}
			return &st.Stats, err
		},
	})
}
