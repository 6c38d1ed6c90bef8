package arrowio

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/trace"
)

// DefaultBatchRows is the number of rows per record batch that writers emit.
const DefaultBatchRows = 64 << 10

// Writer writes trace events to an Arrow IPC or Parquet file in batches.
type Writer struct {
	tw     *TableWriter
	mem    memory.Allocator
	zeroed bool // mem returns zeroed memory
	// reuse: the columns keep their buffers from batch to batch (see
	// fixedCol.array): the format's writer is done with a batch's
	// buffers once it is written (Arrow IPC).
	reuse     bool
	schema    *arrow.Schema
	cols      []arrow.Array // the batch's arrays, by field, at flush
	n         int           // rows in the batch
	flushed   bool
	rows      int64
	BatchRows int

	// Fixed-width columns by field index (nil for the others), and by
	// name.
	fixed                                          []*fixedCol
	time, childExec, minflt, majflt                *fixedCol
	createNs, blockedNs, postFaults, execNs        *fixedCol
	pid, ppid, child, exitStatus, sig, thr, pgsize *fixedCol
	flags                                          *fixedCol
	kind, source                                   *fixedCol // dictionary indices
	core, gone                                     *fixedCol
	sizes                                          [8]*fixedCol

	// zeros stands for the buffers of the columns null on every row of a
	// batch (fixedCol.array); read only.
	zeros []byte

	comm, path stringCol
	argv       listCol
	sourceMemo map[trace.SnapshotSource]int32

	// With FlushEvery: mu serialises Append, Close and Abort with the
	// goroutine that flushes; stopFlush ends it.
	mu        *sync.Mutex
	stopFlush func()
}

// Create starts writing a trace to path; the extension picks the format.
// Nothing appears at path until Close succeeds.
func Create(path string, meta trace.Meta, mem memory.Allocator, opts ...CreateOption) (*Writer, error) {
	schema := Schema(meta)
	tw, err := CreateTable(path, schema, mem, opts...)
	if err != nil {
		return nil, err
	}
	var o createOptions
	for _, opt := range opts {
		opt(&o)
	}
	zeroed, reuse := false, false
	if mem == nil {
		mem, zeroed = memory.DefaultAllocator, true
		// The IPC writer is done with a batch's buffers when Write
		// returns, so they can be recycled (see bufferPool). Other
		// formats' writers may keep references into them (Parquet's
		// byte arrays wait for their page), so they get fresh ones.
		if f, err := formatForPath(path); err == nil && f.Name == "arrow" {
			mem, reuse = &bufferPool{}, true
		}
	}
	w := &Writer{tw: tw, mem: mem, zeroed: zeroed, reuse: reuse, schema: schema, BatchRows: DefaultBatchRows,
		fixed: make([]*fixedCol, len(schema.Fields())), cols: make([]arrow.Array, len(schema.Fields()))}
	field := func(name string) int { return schema.FieldIndices(name)[0] }
	fixed := func(name string) *fixedCol {
		i := field(name)
		typ := schema.Field(i).Type
		if d, ok := typ.(*arrow.DictionaryType); ok {
			typ = d.IndexType
		}
		w.fixed[i] = newFixedCol(typ)
		return w.fixed[i]
	}
	w.time = fixed(trace.ColTimeNs)
	w.pid = fixed(trace.ColPID)
	w.ppid = fixed(trace.ColPPID)
	w.kind = fixed(trace.ColKind)
	w.time.always, w.pid.always, w.kind.always = true, true, true
	w.child = fixed(trace.ColChildPID)
	w.flags = fixed(trace.ColCloneFlags)
	w.exitStatus = fixed(trace.ColExitStatus)
	w.sig = fixed(trace.ColSignal)
	w.core = fixed(trace.ColCoreDumped)
	for i, name := range trace.SizeCols {
		w.sizes[i] = fixed(name)
	}
	w.thr = fixed(trace.ColParentThreads)
	w.pgsize = fixed(trace.ColPageSize)
	w.source = fixed(trace.ColSnapshotSource)
	w.childExec = fixed(trace.ColChildExecNs)
	w.minflt = fixed(trace.ColMinFaults)
	w.majflt = fixed(trace.ColMajFaults)
	w.gone = fixed(trace.ColProcGone)
	w.createNs = fixed(trace.ColCreateNs)
	w.blockedNs = fixed(trace.ColParentBlockedNs)
	w.postFaults = fixed(trace.ColPostCreateFaults)
	w.execNs = fixed(trace.ColExecNs)
	w.argv.typ = schema.Field(field(trace.ColArgv)).Type
	w.sourceMemo = map[trace.SnapshotSource]int32{}
	for i, v := range dictValues[trace.ColSnapshotSource] {
		w.sourceMemo[trace.SnapshotSource(v)] = int32(i)
	}
	if o.flushEvery > 0 {
		w.startFlushing(o.flushEvery)
	}
	return w, nil
}

