package strace

import (
	"github.com/forkcost/forkcost/trace/internal/lineread"
	"github.com/forkcost/forkcost/trace/textconv"
)

// The conversion of one log runs as textconv's pipeline (see the package
// comment): the Reader lexes read-ahead blocks straight into batches of
// records whose slices point into the blocks and decodes each exec's path
// and argv (execAhead); the Converter decodes memory calls and turns the
// records into events.

// pipelineBlock is the read-ahead block size; tests make it tiny, so that
// short inputs cross many blocks.
var pipelineBlock = readAheadBlock

const readAheadBlock = textconv.DefaultBlock

// lexer is the Reader as a textconv.Lexer. With dec, LexBatch also
// decodes each exec's path and argv (execAhead).
type lexer struct {
	rd  *Reader
	dec *argDecoder
}

// Lex is Reader.Next lexing the record into dst, which must be a record
// that Lex filled before (or a zero one): its Comm buffer is reused. The
// pipeline lexes straight into its batches this way, without a copy.
// Next's setting of PendingCreation is folded into the test of what was
// found (a call less for every record).
func (l lexer) Lex(dst *Record) textconv.Status {
	r := l.rd
	if dst != r.rec {
		r.rec, r.headOnly = dst, false
	}
	if !r.next() {
		return textconv.End
	}
	return l.found(dst)
}

// found is Lex's status for what r found, a record into dst, a syntax
// error or nothing.
func (l lexer) found(dst *Record) textconv.Status {
	switch r := l.rd; r.cur {
	case resRec:
		dst.PendingCreation = r.nCreate > 0
		return textconv.Rec
	case resErr:
		return textconv.Bad
	}
	return textconv.Yield
}

// LexBatch is textconv.BatchLexer's: Lex and Keep for a run of records.
// The usual lines, whole in their read-ahead block and led by a pid, are
// read in a loop over the block's line ends (lineread.BlockLines), with
// the records going into recs one after another; Lex (next) reads every
// other line. (Lex's loop over NextInBlock, a call of Lex per record,
// cost some 40 instructions a line more: scripts/ir-convert.)
func (l lexer) LexBatch(recs []Record, a *textconv.Arena, stop *bool) (int, textconv.Status) {
	r := l.rd
	i := 0
	for i < len(recs) {
		dst := &recs[i]
		if dst != r.rec {
			r.rec, r.headOnly = dst, false
		}
		if data, ends, pos, ok := r.BlockLines(); ok && !r.yieldSoon && len(r.carry) == 0 {
			k, lineNo := 0, r.LineNo
			for k < len(ends) {
				end := int(ends[k])
				line := data[pos:end]
				k, pos, lineNo = k+1, end+1, lineNo+1
				if len(line) == 0 {
					continue
				}
				if isDigit(line[0]) {
					// A line that starts with a pid is neither a stack
					// frame nor one of strace's messages (see lexLine).
					r.src, r.srcStable = line, true
					if !r.parse(line, lineNo) {
						continue
					}
				} else if !r.lexLine(line, lineNo, true) {
					continue
				}
				if r.cur != resRec {
					r.TookLines(k, pos)
					if r.cur == resErr {
						return i + 1, textconv.Bad
					}
					return i, textconv.Yield
				}
				dst.PendingCreation = r.nCreate > 0
				l.Keep(dst, a)
				l.execAhead(dst)
				i++
				if i == len(recs) || *stop || len(r.carry) > 0 {
					// (A spliced message left the start of its line
					// to the next: next reads it.)
					r.TookLines(k, pos)
					return i, textconv.Rec
				}
				dst = &recs[i]
				r.rec, r.headOnly = dst, false
			}
			r.TookLines(k, pos)
			continue
		}
		switch st := l.Lex(dst); st {
		case textconv.Rec:
			l.Keep(dst, a)
			l.execAhead(dst)
		case textconv.Bad:
			return i + 1, st
		default:
			return i, st
		}
		i++
		if *stop {
			return i, textconv.Rec
		}
	}
	return len(recs), textconv.Rec
}

// execAhead decodes an exec's path and argv on the lexer's goroutine,
// while its line is in the caches: the costliest decoding (a libc
// build's gcc lines hold some 50 arguments), which the Converter, the
// busiest stage of a log of builds, is spared. Memory calls are the
// Converter's to decode. A decoder stage of their own (a goroutine that
// read every record of every batch between the lexer and the Converter)
// is gone: without it, converting the 500 MB logs of
// scripts/bench-convert.sh took 8 to 17% less wall time for the gobuild
// and mem shapes, libc's within its noise (-7 to +5%; medians of 13
// alternating runs).
func (l lexer) execAhead(d *Record) {
	if s := d.sysCall(); l.dec != nil && (s == sysExecve || s == sysExecveat) {
		d.execFile, d.execArgv, d.execCut = decodeExec(d, l.dec)
		d.decoded = true
	}
}

func (l lexer) SyntaxError() *SyntaxError      { return &l.rd.synErr }
func (l lexer) Err() error                     { return l.rd.Err() }
func (l lexer) LineReader() *lineread.Reader   { return &l.rd.Reader }
func (l lexer) YieldSoon()                     { l.rd.yieldSoon = true }
func (l lexer) UseArena(a *textconv.Arena)     { l.rd.arena = a }
func (c *Converter) Counters() *textconv.Stats { return &c.Stats.Stats }

// Keep makes the slices of d, just lexed, last as long as a. Those within
// the line d was lexed from already do when the line is stable (a
// read-ahead block's); otherwise the line is copied once and they are
// moved onto the copy. Other slices (the halves of a split call joined in
// the Reader's memory) are copied one by one; Comm is the record's own.
func (l lexer) Keep(d *Record, a *textconv.Arena) {
	if r := l.rd; r.srcStable && (!d.Resumed || r.joinedKept) {
		// The common case: every slice is a part of the line, or of
		// the batch's arena for a call joined there (UseArena). Tested
		// before keep's call, which loads and saves what the rest needs.
		return
	}
	l.keep(d, a)
}

// keep is Keep for the records whose slices need moving.
func (l lexer) keep(d *Record, a *textconv.Arena) {
	src, stable := l.rd.source()
	var kept []byte
	if !stable {
		kept = a.Keep(src)
	}
	d.Name = a.Rebase(d.Name, src, kept, stable)
	d.Args = a.Rebase(d.Args, src, kept, stable)
	d.Errno = a.Rebase(d.Errno, src, kept, stable)
	d.KillSignal = a.Rebase(d.KillSignal, src, kept, stable)
	d.Signal = a.Rebase(d.Signal, src, kept, stable)
	d.SigInfo = a.Rebase(d.SigInfo, src, kept, stable)
	d.Msg = a.Rebase(d.Msg, src, kept, stable)
}

// RunPipelined is Run with the Reader, and the decoding of arguments, on
// goroutines of their own (textconv.RunPipelined).
func RunPipelined(rd *Reader, c *Converter, onErr func(*SyntaxError) error) error {
	c.singleLog = true
	c.PendingCreation = nil // each record carries it
	err := textconv.RunPipelined[Record](lexer{rd: rd, dec: newArgDecoder()}, c, onErr, textconv.Stages[Record]{
		Read:  func(n int64) { c.bytesRead = n },
		Block: pipelineBlock,
	})
	if err != nil {
		return err
	}
	c.Stats.Unfinished += int64(rd.Unfinished())
	return c.Finish()
}
