package arrowio

import (
	"context"
	"runtime/pprof"

	"github.com/forkcost/forkcost/trace"
)

// AsyncWriter writes events through a Writer, encoding and writing each
// batch on a goroutine of its own, so that a converter can go on while the
// previous rows are written. The rows are put into the batch's columns on
// the caller's goroutine, as the Writer would: queuing them for the
// Writer's goroutine to put instead (as their fields, or copies of whole
// Events) cost more than putting them. Memory is bounded by the batches in
// flight.
type AsyncWriter struct {
	w *Writer
	b *rowBatch // being filled, by the caller; nil: see full
	// handed is the rows handed over to the writer's goroutine (b's
	// first row is row handed of the file); batchRows is w.BatchRows.
	handed    int64
	batchRows int
	// whole: a batch was handed over, so the next ones are allocated
	// whole (rowBatch.grow).
	whole   bool
	made    int   // batches made
	err     error // the first row that could not be written
	batches []*rowBatch
	free    chan *rowBatch
	full    chan *rowBatch // nil: the rows go to w itself (FlushEvery)
	errc    chan error
	onBatch func(rows int64)
	// open creates w at the first row, for NewLazyAsyncWriter.
	open func() (*Writer, error)
}

// asyncBatches bounds the batches of an AsyncWriter: one being filled,
// one being written, and one between them.
const asyncBatches = 3

// NewAsyncWriter starts the goroutine that writes to w. Call Finish before
// closing w; set w.BatchRows before. The rows of a writer created with FlushEvery are appended to
// it as they come, so that its flushes see them.
func NewAsyncWriter(w *Writer) *AsyncWriter {
	a := &AsyncWriter{}
	a.start(w)
	return a
}

// NewLazyAsyncWriter returns an AsyncWriter that creates its Writer with
// open at the first row, or at Open, and then is NewAsyncWriter's. A
// converter can be given it before it knows what the file's metadata
// says, and call its methods directly: through a function that made the
// writer at the first row, every short row cost a call more.
func NewLazyAsyncWriter(open func() (*Writer, error)) *AsyncWriter {
	return &AsyncWriter{open: open}
}

// Open creates the Writer of a lazy AsyncWriter, if not yet done, and
// returns open's error (again, once open failed).
func (a *AsyncWriter) Open() error {
	if a.w != nil {
		return nil
	}
	if a.err != nil {
		return a.err
	}
	w, err := a.open()
	if err != nil {
		a.err = err
		return err
	}
	a.start(w)
	return nil
}

// start starts writing to w.
func (a *AsyncWriter) start(w *Writer) {
	a.w, a.batchRows, a.errc = w, w.BatchRows, make(chan error, 1)
	if w.mu != nil {
		return
	}
	a.free, a.full = make(chan *rowBatch, asyncBatches), make(chan *rowBatch, asyncBatches)
	// The writer's batch, with whatever rows it has, is the first.
	a.b, a.whole, a.made = w.b, w.flushed, 1
	// w.rows counts the rows written from now on (see below).
	w.rows -= int64(w.b.n)
	a.handed = w.rows
	a.batches = append(a.batches, a.b)
	w.b = w.newBatch()
	// The label shows the writer's share in a CPU profile.
	go pprof.Do(context.Background(), pprof.Labels("stage", "writer"), func(context.Context) {
		var err error
		for b := range a.full {
			if err == nil {
				w.rows += int64(b.n)
				err = w.write(b)
			}
			b.n = 0
			a.free <- b
		}
		a.errc <- err
	})
}

// Append appends ev, as Writer.Append does. An error of the writer's
// goroutine comes back from a later Append or from Finish.
func (a *AsyncWriter) Append(ev *trace.Event) error {
	if a.full == nil {
		if a.w == nil {
			if err := a.Open(); err != nil {
				return err
			}
			return a.Append(ev)
		}
		return a.w.Append(ev)
	}
	if a.err != nil {
		return a.err
	}
	b := a.b
	k, src, err := a.w.check(ev, a.handed+int64(b.n))
	if err != nil {
		a.err = err
		return err
	}
	if b.n == b.time.cap {
		b.grow(a.batchRows, a.whole)
	}
	b.put(ev, k, src)
	if b.n >= a.batchRows {
		return a.handOver()
	}
	return nil
}

