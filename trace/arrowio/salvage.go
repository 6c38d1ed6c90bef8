package arrowio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/internal/tempfile"
	"github.com/forkcost/forkcost/trace"
)

// An Arrow IPC file is "ARROW1\0\0", an Arrow IPC stream (the schema,
// the dictionaries, the record batches, each a length-prefixed message),
// a footer that indexes the batches, and "ARROW1" again. A writer that is
// killed (a recording stopped by SIGKILL) never writes the footer, but
// every batch it flushed (FlushEvery) is complete in the stream. Open
// refuses such a file (ErrUnfinished: it may as well be a copy cut short),
// and OpenUnfinished reads it as the stream it holds, up to its last
// complete message, as perf report reads a perf.data whose header was
// never updated: the trace is then marked incomplete (UnfinishedNote),
// and nothing after the last complete batch is guessed at.

// ErrUnfinished is returned (wrapped) by Open for an Arrow IPC file
// without its footer.
var ErrUnfinished = errors.New("the file was never finished (no Arrow IPC footer): its writer was killed, or the file was cut short; its complete record batches can be recovered")

// OpenUnfinished opens a trace file like Open and also reads an Arrow IPC
// file that was never finished (see ErrUnfinished): its complete batches,
// with the trace marked incomplete.
func OpenUnfinished(path string, mem memory.Allocator) (*Reader, error) {
	r, err := Open(path, mem)
	if !errors.Is(err, ErrUnfinished) {
		return r, err
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	sr, err := newSalvageReader(f, st.Size(), bounded(mem, st.Size()))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, err = NewReader(path, sr)
	if err != nil {
		sr.Close()
		return nil, err
	}
	return r, nil
}

// UnfinishedNote is the forkcost.incomplete text of a trace read from a
// file that was never finished.
const UnfinishedNote = "the file was never finished (its writer was killed, crashed or is still writing): only its complete record batches were read, and rows after them are lost"

func hasFooter(r io.ReaderAt, size int64) bool {
	tail := make([]byte, len(ipc.Magic))
	if size < int64(2*len(tail)) {
		return false
	}
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil {
		return false
	}
	return bytes.Equal(tail, ipc.Magic)
}

type salvageReader struct {
	f       io.Closer // nil for bytes in memory
	r       *ipc.Reader
	batches int
	stop    error // why reading ended before a clean end of stream
}

func newSalvageReader(f io.ReaderAt, size int64, mem memory.Allocator) (*salvageReader, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(f, 8, size-8), 1<<20)
	if err := checkStreamSchema(br); err != nil {
		return nil, err
	}
	var r *ipc.Reader
	err := safely(func() (err error) {
		r, err = ipc.NewReader(br, ipc.WithAllocator(mem))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("the file was never finished (no footer), and its schema cannot be read: %w", err)
	}
	sr := &salvageReader{r: r}
	if c, ok := f.(*os.File); ok {
		sr.f = c
	}
	return sr, nil
}

func (r *salvageReader) Schema() *arrow.Schema { return r.r.Schema() }

func (r *salvageReader) Next() bool {
	if r.stop != nil {
		return false
	}
	ok := false
	if err := safely(func() error { ok = r.r.Next(); return nil }); err != nil {
		r.stop = err
		return false
	}
	if !ok {
		if err := r.r.Err(); err != nil {
			r.stop = err // a message cut short: where the writer stopped
		}
		return false
	}
	r.batches++
	return true
}

func (r *salvageReader) RecordBatch() arrow.RecordBatch { return r.r.RecordBatch() }

// Err is nil: a file that ends inside a message is what this reader is
// for. Stopped says where it stopped.
func (r *salvageReader) Err() error { return nil }

func (r *salvageReader) Close() error {
	r.r.Release()
	if r.f == nil {
		return nil
	}
	return r.f.Close()
}

// unfinished marks the reader's trace incomplete (see NewReader).
func (r *salvageReader) unfinished() string { return UnfinishedNote }

// Stopped describes the end of what was read: the number of complete
// batches and why the next could not be read.
func (r *salvageReader) Stopped() string {
	if r.stop == nil {
		return fmt.Sprintf("%d complete record batches, then the end of the file", r.batches)
	}
	return fmt.Sprintf("%d complete record batches, then an incomplete or unreadable message (%v)", r.batches, r.stop)
}

// SalvageStats says what Salvage recovered.
type SalvageStats struct {
	Rows    int64
	Stopped string // the batches read and why reading stopped
}

// Salvage copies the rows of the trace file src, typically the temporary
// file of a killed recording, into a new trace dst marked incomplete. A
// src that was finished is copied as it is (and is not marked). Rows are
// read and checked like any trace's (a row that breaks the schema's
// invariants is an error); dst is written through a temporary file.
func Salvage(src, dst string, opts ...CreateOption) (SalvageStats, error) {
	var st SalvageStats
	r, err := OpenUnfinished(src, nil)
	if err != nil {
		return st, err
	}
	defer r.Close()
	meta := r.Meta()
	if strings.HasSuffix(meta.Incomplete, UnfinishedNote) {
		meta.Incomplete = fmt.Sprintf("salvaged from %s: %s", src, UnfinishedNote)
	}
	w, err := Create(dst, meta, nil, opts...)
	if err != nil {
		return st, err
	}
	for r.Next() {
		if err := w.Append(r.Event()); err != nil {
			w.Abort()
			return st, err
		}
	}
	if err := r.Err(); err != nil {
		w.Abort()
		return st, err
	}
	st.Rows = w.Rows()
	st.Stopped = "the file was finished: every row was read"
	if sr, ok := r.br.(*salvageReader); ok {
		st.Stopped = sr.Stopped()
	}
	return st, w.Close()
}

// SalvageWorth tells whether the stale temporary file path must be kept
// rather than removed (internal/tempfile.SetKeep): when it is an
// unfinished recording holding at least one complete batch of rows, it
// says how to recover them.
func SalvageWorth(path string) string {
	r, err := OpenUnfinished(path, nil)
	if err != nil {
		return ""
	}
	defer r.Close()
	if _, ok := r.br.(*salvageReader); !ok || r.Meta().Source != "record" || !r.Next() {
		return ""
	}
	return fmt.Sprintf("it holds the rows of a recording that was killed; recover them with 'analyze convert --salvage %s -o OUT.arrow', or delete it", path)
}

// CloseIncomplete finishes the trace like Close, with its metadata's
// forkcost.incomplete set to why (Close when why is empty). The metadata
// is part of the schema, written before the first row, so the finished
// file is copied batch by batch into the destination with the new schema,
// through a temporary file of its own.
func (w *Writer) CloseIncomplete(why string) error {
	if why == "" {
		return w.Close()
	}
	return w.CloseAmended(func(m *trace.Meta) { m.Incomplete = why })
}

// CloseAmended finishes the trace like Close, with its metadata changed by
// amend (nil: unchanged). The metadata is part of the file's schema, written
// before the first row, so a changed one costs a copy of the rows; this is
// for what is learnt only at the end (an interruption, outcomes never seen).
func (w *Writer) CloseAmended(amend func(*trace.Meta)) error {
	if amend == nil {
		return w.Close()
	}
	w.stopFlushing()
	defer w.release()
	tw := w.tw
	if err := w.flush(); err != nil {
		tw.Abort()
		return err
	}
	tw.done = true
	err := tw.finish()
	if err == nil {
		err = copyWithMeta(tw.tmp.Name(), tw.path, amend)
	}
	tempfile.Remove(tw.tmp.Name())
	if err != nil {
		return fmt.Errorf("writing %s: %w", tw.path, err)
	}
	return nil
}

// copyWithMeta copies the table src to dst with its metadata amended.
func copyWithMeta(src, dst string, amend func(*trace.Meta)) error {
	mem := memory.DefaultAllocator
	br, err := OpenTable(src, mem)
	if err != nil {
		return err
	}
	defer br.Close()
	meta, err := MetaFromSchema(br.Schema())
	if err != nil {
		return err
	}
	amend(&meta)
	md := Schema(meta).Metadata()
	schema := arrow.NewSchema(br.Schema().Fields(), &md)
	tw, err := CreateTable(dst, schema, mem)
	if err != nil {
		return err
	}
	for br.Next() {
		rec := br.RecordBatch()
		out := array.NewRecordBatch(schema, rec.Columns(), rec.NumRows())
		err := tw.Write(out)
		out.Release()
		if err != nil {
			tw.Abort()
			return err
		}
	}
	if err := br.Err(); err != nil {
		tw.Abort()
		return err
	}
	return tw.Close()
}
