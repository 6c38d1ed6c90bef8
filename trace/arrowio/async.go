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
	batch []trace.Event
	free  chan []trace.Event
	full  chan []trace.Event
	errc  chan error
}

// batchesAhead bounds the batches waiting for the writer goroutine.
const batchesAhead = 4

// NewAsyncWriter starts the goroutine that appends to w. Call Finish before
// closing w.
func NewAsyncWriter(w *Writer) *AsyncWriter {
	a := &AsyncWriter{w: w, free: make(chan []trace.Event, batchesAhead), full: make(chan []trace.Event, batchesAhead), errc: make(chan error, 1)}
	for i := 0; i < batchesAhead; i++ {
		a.free <- make([]trace.Event, 0, 1024)
	}
	a.batch = <-a.free
	// The label shows the writer's share in a CPU profile.
	go pprof.Do(context.Background(), pprof.Labels("stage", "writer"), func(context.Context) {
		var err error
		for b := range a.full {
			if err == nil {
				for i := range b {
					if err = w.Append(&b[i]); err != nil {
						break
					}
				}
			}
			// Not cleared: Append overwrites every slot it reuses, and
			// the strings a stale slot keeps alive are bounded by the
			// batches in flight.
			a.free <- b[:0]
		}
		a.errc <- err
	})
	return a
}

// Append queues a copy of ev. An error of the writer comes back from a
// later Append or from Finish.
func (a *AsyncWriter) Append(ev *trace.Event) error {
	a.batch = append(a.batch, *ev)
	if len(a.batch) == cap(a.batch) {
		a.full <- a.batch
		a.batch = <-a.free
		select {
		case err := <-a.errc:
			// The writer stopped early: it only does so on an error.
			a.errc <- err
			return err
		default:
		}
	}
	return nil
}

// Finish flushes the last batch and waits for the writer goroutine; it
// returns the writer's first error.
func (a *AsyncWriter) Finish() error {
	if len(a.batch) > 0 {
		a.full <- a.batch
		a.batch = nil
	}
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
