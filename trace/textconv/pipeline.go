package textconv

import (
	"context"
	"runtime/pprof"
	"slices"
	"sync"
	"unsafe"

	"github.com/forkcost/forkcost/trace/internal/lineread"
)

// Status says what Lexer.Lex found.
type Status uint8

const (
	// End: the input ended (or an I/O error ended it: see Lexer.Err).
	End Status = iota
	// Rec: the record passed to Lex now holds the next record.
	Rec
	// Bad: the next line is malformed; Lexer.SyntaxError describes it.
	Bad
	// Yield: nothing yet; the Lexer returned between lines after
	// YieldSoon, so that the pipeline can pass on the blocks it holds.
	Yield
)

// A Lexer reads a log into records of type R, one per call to Lex.
type Lexer[R any] interface {
	// Lex lexes the next record into dst, a record that Lex filled before
	// (buffers it owns may be reused) or a zero one. Its slices may point
	// into the current line, into buffers of the Lexer valid until the
	// next call, or into buffers of dst.
	Lex(dst *R) Status
	// SyntaxError returns the error of the last Bad.
	SyntaxError() *SyntaxError
	// Err returns the I/O error that ended the input, if any.
	Err() error
	// LineReader returns the Lexer's line reader, which RunPipelined
	// switches to reading ahead.
	LineReader() *lineread.Reader
	// Keep makes dst, just lexed, valid for as long as a: the slices
	// within the current line stay where they are when the line is a
	// read-ahead block's (stable); the others are copied with a.Keep or
	// a.Rebase.
	Keep(dst *R, a *Arena)
	// YieldSoon makes Lex return Yield after the next line that makes no
	// record.
	YieldSoon()
}

// An ArenaLexer is told the arena of the batch it lexes into
// (RunPipelined), so that it can build the bytes of a record that its
// line does not hold (the joined halves of a split call) there at once,
// instead of in its own memory that Keep then copies.
type ArenaLexer interface {
	UseArena(a *Arena)
}

// A BatchLexer is a Lexer that lexes a run of records in one call, so
// that its loop calls its own Lex and Keep directly, where RunPipelined's
// calls them through the interface, with its generic dictionary, for
// every record (scripts/ir-convert).
type BatchLexer[R any] interface {
	// LexBatch lexes records into recs, in order, as Lex does, each Rec
	// kept (Keep) with a, until recs is full, *stop is set (checked
	// after each record), or Lex returns anything but Rec. It returns
	// the records filled, the Bad one included, and the last status:
	// Rec when recs is full or *stop is set, else End, Bad or Yield.
	LexBatch(recs []R, a *Arena, stop *bool) (int, Status)
}

// lexEach is a Lexer that is no BatchLexer as one: its Lex and Keep
// called through the interface, a record at a time.
type lexEach[R any] struct{ Lexer[R] }

func (l lexEach[R]) LexBatch(recs []R, a *Arena, stop *bool) (int, Status) {
	for i := range recs {
		switch st := l.Lex(&recs[i]); st {
		case Rec:
			l.Keep(&recs[i], a)
		case Bad:
			return i + 1, st
		default:
			return i, st
		}
		if *stop {
			return i + 1, Rec
		}
	}
	return len(recs), Rec
}

// A Sink is a format's converter, fed one record at a time.
type Sink[R any] interface {
	Add(rec *R) error
	// Counters returns the converter's stats, where syntax errors are
	// counted.
	Counters() *Stats
}

// Stages are the optional parts of a pipelined conversion.
type Stages[R any] struct {
	// Read, if set, is told the bytes read so far as each batch reaches
	// the Sink (for progress).
	Read func(n int64)
	// Block is the read-ahead block size (DefaultBlock if 0); tests make
	// it tiny, so that short inputs cross many blocks.
	Block int
}

// Pipeline sizes.
const (
	// DefaultBlock is the read-ahead block size. Small enough that the
	// blocks in flight (2 MiB) stay in the caches between the reading
	// goroutine, which fills a block and finds its line ends, and the
	// lexer: with 16 blocks of 256 KiB, converting the 200 MB logs of
	// scripts/bench-convert.sh took 6 to 10% more CPU (medians of 9 to 11
	// alternating runs).
	DefaultBlock = 64 << 10
	// Blocks of the input in flight, and how many finished blocks a batch
	// may hold before it is passed on.
	readAheadBlocks = 32
	maxHeldBlocks   = 4

	// batchesAhead is the number of batches, all stages together. The
	// lexer and the converter (and then a decoder stage, since dropped:
	// see strace's execAhead) each hold one while they work on it, so
	// with 4, as before, one was left to take up a stage's
	// uneven pace (an exec record costs the converter many memory
	// records), and the stages waited on each other: two cores ran 1.65
	// CPUs. With 16 (and 32 read-ahead blocks rather than 24), converting
	// the 500 MB logs of scripts/bench-convert.sh took 12, 6 and 5% less
	// wall time (gobuild, libc, mem; medians of 11 alternating runs). A
	// batch's arena grows by chunks of arenaChunk (a longer record gets
	// its own): 128 KiB holds the joined calls of most batches, and with
	// 1 MiB, as before, the 16 batches raised the peak RSS from 77-88 to
	// 129-133 MiB (87-94 with 128 KiB).
	batchRecords = 512
	batchesAhead = 16
	arenaChunk   = 128 << 10
)

