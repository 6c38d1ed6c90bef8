package bsd

import (
	"fmt"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/internal/lineread"
	"github.com/forkcost/forkcost/trace/textconv"
)

// lexer is a Source as a textconv.Lexer: records are copied into the
// batch's arena, since a Source's slices may point into its own buffers.
type lexer struct{ src Source }

func (l lexer) Lex(dst *Record) textconv.Status {
	if !l.src.Next() {
		return textconv.End
	}
	if r := l.src.Record(); r != nil {
		*dst = *r
		return textconv.Rec
	}
	if l.src.SyntaxError() != nil {
		return textconv.Bad
	}
	return textconv.Yield
}

func (l lexer) SyntaxError() *SyntaxError    { return l.src.SyntaxError() }
func (l lexer) Err() error                   { return l.src.Err() }
func (l lexer) LineReader() *lineread.Reader { return l.src.LineReader() }
func (l lexer) YieldSoon()                   { l.src.YieldSoon() }

func (l lexer) Keep(r *Record, a *textconv.Arena) {
	r.Comm, r.Name, r.Args = a.Keep(r.Comm), a.Keep(r.Name), a.Keep(r.Args)
	r.Text, r.SigName, r.Info = a.Keep(r.Text), a.Keep(r.SigName), a.Keep(r.Info)
}

// sink is the Converter as a textconv.Sink: records of unknown types are
// passed to onErr too (fatal with --strict only).
type sink struct {
	c     *Converter
	onErr func(*SyntaxError) error
}

func (s sink) Counters() *textconv.Stats { return &s.c.Stats.Stats }

func (s sink) Add(rec *Record) error {
	if rec.Type == Other && rec.Unknown && s.onErr != nil {
		if err := s.onErr(unknownType(rec)); err != nil {
			return err
		}
	}
	return s.c.Add(rec)
}

func unknownType(rec *Record) *SyntaxError {
	return &SyntaxError{File: rec.File, Line: rec.Line, Msg: fmt.Sprintf("unknown record type %q", rec.Name), Unknown: true}
}

// Run converts every record of src with c, line by line, then finishes c.
// Syntax errors are counted and passed to onErr, which may stop the
// conversion by returning an error (--strict); onErr may be nil.
func Run(src Source, c *Converter, onErr func(*SyntaxError) error) error {
	c.SetTimeForm(src.TimeForm())
	if err := textconv.Run[Record](lexer{src}, sink{c, onErr}, onErr); err != nil {
		return err
	}
	return c.Finish()
}

// pipelineBlock is the read-ahead block size; tests make it tiny.
var pipelineBlock = textconv.DefaultBlock

// RunPipelined is Run with the source read on a goroutine of its own
// (textconv.RunPipelined).
func RunPipelined(src Source, c *Converter, onErr func(*SyntaxError) error) error {
	c.SetTimeForm(src.TimeForm()) // decided (by peeking) before reading ahead
	err := textconv.RunPipelined[Record](lexer{src}, sink{c, onErr}, onErr, textconv.Stages[Record]{
		Read:  func(n int64) { c.bytesRead = n },
		Block: pipelineBlock,
	})
	if err != nil {
		return err
	}
	return c.Finish()
}

// Config is a whole conversion of one log into one trace file (textconv's).
type Config = textconv.Config

// Metadata keys the BSD converters add to a trace.
const (
	MetaTimeForm         = "forkcost.bsd.time_form"
	MetaResidentFraction = "forkcost.bsd.resident_fraction"
	MetaBaseline         = "forkcost.bsd.exec_baseline"
	MetaSizes            = "forkcost.bsd.sizes"
)

// conversion is the conversion of one kdump or truss log, run by
// textconv.Drive.
type conversion struct {
	src    Source
	format string
	name   string
	opt    Options
	conv   *Converter
	short  textconv.ShortWriter
}

func (v *conversion) SetEmitShort(f textconv.ShortWriter) { v.short = f }

func (v *conversion) Run(emit func(*trace.Event) error, onErr func(*SyntaxError) error) error {
	v.conv = NewConverter(v.opt, emit)
	v.conv.SetEmitShort(v.short)
	return RunPipelined(v.src, v.conv, onErr)
}

func (v *conversion) Stats() *textconv.Stats { return &v.conv.Stats.Stats }
func (v *conversion) BytesRead() int64       { return v.conv.bytesRead }

func (v *conversion) Describe(m *trace.Meta) {
	m.Source, m.SourceOS = v.format, v.src.OS()
	m.Origin = v.format + " log " + v.name
	if m.SourceOS == "" {
		m.SourceOS = "unknown-bsd"
	}
	if m.Extra == nil {
		m.Extra = map[string]string{}
	}
	form := TimeNone
	if v.conv != nil {
		var start int64
		var ok bool
		start, form, ok = v.conv.Start()
		if ok && form == TimeAbsolute {
			m.StartUnixNs = start
		}
	}
	if form == TimeNone || form == TimeDuration || form == TimeAuto {
		m.TimeSynthetic = true
	}
	m.Extra[MetaTimeForm] = form.String()
	textconv.DescribeSizes(m, "forkcost.bsd", v.opt.Options,
		"the kernel's mappings of the program, the loader and the stack, invisible to "+v.format)
}