func (w *Writer) startFlushing(every time.Duration) {
	w.mu = &sync.Mutex{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				w.mu.Lock()
				// An error here (a full disk) is met again, and
				// returned, by the next Append or Close.
				if w.flush() == nil {
					w.tw.Flush()
				}
				w.mu.Unlock()
			}
		}
	}()
	w.stopFlush = func() { close(done); wg.Wait() }
}

// stopFlushing ends the flushing goroutine, if any.
func (w *Writer) stopFlushing() {
	if w.stopFlush != nil {
		w.stopFlush()
		w.stopFlush = nil
	}
}

// grow makes room for more rows in every column. The first batch grows by
// doubling, so that a small trace stays small; later batches are
// allocated whole, which also saves the copies of growing.
func (w *Writer) grow() {
	rows := max(2*w.n, 256)
	if w.flushed || rows > w.BatchRows {
		rows = max(w.BatchRows, w.n+1)
	}
	for _, c := range w.fixed {
		if c != nil {
			c.grow(w.mem, w.zeroed, w.n, rows)
		}
	}
	w.comm.grow(w.mem, w.zeroed, w.n, rows, bitmapBytes(rows))
	w.path.grow(w.mem, w.zeroed, w.n, rows, bitmapBytes(rows))
	w.argv.grow(w.mem, w.zeroed, w.n, rows)
}

// Append adds one event. The event is copied; the caller may reuse it.
func (w *Writer) Append(ev *trace.Event) error {
	if w.mu != nil {
		w.mu.Lock()
		defer w.mu.Unlock()
	}
	return w.append(ev)
}

func (w *Writer) append(ev *trace.Event) error {
	k := int32(ev.Kind.Index())
	if k < 0 {
		_, err := trace.ParseKind(string(ev.Kind))
		return fmt.Errorf("writing %s: event %d: %w", w.tw.Path(), w.rows, err)
	}
	src := int32(-1)
	if ev.HasSnapshot && ev.Snapshot.Source != "" {
		// Checked before anything is appended, so that a bad row
		// leaves the columns aligned.
		var ok bool
		if src, ok = w.sourceMemo[ev.Snapshot.Source]; !ok {
			return fmt.Errorf("writing %s: event %d: %s: %q is not one of %v",
				w.tw.Path(), w.rows, trace.ColSnapshotSource, ev.Snapshot.Source, dictValues[trace.ColSnapshotSource])
		}
	}
	i := w.n
	if i == w.time.cap {
		w.grow()
	}
	w.time.putI64(i, ev.TimeNs)
	w.pid.putI32(i, ev.PID)
	w.ppid.putI32Opt(i, ev.PPID, ev.PPID != 0)
	w.kind.putI32(i, k)
	w.child.putI32Opt(i, ev.ChildPID, ev.ChildPID != 0)
	if ev.HasCloneFlags {
		w.flags.putU64(i, ev.CloneFlags)
	}
	w.comm.put(w.mem, i, ev.Comm)
	if ev.ExecPath != "" {
		w.path.put(w.mem, i, ev.ExecPath)
	}
	if ev.Argv != nil {
		w.argv.put(w.mem, i, ev.Argv)
	}
	w.exitStatus.putI32Opt(i, ev.ExitStatus, ev.HasExitStatus)
	w.sig.putI32Opt(i, ev.Signal, ev.Signal != 0)
	if ev.Kind == trace.Exit && ev.Signal != 0 {
		w.core.putBool(i, ev.CoreDumped)
	}
	if ev.HasSnapshot {
		for j, v := range ev.Snapshot.Sizes() {
			w.sizes[j].putI64(i, v)
		}
		w.thr.putI32(i, ev.Snapshot.ParentThreads)
		w.pgsize.putI32(i, ev.Snapshot.PageSize)
		w.source.putI32Opt(i, src, src >= 0)
	}
	w.childExec.putI64Opt(i, ev.ChildExecNs, ev.HasChildExec)
	w.minflt.putI64Opt(i, ev.MinFaults, ev.HasFaults)
	w.majflt.putI64Opt(i, ev.MajFaults, ev.HasFaults)
	if ev.ProcGone {
		w.gone.putBool(i, true)
	}
	w.createNs.putI64Opt(i, ev.CreateNs, ev.HasCreateNs)
	w.blockedNs.putI64Opt(i, ev.ParentBlockedNs, ev.HasParentBlockedNs)
	w.postFaults.putI64Opt(i, ev.PostCreateFaults, ev.HasPostCreateFaults)
	w.execNs.putI64Opt(i, ev.ExecNs, ev.HasExecNs)
	w.n++
	w.rows++
	if w.n >= w.BatchRows {
		return w.flush()
	}
	return nil
}

