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
	b         *rowBatch     // the batch Append builds
	flushed   bool
	rows      int64
	BatchRows int

	// zeros stands for the buffers of the columns null on every row of a
	// batch (fixedCol.array); read only.
	zeros []byte

	// Field indices of the columns that are not fixed-width, and of the
	// dictionary columns.
	commField, pathField, argvField, kindField, sourceField int
	sourceMemo                                              map[trace.SnapshotSource]int32

	// With FlushEvery: mu serialises Append, Close and Abort with the
	// goroutine that flushes; stopFlush ends it.
	mu        *sync.Mutex
	stopFlush func()
}

// rowBatch is the columns of a record batch being built, by a Writer's
// Append or, on its caller's goroutine, by an AsyncWriter, whose own
// goroutine encodes and writes the batches before it (Writer.write).
type rowBatch struct {
	n      int // rows
	mem    memory.Allocator
	zeroed bool // mem returns zeroed memory

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

	comm, path stringCol
	argv       listCol
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
	field := func(name string) int { return schema.FieldIndices(name)[0] }
	w := &Writer{tw: tw, mem: mem, zeroed: zeroed, reuse: reuse, schema: schema, BatchRows: DefaultBatchRows,
		cols:      make([]arrow.Array, len(schema.Fields())),
		commField: field(trace.ColComm), pathField: field(trace.ColExecPath), argvField: field(trace.ColArgv),
		kindField: field(trace.ColKind), sourceField: field(trace.ColSnapshotSource)}
	w.b = w.newBatch()
	w.sourceMemo = map[trace.SnapshotSource]int32{}
	for i, v := range dictValues[trace.ColSnapshotSource] {
		w.sourceMemo[trace.SnapshotSource(v)] = int32(i)
	}
	if o.flushEvery > 0 {
		w.startFlushing(o.flushEvery)
	}
	return w, nil
}