func (v *conversion) Warnings(warn func(string, ...any)) {
	c := v.conv
	st := &c.Stats
	if st.UnknownRecords > 0 {
		warn("%d records of unknown types were skipped", st.UnknownRecords)
	}
	if st.MemoryCalls == 0 && st.Records > 0 {
		warn("the log has no memory system calls: address-space sizes are only the per-exec baseline")
	}
	if f := c.form; (f == TimeNone || f == TimeDuration) && st.Records > 0 {
		warn("the log has no timestamps (%s): times are record numbers (1 µs apart) and the trace says time_synthetic=true", f)
	}
	if st.ForcedRelease > 0 {
		warn("%d rows were written before what they waited for (look-ahead limit of %d rows): some child_exec_ns are missing; if children never appear in the log, record with ktrace -i (truss -f)", st.ForcedRelease, c.opt.MaxHeld)
	}
	if st.NotExited > 0 {
		warn("%d processes have no exit in the log (truncated log, or still running when tracing stopped)", st.NotExited)
	}
	if st.NoPID > 0 {
		warn("%d records carry no pid (truss without -f): their rows have pid 0", st.NoPID)
	}
}

// ConvertSource converts src, the log named name in format ("kdump" or
// "truss", written as the trace's source), into the trace file out
// (textconv.Drive). Nothing appears at out unless the conversion succeeds.
func ConvertSource(src Source, format, name, out string, cfg Config, opt Options) (*Stats, error) {
	opt.Options = cfg.Options
	if format == "truss" {
		opt.Truss = true
	}
	v := &conversion{src: src, format: format, name: name, opt: opt}
	err := textconv.Drive(v, out, cfg)
	if v.conv == nil {
		return nil, err
	}
	return &v.conv.Stats, err
}

// ConvertAll converts everything src holds into memory: the rows, the
// converter (for its Stats and Held), and the syntax errors met on the way.
// It is for tests, fuzzing and small logs; ConvertSource streams to a file.
func ConvertAll(src Source, opt Options) ([]trace.Event, *Converter, []SyntaxError, error) {
	return convertAll(src, opt, false)
}

// ConvertAllPipelined is ConvertAll through the pipeline (RunPipelined),
// with read-ahead blocks of block bytes (0: the usual size): the fuzz
// targets check that both give the same rows.
func ConvertAllPipelined(src Source, opt Options, block int) ([]trace.Event, *Converter, []SyntaxError, error) {
	if block > 0 {
		old := pipelineBlock
		pipelineBlock = block
		defer func() { pipelineBlock = old }()
	}
	return convertAll(src, opt, true)
}

func convertAll(src Source, opt Options, pipelined bool) ([]trace.Event, *Converter, []SyntaxError, error) {
	var evs []trace.Event
	c := NewConverter(opt, func(ev *trace.Event) error {
		evs = append(evs, *ev)
		return nil
	})
	var errs []SyntaxError
	onErr := func(e *SyntaxError) error {
		errs = append(errs, *e)
		return nil
	}
	var err error
	if pipelined {
		err = RunPipelined(src, c, onErr)
	} else {
		err = Run(src, c, onErr)
	}
	return evs, c, errs, err
}

// FormatConvert returns a textconv.Format's Convert for a BSD format whose
// file conversion is convert: one input (kdump and truss write one file
// for all processes), cfg.TimeForm read as a TimeForm.
func FormatConvert(format string, convert func(name, out string, cfg Config, form TimeForm) (*Stats, error)) func([]textconv.Input, string, textconv.Config) (*textconv.Stats, error) {
	return func(inputs []textconv.Input, out string, cfg textconv.Config) (*textconv.Stats, error) {
		if len(inputs) != 1 {
			return nil, fmt.Errorf("%s: give one log (kdump and truss write one file for all processes)", format)
		}
		form := TimeAuto
		if cfg.TimeForm != "" {
			var err error
			if form, err = ParseTimeForm(cfg.TimeForm); err != nil {
				return nil, err
			}
		}
		st, err := convert(inputs[0].Name, out, cfg, form)
		if st == nil {
			return nil, err
		}
		return &st.Stats, err
	}
}

// CheckLog is the fuzz targets' whole check of one log: converted line by
// line it must keep the schema's invariants and leave nothing held, and
// converted through the pipeline, with read-ahead blocks of the usual size
// and of 64 bytes (lines cross them, continuation lines fill them), it
// must give the same rows.
func CheckLog(open func() Source, opt Options) error {
	evs, c, _, err := ConvertAll(open(), opt)
	if err != nil {
		return err
	}
	if err := CheckInvariants(evs, false); err != nil {
		return err
	}
	if c.Held() != 0 {
		return fmt.Errorf("%d rows still held after Finish", c.Held())
	}
	return SamePipelined(open, opt, evs, c.Stats.SyntaxErrors, 0, 64)
}

// SamePipelined converts the log that open returns again through the
// pipeline, with read-ahead blocks of each size in blocks (0: the usual
// size), and reports a difference from evs and syntaxErrors, the rows and
// count of its conversion line by line: the fuzz targets' check.
func SamePipelined(open func() Source, opt Options, evs []trace.Event, syntaxErrors int64, blocks ...int) error {
	for _, block := range blocks {
		pevs, pc, _, err := ConvertAllPipelined(open(), opt, block)
		if err != nil {
			return err
		}
		same := len(evs) == len(pevs) && syntaxErrors == pc.Stats.SyntaxErrors
		for i := 0; same && i < len(evs); i++ {
			same = FormatEvent(&evs[i]) == FormatEvent(&pevs[i])
		}
		if !same {
			return fmt.Errorf("blocks of %d: line by line %d rows (%d syntax errors), pipelined %d rows (%d syntax errors)",
				block, len(evs), syntaxErrors, len(pevs), pc.Stats.SyntaxErrors)
		}
	}
	return nil
}