// Run converts every record of lx with s, on the calling goroutine. Syntax
// errors are counted in s.Counters() and passed to onErr, which may stop
// the conversion by returning an error (--strict); onErr may be nil. The
// caller finishes the Sink.
func Run[R any](lx Lexer[R], s Sink[R], onErr func(*SyntaxError) error) error {
	var rec R
	for {
		switch lx.Lex(&rec) {
		case End:
			return lx.Err()
		case Rec:
			if err := s.Add(&rec); err != nil {
				return err
			}
		case Bad:
			s.Counters().SyntaxErrors++
			if onErr != nil {
				if err := onErr(lx.SyntaxError()); err != nil {
					return err
				}
			}
		}
	}
}

// Arena is the memory of a batch: records of the batch that need bytes
// beyond their line keep them here, until the batch is recycled.
type Arena struct {
	chunks [][]byte
	cur    []byte
}

func (a *Arena) reset() {
	if len(a.chunks) > 0 {
		a.cur = a.chunks[0][:0]
		a.chunks = a.chunks[:1]
	}
}

// Keep copies p into the arena; nil stays nil.
func (a *Arena) Keep(p []byte) []byte {
	if p == nil {
		return nil
	}
	if len(a.cur)+len(p) > cap(a.cur) {
		a.cur = make([]byte, 0, max(arenaChunk, len(p)))
		a.chunks = append(a.chunks, a.cur)
	}
	s := len(a.cur)
	a.cur = append(a.cur, p...)
	return a.cur[s:len(a.cur):len(a.cur)]
}

// Join returns x and y, one after the other, in the arena's memory.
func (a *Arena) Join(x, y []byte) []byte {
	n := len(x) + len(y)
	if len(a.cur)+n > cap(a.cur) {
		a.cur = make([]byte, 0, max(arenaChunk, n))
		a.chunks = append(a.chunks, a.cur)
	}
	s := len(a.cur)
	a.cur = append(append(a.cur, x...), y...)
	return a.cur[s:len(a.cur):len(a.cur)]
}

// Rebase returns p's bytes in memory that lasts as long as the arena: p
// itself when it lies within src and src is stable (a read-ahead block's
// line), the same part of kept (src's copy, made once by the caller) when
// it lies within an unstable src, else a copy of p.
func (a *Arena) Rebase(p, src, kept []byte, stable bool) []byte {
	if p == nil {
		return nil
	}
	if len(p) > 0 && len(src) > 0 {
		// The offset of p in src, if it lies there. Comparing the
		// addresses of two live slices is safe; Go has no other way to
		// ask whether one slice is part of another.
		off := uintptr(unsafe.Pointer(unsafe.SliceData(p))) - uintptr(unsafe.Pointer(unsafe.SliceData(src)))
		if off <= uintptr(len(src)) && uintptr(len(p)) <= uintptr(len(src))-off {
			if stable {
				return p[:len(p):len(p)]
			}
			return kept[off : int(off)+len(p) : int(off)+len(p)]
		}
	}
	return a.Keep(p)
}

type batch[R any] struct {
	recs []R
	errs []SyntaxError
	// errAt is the index in recs of each of errs (their slots hold no
	// record), ascending: a flag for every record cost its append on the
	// lexer's goroutine and its test on the converter's (scripts/ir-convert).
	errAt []int
	arena Arena
	err   error // the Lexer's I/O error, on the last batch
	read  int64 // bytes read when the batch was full
	last  bool
	// The read-ahead blocks finished while the batch filled: its records'
	// lines are in them (or in blocks of earlier batches); they are
	// released when the batch has been converted.
	blocks []*lineread.Block
}

func (b *batch[R]) reset() {
	b.recs, b.errs, b.errAt = b.recs[:0], b.errs[:0], b.errAt[:0]
	b.arena.reset()
	b.err, b.last = nil, false
	clear(b.blocks)
	b.blocks = b.blocks[:0]
}