// newBatch makes the (empty) columns of a batch of w's schema.
func (w *Writer) newBatch() *rowBatch {
	schema := w.schema
	b := &rowBatch{mem: w.mem, zeroed: w.zeroed, fixed: make([]*fixedCol, len(schema.Fields()))}
	fixed := func(name string) *fixedCol {
		i := schema.FieldIndices(name)[0]
		typ := schema.Field(i).Type
		if d, ok := typ.(*arrow.DictionaryType); ok {
			typ = d.IndexType
		}
		b.fixed[i] = newFixedCol(typ)
		return b.fixed[i]
	}
	b.time = fixed(trace.ColTimeNs)
	b.pid = fixed(trace.ColPID)
	b.ppid = fixed(trace.ColPPID)
	b.kind = fixed(trace.ColKind)
	b.time.always, b.pid.always, b.kind.always = true, true, true
	b.child = fixed(trace.ColChildPID)
	b.flags = fixed(trace.ColCloneFlags)
	b.exitStatus = fixed(trace.ColExitStatus)
	b.sig = fixed(trace.ColSignal)
	b.core = fixed(trace.ColCoreDumped)
	for i, name := range trace.SizeCols {
		b.sizes[i] = fixed(name)
	}
	b.thr = fixed(trace.ColParentThreads)
	b.pgsize = fixed(trace.ColPageSize)
	b.source = fixed(trace.ColSnapshotSource)
	b.childExec = fixed(trace.ColChildExecNs)
	b.minflt = fixed(trace.ColMinFaults)
	b.majflt = fixed(trace.ColMajFaults)
	b.gone = fixed(trace.ColProcGone)
	b.createNs = fixed(trace.ColCreateNs)
	b.blockedNs = fixed(trace.ColParentBlockedNs)
	b.postFaults = fixed(trace.ColPostCreateFaults)
	b.execNs = fixed(trace.ColExecNs)
	b.argv.typ = schema.Field(w.argvField).Type
	return b
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
// doubling, so that a small trace stays small; later batches (whole: a
// batch was made before) are allocated whole, which also saves the copies
// of growing.
func (b *rowBatch) grow(batchRows int, whole bool) {
	mem, zeroed := b.mem, b.zeroed
	rows := max(2*b.n, 256)
	if whole || rows > batchRows {
		rows = max(batchRows, b.n+1)
	}
	for _, c := range b.fixed {
		if c != nil {
			c.grow(mem, zeroed, b.n, rows)
		}
	}
	b.comm.grow(mem, zeroed, b.n, rows, bitmapBytes(rows))
	b.path.grow(mem, zeroed, b.n, rows, bitmapBytes(rows))
	b.argv.grow(mem, zeroed, b.n, rows)
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
	k, src, err := w.check(ev, w.rows)
	if err != nil {
		return err
	}
	b := w.b
	if b.n == b.time.cap {
		b.grow(w.BatchRows, w.flushed)
	}
	b.put(ev, k, src)
	w.rows++
	if b.n >= w.BatchRows {
		return w.flush()
	}
	return nil
}

// check returns the kind index of ev, row row of the file, and the index
// of its snapshot source (-1: none), or the error that ev cannot be
// written. It only reads w.
func (w *Writer) check(ev *trace.Event, row int64) (k, src int32, err error) {
	k = int32(ev.Kind.Index())
	if k < 0 {
		_, err := trace.ParseKind(string(ev.Kind))
		return 0, 0, fmt.Errorf("writing %s: event %d: %w", w.tw.Path(), row, err)
	}
	src = -1
	if ev.HasSnapshot && ev.Snapshot.Source != "" {
		// Checked before anything is appended, so that a bad row
		// leaves the columns aligned.
		var ok bool
		if src, ok = w.sourceMemo[ev.Snapshot.Source]; !ok {
			return 0, 0, fmt.Errorf("writing %s: event %d: %s: %q is not one of %v",
				w.tw.Path(), row, trace.ColSnapshotSource, ev.Snapshot.Source, dictValues[trace.ColSnapshotSource])
		}
	}
	return k, src, nil
}

// put appends ev, whose kind index is k and snapshot source's src (-1:
// none), to a batch with room for it.
func (b *rowBatch) put(ev *trace.Event, k, src int32) {
	i, mem := b.n, b.mem
	b.time.setI64(i, ev.TimeNs)
	b.pid.setI32(i, ev.PID)
	b.ppid.putI32Opt(i, ev.PPID, ev.PPID != 0)
	b.kind.setI32(i, k)
	b.child.putI32Opt(i, ev.ChildPID, ev.ChildPID != 0)
	if ev.HasCloneFlags {
		b.flags.putU64(i, ev.CloneFlags)
	}
	b.comm.put(mem, i, ev.Comm)
	if ev.ExecPath != "" {
		b.path.put(mem, i, ev.ExecPath)
	}
	if ev.Argv != nil {
		b.argv.put(mem, i, ev.Argv)
	}
	b.exitStatus.putI32Opt(i, ev.ExitStatus, ev.HasExitStatus)
	b.sig.putI32Opt(i, ev.Signal, ev.Signal != 0)
	if ev.Kind == trace.Exit && ev.Signal != 0 {
		b.core.putBool(i, ev.CoreDumped)
	}
	if ev.HasSnapshot {
		for j, v := range ev.Snapshot.Sizes() {
			b.sizes[j].putI64(i, v)
		}
		b.thr.putI32(i, ev.Snapshot.ParentThreads)
		b.pgsize.putI32(i, ev.Snapshot.PageSize)
		b.source.putI32Opt(i, src, src >= 0)
	}
	b.childExec.putI64Opt(i, ev.ChildExecNs, ev.HasChildExec)
	b.minflt.putI64Opt(i, ev.MinFaults, ev.HasFaults)
	b.majflt.putI64Opt(i, ev.MajFaults, ev.HasFaults)
	if ev.ProcGone {
		b.gone.putBool(i, true)
	}
	b.createNs.putI64Opt(i, ev.CreateNs, ev.HasCreateNs)
	b.blockedNs.putI64Opt(i, ev.ParentBlockedNs, ev.HasParentBlockedNs)
	b.postFaults.putI64Opt(i, ev.PostCreateFaults, ev.HasPostCreateFaults)
	b.execNs.putI64Opt(i, ev.ExecNs, ev.HasExecNs)
	b.n++
}

// AppendShort adds a short row: the Event {TimeNs: t, PID: pid, PPID:
// ppid, Kind: kind, Comm: comm, Signal: sig} with every other field zero,
// as Append does. AsyncWriter.AppendShort is the fast way to write such
// rows (most rows of a converted log are short).
func (w *Writer) AppendShort(t int64, pid, ppid int32, kind trace.Kind, comm string, sig int32) error {
	return w.Append(&trace.Event{TimeNs: t, PID: pid, PPID: ppid, Kind: kind, Comm: comm, Signal: sig})
}

// flush writes the rows of the batch Append builds.
func (w *Writer) flush() error {
	if w.b.n == 0 {
		return nil
	}
	w.flushed = true
	return w.write(w.b)
}

// write makes a record batch of b's rows, writes it, and leaves b empty.
func (w *Writer) write(b *rowBatch) error {
	n := b.n
	// Buffers are kept once the batches have their full size, which is
	// what grow would give them.
	keep := w.reuse && b.time.cap == w.BatchRows
	for i, f := range w.schema.Fields() {
		switch c := b.fixed[i]; {
		case c == nil:
		case i == w.kindField || i == w.sourceField:
			w.cols[i] = dictArray(w.mem, f.Type, c.array(w.mem, n, &w.zeros, keep), dictValues[f.Name])
		default:
			w.cols[i] = c.array(w.mem, n, &w.zeros, keep)
		}
	}
	w.cols[w.commField] = b.comm.array(w.mem, n, keep)
	w.cols[w.pathField] = b.path.array(w.mem, n, keep)
	w.cols[w.argvField] = b.argv.array(w.mem, n, keep)
	rec := array.NewRecordBatch(w.schema, w.cols, int64(n))
	for i, c := range w.cols {
		c.Release()
		w.cols[i] = nil
	}
	b.n = 0
	if w.tw.sparse != nil {
		w.tw.sparse.zero = w.zeros
	}
	err := w.tw.Write(rec)
	rec.Release()
	if keep {
		for _, c := range b.fixed {
			if c != nil {
				c.clean()
			}
		}
		b.comm.clean()
		b.path.clean()
		b.argv.clean()
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

func (w *Writer) release() { w.b.release(w.mem) }

// release frees the buffers of the batch's columns.
func (b *rowBatch) release(mem memory.Allocator) {
	for _, c := range b.fixed {
		if c != nil {
			c.release(mem)
		}
	}
	b.comm.release(mem)
	b.path.release(mem)
	b.argv.release(mem)
	b.n = 0
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