// AppendShort appends a short row: the Event {TimeNs: t, PID: pid, PPID:
// ppid, Kind: kind, Comm: comm, Signal: sig} with every other field zero.
// Most rows of a converted log are short: memory rows (sig 0) and, in a
// Go program's, signal rows. It writes the same row as Append, at a
// fraction of the cost: it sets only the columns the row sets, the
// others' nulls being zero bits already, in one function (a call for each
// column, or for the row, was a fifth of its cost).
func (a *AsyncWriter) AppendShort(t int64, pid, ppid int32, kind trace.Kind, comm string, sig int32) error {
	k := kind.Index()
	if k < 0 {
		return a.appendShortSlow(t, pid, ppid, kind, comm, sig)
	}
	return a.AppendShortKind(t, pid, ppid, int32(k), comm, sig)
}

// AppendShortKind is AppendShort with the kind given by its index in
// trace.Kinds (trace.Kind.Index): a converter that knows it spares every
// row Index's string switch (7 to 10 instructions a row).
func (a *AsyncWriter) AppendShortKind(t int64, pid, ppid, k int32, comm string, sig int32) error {
	b := a.b
	if uint32(k) >= uint32(len(trace.Kinds)) || b == nil || a.err != nil || b.n == b.time.cap {
		kind := trace.Kind("")
		if uint32(k) < uint32(len(trace.Kinds)) {
			kind = trace.Kinds[k]
		}
		return a.appendShortSlow(t, pid, ppid, kind, comm, sig)
	}
	i := b.n
	b.time.setI64(i, t)
	b.pid.setI32(i, pid)
	b.kind.setI32(i, k)
	if ppid != 0 {
		b.ppid.putI32(i, ppid)
	}
	if sig != 0 {
		b.sig.putI32(i, sig)
	}
	// comm, as stringCol.put puts it when it fits (every row puts comm:
	// no row before was skipped).
	c := &b.comm
	if u := c.used; comm == "" || u+len(comm) > len(c.data) {
		c.put(b.mem, i, comm)
	} else {
		copy(c.data[u:], comm)
		c.used = u + len(comm)
		c.valid[i>>3] |= 1 << (i & 7)
		c.offs[i+1] = int32(c.used)
		c.next = i + 1
	}
	b.n = i + 1
	if i+1 >= a.batchRows {
		return a.handOver()
	}
	return nil
}

// appendShortSlow is AppendShort for the rows that make it grow the
// batch, or that it does not put itself.
func (a *AsyncWriter) appendShortSlow(t int64, pid, ppid int32, kind trace.Kind, comm string, sig int32) error {
	if a.full == nil {
		if a.w == nil {
			if err := a.Open(); err != nil {
				return err
			}
			return a.AppendShort(t, pid, ppid, kind, comm, sig)
		}
		return a.w.AppendShort(t, pid, ppid, kind, comm, sig)
	}
	k := kind.Index()
	if k < 0 || a.err != nil {
		return a.Append(&trace.Event{TimeNs: t, PID: pid, PPID: ppid, Kind: kind, Comm: comm, Signal: sig})
	}
	a.b.grow(a.batchRows, a.whole)
	return a.AppendShortKind(t, pid, ppid, int32(k), comm, sig)
}

// OnBatch makes the AsyncWriter call f, on the goroutine that appends,
// every time it hands a batch to the writer's goroutine, with the rows
// handed over so far (for progress reports; not called for a writer
// created with FlushEvery).
func (a *AsyncWriter) OnBatch(f func(rows int64)) { a.onBatch = f }

// handOver passes the batch being filled to the writer's goroutine and
// takes an empty one.
func (a *AsyncWriter) handOver() error {
	a.handed += int64(a.b.n)
	a.full <- a.b
	if a.onBatch != nil {
		a.onBatch(a.handed)
	}
	a.whole = true
	select {
	case a.b = <-a.free:
	default:
		if a.made < asyncBatches {
			a.b = a.w.newBatch()
			a.batches = append(a.batches, a.b)
			a.made++
		} else {
			a.b = <-a.free
		}
	}
	select {
	case err := <-a.errc:
		// The writer stopped early: it only does so on an error.
		a.errc <- err
		return err
	default:
	}
	return nil
}

// Finish writes the last batch and waits for the writer goroutine; it
// returns the first error.
func (a *AsyncWriter) Finish() error {
	if a.full == nil {
		return nil
	}
	if a.b.n > 0 && a.err == nil {
		a.full <- a.b
	}
	a.b = nil
	close(a.full)
	err := <-a.errc
	for _, b := range a.batches {
		b.release(a.w.mem)
	}
	if err == nil {
		err = a.err
	}
	return err
}

// End finishes the goroutine and then the file: renamed into place when
// err and the writer's own error are nil, discarded otherwise. It returns
// the first error. A nil AsyncWriter (nothing was ever written), or a
// lazy one that never created its Writer, returns err, or open's error.
func (a *AsyncWriter) End(err error) error {
	if a == nil {
		return err
	}
	if a.w == nil {
		if err == nil {
			err = a.err
		}
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
