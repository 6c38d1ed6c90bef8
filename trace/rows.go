package trace

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DefaultBatchRows is the number of rows per record batch that writers emit.
const DefaultBatchRows = 64 << 10

// Writer writes trace events to an Arrow IPC or Parquet file in batches.
type Writer struct {
	tw       *TableWriter
	mem      memory.Allocator
	schema   *arrow.Schema
	builders []array.Builder // per field; nil for dictionary columns
	dicts    map[int]*dictCol
	n        int
	room     int // rows reserved in every builder beyond n
	// Nulls owed to exec_path and argv, which are null on all but exec
	// rows: appended as runs, which costs less than one at a time.
	pathNulls, argvNulls int
	flushed              bool
	rows                 int64
	BatchRows            int

	time, childExec                                *array.Int64Builder
	pid, ppid, child, exitStatus, sig, thr, pgsize *array.Int32Builder
	flags                                          *array.Uint64Builder
	kind, source                                   *dictCol
	comm, path                                     *array.StringBuilder
	argv                                           *array.ListBuilder
	argvVals                                       *array.StringBuilder
	core, gone                                     *array.BooleanBuilder
	minflt, majflt                                 *array.Int64Builder
	sizes                                          [8]*array.Int64Builder
}

// Create starts writing a trace to path; the extension picks the format.
// Nothing appears at path until Close succeeds.
func Create(path string, meta Meta, mem memory.Allocator, opts ...CreateOption) (*Writer, error) {
	schema := Schema(meta)
	tw, err := CreateTable(path, schema, mem, opts...)
	if err != nil {
		return nil, err
	}
	if mem == nil {
		mem = memory.DefaultAllocator
		// The IPC writer is done with a batch's buffers when Write
		// returns, so they can be recycled (see bufferPool). Other
		// formats' writers may keep references into them (Parquet's
		// byte arrays wait for their page), so they get fresh ones.
		if f, err := formatForPath(path); err == nil && f.Name == "arrow" {
			mem = &bufferPool{}
		}
	}
	w := &Writer{tw: tw, mem: mem, schema: schema, dicts: map[int]*dictCol{}, BatchRows: DefaultBatchRows}
	for i, f := range schema.Fields() {
		if _, ok := f.Type.(*arrow.DictionaryType); ok {
			w.dicts[i] = newDictCol(mem, dictValues[f.Name])
			w.builders = append(w.builders, nil)
		} else {
			w.builders = append(w.builders, array.NewBuilder(mem, f.Type))
		}
	}
	col := func(name string) array.Builder { return w.builders[schema.FieldIndices(name)[0]] }
	dict := func(name string) *dictCol { return w.dicts[schema.FieldIndices(name)[0]] }
	w.time = col(ColTimeNs).(*array.Int64Builder)
	w.pid = col(ColPID).(*array.Int32Builder)
	w.ppid = col(ColPPID).(*array.Int32Builder)
	w.kind = dict(ColKind)
	w.child = col(ColChildPID).(*array.Int32Builder)
	w.flags = col(ColCloneFlags).(*array.Uint64Builder)
	w.comm = col(ColComm).(*array.StringBuilder)
	w.path = col(ColExecPath).(*array.StringBuilder)
	w.argv = col(ColArgv).(*array.ListBuilder)
	w.argvVals = w.argv.ValueBuilder().(*array.StringBuilder)
	w.exitStatus = col(ColExitStatus).(*array.Int32Builder)
	w.sig = col(ColSignal).(*array.Int32Builder)
	w.core = col(ColCoreDumped).(*array.BooleanBuilder)
	for i, name := range sizeCols {
		w.sizes[i] = col(name).(*array.Int64Builder)
	}
	w.thr = col(ColParentThreads).(*array.Int32Builder)
	w.pgsize = col(ColPageSize).(*array.Int32Builder)
	w.source = dict(ColSnapshotSource)
	w.childExec = col(ColChildExecNs).(*array.Int64Builder)
	w.minflt = col(ColMinFaults).(*array.Int64Builder)
	w.majflt = col(ColMajFaults).(*array.Int64Builder)
	w.gone = col(ColProcGone).(*array.BooleanBuilder)
	return w, nil
}

// sizeCols are the int64 snapshot columns, in Snapshot field order.
var sizeCols = [8]string{ColVirtBytes, ColWritableBytes, ColResidentBytes, ColWritableResidentBytes,
	ColAnonResidentBytes, ColHugeResidentBytes, ColPageTableBytes, ColMapEntries}

func (s *Snapshot) sizes() [8]int64 {
	return [8]int64{s.VirtBytes, s.WritableBytes, s.ResidentBytes, s.WritableResidentBytes,
		s.AnonResidentBytes, s.HugeResidentBytes, s.PageTableBytes, s.MapEntries}
}

