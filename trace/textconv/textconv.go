// Package textconv is the conversion layer that the text log formats
// (strace, kdump, truss) plug into: everything about turning a log into a
// trace that does not depend on the log's grammar or on its system's
// process semantics.
//
// # Data model
//
// A format supplies a record type R (a lexed line or joined call of its
// log) and three parts: a Lexer that lexes lines into records, a Sink (the
// format's converter) that turns records into trace.Events, and a
// Conversion that ties them to inputs. This package supplies the rest:
//
//	Options, Config, Stats   what every converter is tuned by and counts
//	Run, RunPipelined        the pipeline, generic over R
//	Drive                    metadata, the lazily created writer, syntax
//	                         error reporting, the end-of-conversion warnings
//	Register, Detect         the registry of formats, detection by content
//
// Rows a converter must hold back until what they wait for is known (a
// creation row its child's first exec) wait in trace/lookahead, bounded by
// Options.MaxHeld and MaxAge: in a Queue (kdump and truss), or in the
// lanes of a Tree (strace, which holds back only a waiting child's rows).
//
// # Pipeline
//
// RunPipelined runs a conversion on four goroutines, handing batches
// over through channels, so that a conversion keeps both
// cores of a small machine busy:
//
//	read-ahead  reads (and decompresses) the input into blocks of whole
//	            lines, and finds where each line ends
//	lexer       lexes the lines straight into a batch of records
//	converter   the Sink: records to rows, which it puts in the columns
//	            of the trace's next record batch (arrowio.AsyncWriter,
//	            in Drive; memory and signal rows as their few fields, see
//	            ShortRows)
//	writer      encodes and writes each full record batch
//
// There are 16 batches of records in all (see batchesAhead): the lexer
// and the converter hold one each while they work on it, and the rest
// take up the stages' uneven pace.
//
// A record's slices point into the read-ahead block its line came from
// where they can (Lexer.Keep copies the rest into the batch's Arena, and
// an ArenaLexer builds bytes no line holds, such as the joined halves of a
// split call, in that Arena at once); a
// block is released when the converter is done with every batch that
// refers to it, so memory is bounded by the blocks and batches in flight,
// whatever the input's size. Run is the same conversion on one goroutine,
// line by line; the formats' fuzz targets check that both give the same
// rows.
package textconv

import (
	"fmt"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/addrspace"
	"github.com/forkcost/forkcost/trace/lookahead"
)

// Options tune a converter; each format's converter takes them.
type Options struct {
	// ResidentFraction is the fraction of accessible (and of writable)
	// mapped memory taken as resident; see addrspace.Estimate. 0 means
	// DefaultResidentFraction; use a tiny positive value for "none".
	ResidentFraction float64
	// PageSize is the recording host's page size (4096 if 0): logs do not
	// print it.
	PageSize int
	// Baseline is added to every address space for the mappings the
	// kernel makes at exec, which no log shows; nil means
	// addrspace.DefaultBaseline.
	Baseline *addrspace.Baseline
	// MaxHeld bounds the rows held back while creations wait for their
	// child's first action (DefaultMaxHeld if 0). When exceeded, the
	// oldest waiting creation is written without child_exec_ns.
	MaxHeld int
	// MaxAge, when positive, bounds in log time (ns) how long a row is
	// held back: an older waiting row is written as if MaxHeld were
	// exceeded. 0 means no bound in time (a log is read faster than it
	// was written: only MaxHeld bounds memory).
	MaxAge int64
}

// DefaultResidentFraction is the default Options.ResidentFraction.
const DefaultResidentFraction = 0.5

// DefaultMaxHeld is the default Options.MaxHeld, the same for every
// format and for convert and replay, so that converting a log and
// replaying it give the same child_exec_ns.
const DefaultMaxHeld = lookahead.DefaultMaxHeld

// WithDefaults returns o with its zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.ResidentFraction == 0 {
		o.ResidentFraction = DefaultResidentFraction
	}
	if o.PageSize <= 0 {
		o.PageSize = 4096
	}
	if o.MaxHeld <= 0 {
		o.MaxHeld = DefaultMaxHeld
	}
	return o
}

// BaselineOf returns the baseline in effect for o.
func (o Options) BaselineOf() addrspace.Baseline {
	if o.Baseline != nil {
		return *o.Baseline
	}
	return addrspace.DefaultBaseline
}

// Snapshot is the creation-row snapshot of an address space with the
// options' baseline, resident fraction and page size.
func (o Options) Snapshot(space *addrspace.Space, threads int32) trace.Snapshot {
	st := space.Stats(o.BaselineOf())
	res := addrspace.Estimate(st, o.ResidentFraction, o.PageSize)
	return trace.Snapshot{
		VirtBytes:             st.VirtBytes,
		WritableBytes:         st.WritableBytes,
		ResidentBytes:         res.ResidentBytes,
		WritableResidentBytes: res.WritableResidentBytes,
		AnonResidentBytes:     res.AnonResidentBytes,
		PageTableBytes:        res.PageTableBytes,
		MapEntries:            st.MapEntries,
		ParentThreads:         threads,
		PageSize:              int32(o.PageSize),
		Source:                trace.Estimated,
	}
}

// Stats counts what a conversion met, in every format; each format's
// Stats embeds it and adds its own counters.
type Stats struct {
	Records       int64
	Rows          int64
	SyntaxErrors  int64
	Creations     map[trace.Kind]int64
	Threads       int64
	Execs         int64
	ExecsFailed   int64
	Exits         int64
	MemoryCalls   int64 // successful memory calls applied to address spaces
	ForcedRelease int64 // rows written before what they waited for (MaxHeld, MaxAge)
	TimeBackwards int64 // records earlier than the previous one
	ExitFallbacks int64 // exits known only from a weaker source than the log's exit line
	NotExited     int64 // processes alive at the end of the log
}

// NewStats returns Stats ready for counting.
func NewStats() Stats { return Stats{Creations: map[trace.Kind]int64{}} }

// String describes the stats in one line.
func (s *Stats) String() string {
	return fmt.Sprintf("%d records, %d rows: fork %d, vfork %d, spawn %d, clone %d, thread %d, exec %d, exec_failed %d, exit %d",
		s.Records, s.Rows, s.Creations[trace.Fork], s.Creations[trace.VFork], s.Creations[trace.Spawn],
		s.Creations[trace.Clone], s.Threads, s.Execs, s.ExecsFailed, s.Exits)
}

// Counted counts a row about to be written.
func (s *Stats) Counted(ev *trace.Event) {
	if ev.Kind.IsCreation() {
		s.Creations[ev.Kind]++
	}
	s.Rows++
}

// SyntaxError is a line a Lexer could not parse. Lexers report it and go
// on with the next line.
type SyntaxError struct {
	File string
	Line int
	Msg  string
	// Unknown marks a line of a known shape but of an unknown record type
	// (kdump): counted apart, and only --strict reports it.
	Unknown bool
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}
