package arrowio

import (
	"context"
	"runtime/pprof"

	"github.com/forkcost/forkcost/trace"
)

// AsyncWriter appends events to a Writer on a goroutine of its own, in
// batches recycled through bounded channels, so that a converter can parse
// while the previous rows are encoded. Memory is bounded by the batches in
// flight.
type AsyncWriter struct {
	w     *Writer
	batch *asyncBatch
	free  chan *asyncBatch
	full  chan *asyncBatch
	errc  chan error
}

// asyncBatch is rows in the order they were appended: a short row
// (AppendShort: a memory or signal row) is queued as its six fields, 48
// bytes, and any other row as an index into evs, the copies of the whole
// Events (328 bytes): most rows of a log are short, and copying whole
// Events was a fifth of the writer's cost.
type asyncBatch struct {
	rows []queuedRow
	evs  []trace.Event
}

type queuedRow struct {
	t         int64
	pid, ppid int32
	kind      int32 // a short row's kind (Kind.Index), or -1: evs[ev]
	ev        int32
	sig       int32 // a short row's signal
	comm      string
}

// batchesAhead bounds the batches waiting for the writer goroutine, and
// asyncRows the rows of a batch.
const (
	batchesAhead = 4
	asyncRows    = 1024
)

// NewAsyncWriter starts the goroutine that appends to w. Call Finish before
// closing w.
func NewAsyncWriter(w *Writer) *AsyncWriter {
	a := &AsyncWriter{w: w, free: make(chan *asyncBatch, batchesAhead), full: make(chan *asyncBatch, batchesAhead), errc: make(chan error, 1)}
	for i := 0; i < batchesAhead; i++ {
		a.free <- &asyncBatch{rows: make([]queuedRow, 0, asyncRows)}
	}
	a.batch = <-a.free
	// The label shows the writer's share in a CPU profile.
	go pprof.Do(context.Background(), pprof.Labels("stage", "writer"), func(context.Context) {
		var err error
		for b := range a.full {
			if err == nil {
				err = a.write(b)
			}
			// Not cleared: every slot is overwritten when reused, and
			// the strings a stale slot keeps alive are bounded by the
			// batches in flight.
			b.rows, b.evs = b.rows[:0], b.evs[:0]
			a.free <- b
		}
		a.errc <- err
	})
	return a
}

func (a *AsyncWriter) write(b *asyncBatch) error {
	w := a.w
	if w.mu != nil {
		w.mu.Lock()
		defer w.mu.Unlock()
	}
	for i := range b.rows {
		r := &b.rows[i]
		var err error
		if r.kind < 0 {
			err = w.append(&b.evs[r.ev])
		} else {
			err = w.appendShort(r.t, r.pid, r.ppid, r.kind, r.comm, r.sig)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Append queues a copy of ev. An error of the writer comes back from a
// later Append or from Finish.
func (a *AsyncWriter) Append(ev *trace.Event) error {
	b := a.batch
	b.rows = append(b.rows, queuedRow{kind: -1, ev: int32(len(b.evs))})
	b.evs = append(b.evs, *ev)
	return a.queued()
}

// AppendShort queues a short row, as Writer.AppendShort does.
func (a *AsyncWriter) AppendShort(t int64, pid, ppid int32, kind trace.Kind, comm string, sig int32) error {
	k := int32(kind.Index())
	if k < 0 {
		// The writer reports it, in its turn.
		return a.Append(&trace.Event{TimeNs: t, PID: pid, PPID: ppid, Kind: kind, Comm: comm, Signal: sig})
	}
	b := a.batch
	b.rows = append(b.rows, queuedRow{t: t, pid: pid, ppid: ppid, kind: k, comm: comm, sig: sig})
	return a.queued()
}

// queued hands the batch over when it is full.
func (a *AsyncWriter) queued() error {
	if len(a.batch.rows) < asyncRows {
		return nil
	}
	a.full <- a.batch
	a.batch = <-a.free
	select {
	case err := <-a.errc:
		// The writer stopped early: it only does so on an error.
		a.errc <- err
		return err
	default:
	}
	return nil
}

// Finish flushes the last batch and waits for the writer goroutine; it
// returns the writer's first error.
func (a *AsyncWriter) Finish() error {
	if len(a.batch.rows) > 0 {
		a.full <- a.batch
	}
	a.batch = nil
	close(a.full)
	return <-a.errc
}

// End finishes the goroutine and then the file: renamed into place when
// err and the writer's own error are nil, discarded otherwise. It returns
// the first error. A nil AsyncWriter (nothing was ever written) returns err.
func (a *AsyncWriter) End(err error) error {
	if a == nil {
		return err
	}
	if ferr := a.Finish(); err == nil {
		err = ferr
	}
	if err != nil {
		a.w.Abort()
		return err
	}
	return a.w.Close()
}