// RunPipelined is Run with the reading ahead and the Lexer on goroutines
// of their own (see the package documentation). The caller
// finishes the Sink.
func RunPipelined[R any](lx Lexer[R], s Sink[R], onErr func(*SyntaxError) error, st Stages[R]) error {
	lr := lx.LineReader()
	block := st.Block
	if block <= 0 {
		block = DefaultBlock
	}
	lr.StartReadAhead(block, readAheadBlocks)
	free := make(chan *batch[R], batchesAhead)
	lexed := make(chan *batch[R], batchesAhead)
	done := make(chan struct{})
	for i := 0; i < batchesAhead; i++ {
		free <- &batch[R]{}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go pprof.Do(context.Background(), pprof.Labels("stage", "lexer"), func(context.Context) {
		defer wg.Done()
		defer close(lexed)
		var b *batch[R] // nil once the pipeline stops
		al, _ := lx.(ArenaLexer)
		take := func() {
			select {
			case b = <-free:
				b.reset()
				if al != nil {
					al.UseArena(&b.arena)
				}
			case <-done:
				b = nil
				if al != nil {
					al.UseArena(nil)
				}
			}
		}
		send := func() {
			b.blocks = lr.TakeDone(b.blocks)
			b.read = lr.Bytes
			select {
			case lexed <- b:
				if !b.last {
					take()
					return
				}
			case <-done:
			}
			b = nil
		}
		// finished: the line reader has finished blocks that the batch
		// has not taken yet (TakeDone), which happens once a block, not
		// after every record.
		finished := false
		lr.BlockDone = func(n int) {
			finished = true
			// Lines that make no record (blank lines, continuation
			// lines, the halves of split calls) can finish many blocks
			// inside one Lex: have it return between lines, so that the
			// batch, which holds them, can be passed on.
			if n >= maxHeldBlocks {
				lx.YieldSoon()
			}
		}
		take()
		bl, ok := lx.(BatchLexer[R])
		if !ok {
			bl = lexEach[R]{lx}
		}
		for b != nil {
			if cap(b.recs) < batchRecords {
				b.recs = slices.Grow(b.recs, batchRecords-len(b.recs))
			}
			k := len(b.recs)
			n, st := bl.LexBatch(b.recs[k:batchRecords], &b.arena, &finished)
			b.recs = b.recs[:k+n]
			switch st {
			case End:
				b.err, b.last = lx.Err(), true
				send()
				return
			case Bad:
				b.errs = append(b.errs, *lx.SyntaxError())
				b.errAt = append(b.errAt, len(b.recs)-1)
			}
			if finished {
				finished = false
				b.blocks = lr.TakeDone(b.blocks)
			}
			if len(b.recs) >= batchRecords || len(b.blocks) >= maxHeldBlocks {
				send()
			}
		}
	})
	stop := func(err error) error {
		close(done)
		lr.StopReadAhead() // the lexer may wait for a block
		for range lexed {
		}
		wg.Wait()
		return err
	}
	var err error
	pprof.Do(context.Background(), pprof.Labels("stage", "converter"), func(context.Context) {
		err = convert(s, lexed, onErr, st, lr, free, stop)
	})
	if err != nil {
		return err
	}
	wg.Wait()
	lr.StopReadAhead()
	return nil
}

// convert is RunPipelined's converter stage, on the caller's goroutine.
// A BatchSink is a Sink that adds the records of a batch without a
// malformed line itself (AddAll stops at Add's first error): its loop
// calls its Add directly, where convert's calls it through the
// interface, with its generic dictionary, for every record.
type BatchSink[R any] interface {
	AddAll(recs []R) error
}

func convert[R any](s Sink[R], full <-chan *batch[R], onErr func(*SyntaxError) error, st Stages[R], lr *lineread.Reader,
	free chan<- *batch[R], stop func(error) error) error {
	counters := s.Counters()
	bs, batched := s.(BatchSink[R])
	for b := range full {
		if st.Read != nil {
			st.Read(b.read)
		}
		if len(b.errs) == 0 && batched {
			// The usual batch, without malformed lines: no errAt to test.
			if err := bs.AddAll(b.recs); err != nil {
				return stop(err)
			}
		} else if len(b.errs) == 0 {
			for i := range b.recs {
				if err := s.Add(&b.recs[i]); err != nil {
					return stop(err)
				}
			}
		} else {
			j := 0
			for i := range b.recs {
				if j < len(b.errAt) && b.errAt[j] == i {
					counters.SyntaxErrors++
					if onErr != nil {
						if err := onErr(&b.errs[j]); err != nil {
							return stop(err)
						}
					}
					j++
					continue
				}
				if err := s.Add(&b.recs[i]); err != nil {
					return stop(err)
				}
			}
		}
		if b.err != nil {
			return stop(b.err)
		}
		for _, blk := range b.blocks {
			lr.Release(blk)
		}
		free <- b
	}
	return nil
}
