package strace

import (
	"context"
	"runtime/pprof"
	"sync"
	"unsafe"
)

// The conversion of one log runs as a pipeline on four goroutines: the
// Reader lexes lines into batches of records (copied into the batch's own
// memory), a decoder decodes the arguments of memory and exec calls
// (predecode), the Converter turns the records into events, and the trace
// writer encodes them. Lexing is the heaviest stage; the decoder is apart
// so that the other three balance on two cores. Batches are recycled
// through bounded channels, so memory stays bounded whatever the input's
// size.

const (
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
}

func (b *recBatch) reset() {
	b.recs, b.errs, b.isErr = b.recs[:0], b.errs[:0], b.isErr[:0]
	if len(b.chunks) > 0 {
		b.cur = b.chunks[0][:0]
		b.chunks = b.chunks[:1]
	}
	b.err = nil
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

// add copies r into the batch. The line r was lexed from (src) is copied
// once, and the slices of r that point into it are moved onto the copy;
// the others are copied one by one.
func (b *recBatch) add(r *Record, src []byte) {
	b.recs = append(b.recs, *r)
	d := &b.recs[len(b.recs)-1]
	line := b.keep(src)
	d.Comm = b.rebase(r.Comm, src, line)
	d.Name = b.rebase(r.Name, src, line)
	d.Args = b.rebase(r.Args, src, line)
	d.Errno = b.rebase(r.Errno, src, line)
	d.KillSignal = b.rebase(r.KillSignal, src, line)
	d.Signal = b.rebase(r.Signal, src, line)
	d.SigInfo = b.rebase(r.SigInfo, src, line)
	d.Msg = b.rebase(r.Msg, src, line)
	b.isErr = append(b.isErr, false)
}

// rebase returns p's bytes in the batch: the same part of kept when p lies
// within src (kept being src's copy), else a copy of p.
func (b *recBatch) rebase(p, src, kept []byte) []byte {
	if p == nil {
		return nil
	}
	if len(p) > 0 && len(src) > 0 {
		// The offset of p in src, if it lies there. Comparing the
		// addresses of two live slices is safe; Go has no other way to
		// ask whether one slice is part of another.
		off := uintptr(unsafe.Pointer(unsafe.SliceData(p))) - uintptr(unsafe.Pointer(unsafe.SliceData(src)))
		if off <= uintptr(len(src)) && uintptr(len(p)) <= uintptr(len(src))-off {
			return kept[off : int(off)+len(p) : int(off)+len(p)]
		}
	}
	return b.keep(p)
}

func (b *recBatch) addErr(e *SyntaxError) {
	b.recs = append(b.recs, Record{})
	b.errs = append(b.errs, *e)
	b.isErr = append(b.isErr, true)
}

// RunPipelined is Run with the Reader on a goroutine of its own.
func RunPipelined(rd *Reader, c *Converter, onErr func(*SyntaxError) error) error {
	c.singleLog = true
	c.PendingCreation = nil // each record carries it
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
		var argBuf [8][]byte
		scratch := make([]byte, 0, 4096)
		for b := range lexed {
			for i := range b.recs {
				if !b.isErr[i] {
					predecode(&b.recs[i], argBuf[:], scratch)
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
		for {
			var b *recBatch
			select {
			case b = <-free:
			case <-done:
				return
			}
			b.reset()
			for len(b.recs) < batchRecords && rd.Next() {
				switch res := rd.Result().(type) {
				case *Record:
					b.add(res, rd.source())
				case *SyntaxError:
					b.addErr(res)
				}
			}
			b.read = rd.Bytes
			last := len(b.recs) < batchRecords
			if last {
				b.err = rd.Err()
			}
			select {
			case lexed <- b:
			case <-done:
				return
			}
			if last {
				return
			}
		}
	})
	stop := func(err error) error {
		close(done)
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
		free <- b
	}
	wg.Wait()
	c.Stats.Unfinished += int64(rd.Unfinished())
	return c.Finish()
}
