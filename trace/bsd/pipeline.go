package bsd

import "sync"

// RunPipelined is Run with the source read on a goroutine of its own: the
// reader lexes lines into batches of records (copied into the batch's own
// memory) while the converter works on the previous batch. Batches are
// recycled through bounded channels, so memory stays bounded.
func RunPipelined(src Source, c *Converter, onErr func(*SyntaxError) error) error {
	const batchRecords, ahead = 2048, 4
	type batch struct {
		recs  []Record
		errs  []SyntaxError
		isErr []bool
		arena []byte
		err   error
	}
	keep := func(b *batch, p []byte) []byte {
		if p == nil {
			return nil
		}
		s := len(b.arena)
		b.arena = append(b.arena, p...)
		return b.arena[s:len(b.arena):len(b.arena)]
	}
	free := make(chan *batch, ahead)
	full := make(chan *batch, ahead)
	done := make(chan struct{})
	for i := 0; i < ahead; i++ {
		free <- &batch{arena: make([]byte, 0, 256<<10)}
	}
	form := src.TimeForm() // decided before the goroutine starts
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(full)
		for {
			var b *batch
			select {
			case b = <-free:
			case <-done:
				return
			}
			b.recs, b.errs, b.isErr, b.err = b.recs[:0], b.errs[:0], b.isErr[:0], nil
			b.arena = b.arena[:0] // the consumer is done with this batch
			for len(b.recs) < batchRecords && src.Next() {
				if r := src.Record(); r != nil {
					need := len(r.Comm) + len(r.Name) + len(r.Args) + len(r.Text) + len(r.SigName) + len(r.Info)
					if len(b.arena)+need > cap(b.arena) {
						// A new arena for the rest of the batch: the full
						// one stays with the records that point into it.
						b.arena = make([]byte, 0, max(cap(b.arena), need))
					}
					cp := *r
					cp.Comm, cp.Name, cp.Args = keep(b, r.Comm), keep(b, r.Name), keep(b, r.Args)
					cp.Text, cp.SigName, cp.Info = keep(b, r.Text), keep(b, r.SigName), keep(b, r.Info)
					b.recs = append(b.recs, cp)
					b.isErr = append(b.isErr, false)
				} else {
					b.recs = append(b.recs, Record{})
					b.errs = append(b.errs, *src.SyntaxError())
					b.isErr = append(b.isErr, true)
				}
			}
			last := len(b.recs) < batchRecords
			if last {
				b.err = src.Err()
			}
			select {
			case full <- b:
			case <-done:
				return
			}
			if last {
				return
			}
		}
	}()
	stop := func(err error) error {
		close(done)
		for range full {
		}
		wg.Wait()
		return err
	}
	c.SetTimeForm(form)
	for b := range full {
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
			rec := &b.recs[i]
			if rec.Type == Other && rec.Unknown && onErr != nil {
				if err := onErr(unknownType(rec)); err != nil {
					return stop(err)
				}
			}
			if err := c.Add(rec); err != nil {
				return stop(err)
			}
		}
		if b.err != nil {
			return stop(b.err)
		}
		free <- b
	}
	wg.Wait()
	return c.Finish()
}