// AppendShort adds a short row: the Event {TimeNs: t, PID: pid, PPID:
// ppid, Kind: kind, Comm: comm, Signal: sig} with every other field zero.
// Most rows of a converted log are short: memory rows (sig 0) and, in a
// Go program's, signal rows. It writes the same row as Append, at a
// fraction of the cost: it touches only the columns the row sets, the
// others' nulls being zero bits already.
func (w *Writer) AppendShort(t int64, pid, ppid int32, kind trace.Kind, comm string, sig int32) error {
	if w.mu != nil {
		w.mu.Lock()
		defer w.mu.Unlock()
	}
	k := int32(kind.Index())
	if k < 0 {
		return w.append(&trace.Event{TimeNs: t, PID: pid, PPID: ppid, Kind: kind, Comm: comm, Signal: sig})
	}
	return w.appendShort(t, pid, ppid, k, comm, sig)
}

// appendShort is AppendShort for a known kind index k.
func (w *Writer) appendShort(t int64, pid, ppid, k int32, comm string, sig int32) error {
	i := w.n
	if i == w.time.cap {
		w.grow()
	}
	w.time.putI64(i, t)
	w.pid.putI32(i, pid)
	w.ppid.putI32Opt(i, ppid, ppid != 0)
	w.kind.putI32(i, k)
	w.comm.put(w.mem, i, comm)
	w.sig.putI32Opt(i, sig, sig != 0)
	w.n++
	w.rows++
	if w.n >= w.BatchRows {
		return w.flush()
	}
	return nil
}

func (w *Writer) flush() error {
	if w.n == 0 {
		return nil
	}
	// Buffers are kept once the batches have their full size, which is
	// what grow would give them.
	keep := w.reuse && w.time.cap == w.BatchRows
	for i, f := range w.schema.Fields() {
		switch c := w.fixed[i]; {
		case c == nil:
		case f.Name == trace.ColKind || f.Name == trace.ColSnapshotSource:
			w.cols[i] = dictArray(w.mem, f.Type, c.array(w.mem, w.n, &w.zeros, keep), dictValues[f.Name])
		default:
			w.cols[i] = c.array(w.mem, w.n, &w.zeros, keep)
		}
	}
	w.cols[w.schema.FieldIndices(trace.ColComm)[0]] = w.comm.array(w.mem, w.n, keep)
	w.cols[w.schema.FieldIndices(trace.ColExecPath)[0]] = w.path.array(w.mem, w.n, keep)
	w.cols[w.schema.FieldIndices(trace.ColArgv)[0]] = w.argv.array(w.mem, w.n, keep)
	rec := array.NewRecordBatch(w.schema, w.cols, int64(w.n))
	for i, c := range w.cols {
		c.Release()
		w.cols[i] = nil
	}
	w.n, w.flushed = 0, true
	err := w.tw.Write(rec)
	rec.Release()
	if keep {
		for _, c := range w.fixed {
			if c != nil {
				c.clean()
			}
		}
		w.comm.clean()
		w.path.clean()
		w.argv.clean()
	}
	return err
}

// dictArray makes a dictionary array of indices over the fixed values.
// Every batch carries the same dictionary, because the Arrow IPC file
// format allows one dictionary per field for the whole file (arrow-go
// writes no deltas there).
func dictArray(mem memory.Allocator, typ arrow.DataType, indices arrow.Array, vals []string) arrow.Array {
	defer indices.Release()
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues(vals, nil)
	values := sb.NewArray()
	defer values.Release()
	return array.NewDictionaryArray(typ, indices, values)
}

func (w *Writer) release() {
	for _, c := range w.fixed {
		if c != nil {
			c.release(w.mem)
		}
	}
	w.comm.release(w.mem)
	w.path.release(w.mem)
	w.argv.release(w.mem)
}

// Rows returns the number of events appended so far.
func (w *Writer) Rows() int64 { return w.rows }

// Path returns the destination path.
func (w *Writer) Path() string { return w.tw.Path() }

// Close writes the remaining events and renames the file into place.
func (w *Writer) Close() error {
	w.stopFlushing()
	defer w.release()
	if err := w.flush(); err != nil {
		w.tw.Abort()
		return err
	}
	return w.tw.Close()
}

// Abort discards everything written.
func (w *Writer) Abort() {
	w.stopFlushing()
	w.release()
	w.tw.Abort()
}