func (s *Snapshot) setSizes(v [8]int64) {
	s.VirtBytes, s.WritableBytes, s.ResidentBytes, s.WritableResidentBytes = v[0], v[1], v[2], v[3]
	s.AnonResidentBytes, s.HugeResidentBytes, s.PageTableBytes, s.MapEntries = v[4], v[5], v[6], v[7]
}

// reserve makes room for more rows in every column, so that Append can
// use the builders' unchecked appends: most trace rows are mostly nulls,
// and a checked append (a capacity test, then the bitmap) costs more than
// the value it stores. The first batch grows by doubling, so that a small
// trace stays small; later batches are reserved whole, which also saves
// the copies of growing.
func (w *Writer) reserve() {
	k := w.n
	if w.flushed || k > w.BatchRows-w.n {
		k = w.BatchRows - w.n
	}
	k = max(k, 256)
	for i, b := range w.builders {
		if b != nil {
			b.Reserve(k)
		} else {
			w.dicts[i].idx.Reserve(k)
		}
	}
	w.room = k
}

func appendOpt32(b *array.Int32Builder, v int32, ok bool) {
	if ok {
		b.UnsafeAppend(v)
	} else {
		b.UnsafeAppendBoolToBitmap(false)
	}
}

func appendOpt64(b *array.Int64Builder, v int64, ok bool) {
	if ok {
		b.UnsafeAppend(v)
	} else {
		b.UnsafeAppendBoolToBitmap(false)
	}
}

// dictCol builds a dictionary column over a fixed set of values. Every batch
// carries the same dictionary, because the Arrow IPC file format allows one
// dictionary per field for the whole file (arrow-go writes no deltas there).
type dictCol struct {
	idx  *array.Int32Builder
	memo map[string]int32
	vals []string
}

func newDictCol(mem memory.Allocator, vals []string) *dictCol {
	d := &dictCol{idx: array.NewInt32Builder(mem), memo: map[string]int32{}, vals: vals}
	for i, v := range vals {
		d.memo[v] = int32(i)
	}
	return d
}

// append adds s, or a null for "". The caller has reserved the room.
func (d *dictCol) append(s string) error {
	if s == "" {
		d.idx.UnsafeAppendBoolToBitmap(false)
		return nil
	}
	i, ok := d.memo[s]
	if !ok {
		return fmt.Errorf("%q is not one of %v", s, d.vals)
	}
	d.idx.UnsafeAppend(i)
	return nil
}

func (d *dictCol) newArray(mem memory.Allocator, typ arrow.DataType) arrow.Array {
	indices := d.idx.NewArray()
	defer indices.Release()
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues(d.vals, nil)
	values := sb.NewArray()
	defer values.Release()
	return array.NewDictionaryArray(typ, indices, values)
}

