package bsd

import "github.com/forkcost/forkcost/trace"

// asyncWriter appends events to a trace.Writer on a goroutine of its own,
// in batches recycled through bounded channels.
type asyncWriter struct {
	batch []trace.Event
	free  chan []trace.Event
	full  chan []trace.Event
	errc  chan error
}

func newAsyncWriter(w *trace.Writer) *asyncWriter {
	const ahead = 4
	a := &asyncWriter{free: make(chan []trace.Event, ahead), full: make(chan []trace.Event, ahead), errc: make(chan error, 1)}
	for i := 0; i < ahead; i++ {
		a.free <- make([]trace.Event, 0, 4096)
	}
	a.batch = <-a.free
	go func() {
		var err error
		for b := range a.full {
			if err == nil {
				for i := range b {
					if err = w.Append(&b[i]); err != nil {
						break
					}
				}
			}
			clear(b)
			a.free <- b[:0]
		}
		a.errc <- err
	}()
	return a
}

// Append queues a copy of ev. An error of the writer comes back from a
// later Append or from finish.
func (a *asyncWriter) Append(ev *trace.Event) error {
	a.batch = append(a.batch, *ev)
	if len(a.batch) == cap(a.batch) {
		a.full <- a.batch
		a.batch = <-a.free
		select {
		case err := <-a.errc:
			a.errc <- err
			return err
		default:
		}
	}
	return nil
}

// finish flushes and waits for the writer goroutine.
func (a *asyncWriter) finish() error {
	if len(a.batch) > 0 {
		a.full <- a.batch
		a.batch = nil
	}
	close(a.full)
	return <-a.errc
}