// Reader streams the events of a trace file. It owns the Event it returns
// and the strings in it: they stay valid until the next call to Next.
//
// Every row is checked against the schema's invariants (Event.Check); a
// row that breaks them stops the reader with an *InvalidRowError naming
// the file, batch and row, unless SetLenient was called, in which case
// such rows are skipped, counted and reported once the reader is done.
type Reader struct {
	name    string
	br      BatchReader
	meta    trace.Meta
	rec     arrow.RecordBatch
	i, n    int
	batch   int // index of rec, from 0
	row     int64
	ev      trace.Event
	err     error
	cols    readCols
	lenient func(skipped int64, first *trace.InvalidRowError) // nil: strict
	hint    string                                            // for InvalidRowError
	skipped int64
	first   *trace.InvalidRowError
	done    bool // the skipped rows have been reported
}

// Open opens a trace file (Arrow IPC or Parquet, recognised by content).
func Open(path string, mem memory.Allocator) (*Reader, error) {
	br, err := OpenTable(path, mem)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(path, br)
	if err != nil {
		br.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads events from br; name is used in errors.
func NewReader(name string, br BatchReader) (*Reader, error) {
	meta, err := MetaFromSchema(br.Schema())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if u, ok := br.(interface{ unfinished() string }); ok {
		if meta.Incomplete != "" {
			meta.Incomplete += "; "
		}
		meta.Incomplete += u.unfinished()
	}
	r := &Reader{name: name, br: br, meta: meta, batch: -1}
	if err := r.cols.check(br.Schema()); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

// Meta returns the trace's metadata.
func (r *Reader) Meta() trace.Meta { return r.meta }

// Name returns the name the reader was opened with.
func (r *Reader) Name() string { return r.name }

// Row returns the index of the current event in the file, from 0.
func (r *Reader) Row() int64 { return r.row - 1 }

// Err returns the first error met by Next.
func (r *Reader) Err() error { return r.err }

// Close releases the file.
func (r *Reader) Close() error {
	r.reportSkipped()
	return r.br.Close()
}

// Event returns the current event.
func (r *Reader) Event() *trace.Event { return &r.ev }

// SetLenient makes the reader skip the rows that break the schema's
// invariants instead of stopping at the first; report, when not nil, is
// told their number and the first of them once the reader reaches the end
// or is closed, if there were any. SetLenient(nil) restores the default.
// (A non-nil report is what makes the reader lenient: pass a function that
// does nothing to skip silently.)
func (r *Reader) SetLenient(report func(skipped int64, first *trace.InvalidRowError)) {
	r.lenient = report
}

// SetHint sets a text that the errors about rows breaking the schema's
// invariants end with (what the program offers to read such a file).
func (r *Reader) SetHint(hint string) { r.hint = hint }

// Skipped returns the number of rows skipped so far for breaking the
// schema's invariants, and the first of them (nil if none).
func (r *Reader) Skipped() (int64, *trace.InvalidRowError) { return r.skipped, r.first }

func (r *Reader) reportSkipped() {
	if r.done || r.skipped == 0 || r.lenient == nil {
		return
	}
	r.done = true
	r.lenient(r.skipped, r.first)
}

// Next advances to the next event.
func (r *Reader) Next() bool {
	for {
		if r.err != nil {
			r.reportSkipped()
			return false
		}
		for r.i >= r.n {
			if !r.br.Next() {
				if err := r.br.Err(); err != nil {
					r.err = fmt.Errorf("%s: %w", r.name, err)
				}
				r.reportSkipped()
				return false
			}
			r.rec = r.br.RecordBatch()
			r.i, r.n = 0, int(r.rec.NumRows())
			r.batch++
			if err := safely(func() error { return r.cols.bind(r.rec) }); err != nil {
				r.err = fmt.Errorf("%s: batch %d: %w", r.name, r.batch, err)
				return false
			}
		}
		var problem string
		if err := safely(func() error { return r.cols.decode(r.i, &r.ev) }); err != nil {
			if errors.Is(err, ErrCorrupt) {
				// The batch's buffers disagree with each other (an
				// offset beyond its data): not a row to skip.
				r.err = fmt.Errorf("%s: %w", r.at(), err)
				return false
			}
			problem = err.Error()
		} else {
			problem = r.ev.Check()
		}
		if problem == "" {
			r.i++
			r.row++
			return true
		}
		bad := &trace.InvalidRowError{File: r.name, Batch: r.batch, BatchRow: r.i, Row: r.row, Problem: problem, Hint: r.hint}
		if r.lenient == nil {
			r.err = bad
			return false
		}
		if r.first == nil {
			r.first = bad
		}
		r.skipped++
		r.i++
		r.row++
	}
}

// at names the current row for errors.
func (r *Reader) at() string {
	return fmt.Sprintf("%s: batch %d, row %d (row %d of the file)", r.name, r.batch, r.i, r.row)
}
