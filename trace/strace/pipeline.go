package strace

import (
	"context"
	"runtime/pprof"
	"sync"
	"unsafe"

	"github.com/forkcost/forkcost/trace/internal/lineread"
)

// The conversion of one log runs as a pipeline (see the package comment):
// a read-ahead goroutine reads the input into blocks of whole lines, the
// Reader lexes them straight into batches of records whose slices point
// into the blocks, a decoder decodes the arguments of memory and exec
// calls (predecode), the Converter turns the records into events, and the
// trace writer encodes them. Batches and blocks are recycled through
// bounded channels, so memory stays bounded whatever the input's size.

// pipelineBlock is the read-ahead block size; tests make it tiny, so that
// short inputs cross many blocks.
var pipelineBlock = readAheadBlock

const (
	// Read-ahead: blocks of the input in flight, and how many finished
	// blocks a batch may hold before it is passed on (see BlockDone).
	readAheadBlock  = 256 << 10
	readAheadBlocks = 16
	maxHeldBlocks   = 4

	batchRecords = 2048
	batchesAhead = 4
	arenaChunk   = 1 << 20
)

type recBatch struct {
	recs   []Record
	errs   []SyntaxError
	isErr  []bool
	chunks [][]byte
	cur    []byte
	err    error // the Reader's I/O error, on the last batch
	read   int64 // bytes read by the Reader when the batch was full
	last   bool
	// The read-ahead blocks finished while the batch filled: its
	// records' lines are in them (or in blocks of earlier batches), and
	// they are released when the batch has been converted.
	blocks []*lineread.Block
}

func (b *recBatch) reset() {
	b.recs, b.errs, b.isErr = b.recs[:0], b.errs[:0], b.isErr[:0]
	if len(b.chunks) > 0 {
		b.cur = b.chunks[0][:0]
		b.chunks = b.chunks[:1]
	}
	b.err, b.last = nil, false
	clear(b.blocks)
	b.blocks = b.blocks[:0]
}

// keep copies p into the batch's memory.
func (b *recBatch) keep(p []byte) []byte {
	if p == nil {
		return nil
	}
	if len(b.cur)+len(p) > cap(b.cur) {
		n := arenaChunk
		if len(p) > n {
			n = len(p)
		}
		b.cur = make([]byte, 0, n)
		b.chunks = append(b.chunks, b.cur)
	}
	s := len(b.cur)
	b.cur = append(b.cur, p...)
	return b.cur[s:len(b.cur):len(b.cur)]
}

// slot returns the next record of the batch for the Reader to lex into
// (nextInto). A slot keeps its Comm buffer from one use to the next.
func (b *recBatch) slot() *Record {
	if len(b.recs) < cap(b.recs) {
		b.recs = b.recs[:len(b.recs)+1]
	} else {
		b.recs = append(b.recs, Record{})
	}
	return &b.recs[len(b.recs)-1]
}

// fix makes the slices of d, just lexed into the batch, last as long as
// the batch. Those within src, the line d was lexed from, already do when
// src is stable (a read-ahead block's); otherwise src is copied once and
// they are moved onto the copy. Other slices (the halves of a split call
// joined in the Reader's memory) are copied one by one; Comm is the slot's
// own.
func (b *recBatch) fix(d *Record, src []byte, stable bool) {
	b.isErr = append(b.isErr, false)
	if stable && !d.Resumed {
		// The common case: every slice is a part of the line (only a
		// joined call's lie in the Reader's memory).
		return
	}
	var kept []byte
	if !stable {
		kept = b.keep(src)
	}
	d.Name = b.rebase(d.Name, src, kept, stable)
	d.Args = b.rebase(d.Args, src, kept, stable)
	d.Errno = b.rebase(d.Errno, src, kept, stable)
	d.KillSignal = b.rebase(d.KillSignal, src, kept, stable)
	d.Signal = b.rebase(d.Signal, src, kept, stable)
	d.SigInfo = b.rebase(d.SigInfo, src, kept, stable)
	d.Msg = b.rebase(d.Msg, src, kept, stable)
}