// Append adds one event. The event is copied; the caller may reuse it.
func (w *Writer) Append(ev *Event) error {
	k := kindIndex(ev.Kind)
	if k < 0 {
		_, err := ParseKind(string(ev.Kind))
		return fmt.Errorf("writing %s: event %d: %w", w.tw.Path(), w.rows, err)
	}
	if w.room == 0 {
		w.reserve()
	}
	if ev.HasSnapshot && ev.Snapshot.Source != "" {
		// Checked before anything is appended, so that a bad row
		// leaves the columns aligned.
		if _, ok := w.source.memo[string(ev.Snapshot.Source)]; !ok {
			return fmt.Errorf("writing %s: event %d: %s: %q is not one of %v",
				w.tw.Path(), w.rows, ColSnapshotSource, ev.Snapshot.Source, w.source.vals)
		}
	}
	w.time.UnsafeAppend(ev.TimeNs)
	w.pid.UnsafeAppend(ev.PID)
	appendOpt32(w.ppid, ev.PPID, ev.PPID != 0)
	w.kind.idx.UnsafeAppend(k)
	appendOpt32(w.child, ev.ChildPID, ev.ChildPID != 0)
	if ev.HasCloneFlags {
		w.flags.UnsafeAppend(ev.CloneFlags)
	} else {
		w.flags.UnsafeAppendBoolToBitmap(false)
	}
	if ev.Comm != "" {
		w.comm.Append(ev.Comm)
	} else {
		w.comm.AppendNull()
	}
	if ev.ExecPath != "" {
		w.path.AppendNulls(w.pathNulls)
		w.pathNulls = 0
		w.path.Append(ev.ExecPath)
	} else {
		w.pathNulls++
	}
	if ev.Argv != nil {
		w.argv.AppendNulls(w.argvNulls)
		w.argvNulls = 0
		w.argv.Append(true)
		for _, a := range ev.Argv {
			w.argvVals.Append(a)
		}
	} else {
		w.argvNulls++
	}
	appendOpt32(w.exitStatus, ev.ExitStatus, ev.HasExitStatus)
	appendOpt32(w.sig, ev.Signal, ev.Signal != 0)
	if ev.Kind == Exit && ev.Signal != 0 {
		w.core.UnsafeAppend(ev.CoreDumped)
	} else {
		w.core.UnsafeAppendBoolToBitmap(false)
	}
	if ev.HasSnapshot {
		for i, v := range ev.Snapshot.sizes() {
			w.sizes[i].UnsafeAppend(v)
		}
		w.thr.UnsafeAppend(ev.Snapshot.ParentThreads)
		w.pgsize.UnsafeAppend(ev.Snapshot.PageSize)
		w.source.append(string(ev.Snapshot.Source)) // checked above
	} else {
		for _, b := range w.sizes {
			b.UnsafeAppendBoolToBitmap(false)
		}
		w.thr.UnsafeAppendBoolToBitmap(false)
		w.pgsize.UnsafeAppendBoolToBitmap(false)
		w.source.idx.UnsafeAppendBoolToBitmap(false)
	}
	appendOpt64(w.childExec, ev.ChildExecNs, ev.HasChildExec)
	appendOpt64(w.minflt, ev.MinFaults, ev.HasFaults)
	appendOpt64(w.majflt, ev.MajFaults, ev.HasFaults)
	if ev.ProcGone {
		w.gone.UnsafeAppend(true)
	} else {
		w.gone.UnsafeAppendBoolToBitmap(false)
	}
	w.n++
	w.room--
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
	w.path.AppendNulls(w.pathNulls)
	w.argv.AppendNulls(w.argvNulls)
	w.pathNulls, w.argvNulls = 0, 0
	cols := make([]arrow.Array, len(w.builders))
	for i, b := range w.builders {
		if b != nil {
			cols[i] = b.NewArray()
		} else {
			cols[i] = w.dicts[i].newArray(w.mem, w.schema.Field(i).Type)
		}
	}
	rec := array.NewRecordBatch(w.schema, cols, int64(w.n))
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	w.n, w.room, w.flushed = 0, 0, true
	return w.tw.Write(rec)
}

func (w *Writer) release() {
	for i, b := range w.builders {
		if b != nil {
			b.Release()
		} else {
			w.dicts[i].idx.Release()
		}
	}
}

// Rows returns the number of events appended so far.
func (w *Writer) Rows() int64 { return w.rows }

// Path returns the destination path.
func (w *Writer) Path() string { return w.tw.Path() }

// Close writes the remaining events and renames the file into place.
func (w *Writer) Close() error {
	defer w.release()
	if err := w.flush(); err != nil {
		w.tw.Abort()
		return err
	}
	return w.tw.Close()
}

// Abort discards everything written.
func (w *Writer) Abort() {
	w.release()
	w.tw.Abort()
}

// Reader streams the events of a trace file. It owns the Event it returns
// and the strings in it: they stay valid until the next call to Next.
type Reader struct {
	name string
	br   BatchReader
	meta Meta
	rec  arrow.RecordBatch
	i, n int
	row  int64
	ev   Event
	err  error
	cols readCols
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
	r := &Reader{name: name, br: br, meta: meta}
	if err := r.cols.check(br.Schema()); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

// Meta returns the trace's metadata.
func (r *Reader) Meta() Meta { return r.meta }

// Name returns the name the reader was opened with.
func (r *Reader) Name() string { return r.name }

// Row returns the index of the current event in the file, from 0.
func (r *Reader) Row() int64 { return r.row - 1 }

// Err returns the first error met by Next.
func (r *Reader) Err() error { return r.err }

// Close releases the file.
func (r *Reader) Close() error { return r.br.Close() }

// Event returns the current event.
func (r *Reader) Event() *Event { return &r.ev }

// Next advances to the next event.
func (r *Reader) Next() bool {
	if r.err != nil {
		return false
	}
	for r.i >= r.n {
		if !r.br.Next() {
			if err := r.br.Err(); err != nil {
				r.err = fmt.Errorf("%s: %w", r.name, err)
			}
			return false
		}
		r.rec = r.br.RecordBatch()
		r.i, r.n = 0, int(r.rec.NumRows())
		if err := safely(func() error { return r.cols.bind(r.rec) }); err != nil {
			r.err = fmt.Errorf("%s: %w", r.name, err)
			return false
		}
	}
	if err := safely(func() error { return r.cols.decode(r.i, &r.ev) }); err != nil {
		r.err = fmt.Errorf("%s: row %d: %w", r.name, r.row, err)
		return false
	}
	r.i++
	r.row++
	return true
}