// rebase returns p's bytes in memory that lasts as long as the batch: p
// itself when it lies within a stable src, the same part of kept (src's
// copy) when it lies within another src, else a copy of p.
func (b *recBatch) rebase(p, src, kept []byte, stable bool) []byte {
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
	return b.keep(p)
}

// addErr records e in the slot last taken.
func (b *recBatch) addErr(e *SyntaxError) {
	b.errs = append(b.errs, *e)
	b.isErr = append(b.isErr, true)
}

// RunPipelined is Run with the Reader on a goroutine of its own.
func RunPipelined(rd *Reader, c *Converter, onErr func(*SyntaxError) error) error {
	c.singleLog = true
	c.PendingCreation = nil // each record carries it
	rd.StartReadAhead(pipelineBlock, readAheadBlocks)
	free := make(chan *recBatch, batchesAhead)
	lexed := make(chan *recBatch, batchesAhead)
	full := make(chan *recBatch, batchesAhead)
	done := make(chan struct{})
	for i := 0; i < batchesAhead; i++ {
		free <- &recBatch{}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go pprof.Do(context.Background(), pprof.Labels("stage", "decoder"), func(context.Context) {
		defer wg.Done()
		defer close(full)
		dec := newArgDecoder()
		for b := range lexed {
			for i := range b.recs {
				if !b.isErr[i] {
					predecode(&b.recs[i], dec)
				}
			}
			select {
			case full <- b:
			case <-done:
				for range lexed {
				}
				return
			}
		}
	})
	go pprof.Do(context.Background(), pprof.Labels("stage", "reader"), func(context.Context) {
		defer wg.Done()
		defer close(lexed)
		var b *recBatch // nil once the pipeline stops
		take := func() {
			select {
			case b = <-free:
				b.reset()
			case <-done:
				b = nil
			}
		}
		send := func() {
			b.blocks = rd.TakeDone(b.blocks)
			b.read = rd.Bytes
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
		rd.BlockDone = func(finished int) {
			// Lines that make no record (blank lines, -k frames, the
			// halves of split calls) can finish many blocks inside one
			// Next: have it return between lines, so that the batch,
			// which holds them, can be passed on.
			if finished >= maxHeldBlocks {
				rd.yieldSoon = true
			}
		}
		take()
		for b != nil {
			ok := rd.nextInto(b.slot())
			if !ok {
				b.recs = b.recs[:len(b.recs)-1]
				b.err, b.last = rd.Err(), true
				send()
				return
			}
			switch res := rd.Result().(type) {
			case *Record:
				src, stable := rd.source()
				b.fix(res, src, stable)
			case *SyntaxError:
				b.addErr(res)
			case nil: // Next yielded between lines
				b.recs = b.recs[:len(b.recs)-1]
			}
			b.blocks = rd.TakeDone(b.blocks)
			if len(b.recs) >= batchRecords || len(b.blocks) >= maxHeldBlocks {
				send()
			}
		}
	})
	stop := func(err error) error {
		close(done)
		rd.StopReadAhead() // the reader may wait for a block
		for range full {
		}
		wg.Wait()
		return err
	}
	for b := range full {
		c.bytesRead = b.read
		j := 0
		for i := range b.recs {
			if b.isErr[i] {
				c.Stats.SyntaxErrors++
				if onErr != nil {
					if err := onErr(&b.errs[j]); err != nil {
						return stop(err)
					}
				}
				j++
				continue
			}
			if err := c.Add(&b.recs[i]); err != nil {
				return stop(err)
			}
		}
		if b.err != nil {
			return stop(b.err)
		}
		for _, blk := range b.blocks {
			rd.Release(blk)
		}
		free <- b
	}
	wg.Wait()
	rd.StopReadAhead()
	c.Stats.Unfinished += int64(rd.Unfinished())
	return c.Finish()
}
