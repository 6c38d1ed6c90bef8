package arrowio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/internal/tempfile"
)

// BatchWriter writes record batches in one file format. Close finishes the
// format (footers) but does not close the underlying file.
type BatchWriter interface {
	Write(arrow.RecordBatch) error
	Close() error
}

// BatchReader reads record batches. The batch returned by RecordBatch is owned
// by the reader and valid until the next call to Next.
type BatchReader interface {
	Schema() *arrow.Schema
	Next() bool
	RecordBatch() arrow.RecordBatch
	Err() error
	Close() error
}

// Format is a table file format: how to recognise it and how to read and
// write it.
type Format struct {
	Name  string   // "arrow", "parquet"
	Exts  []string // output extensions, with the dot
	Magic []byte   // leading bytes of a file in this format
	// NewWriter starts writing a table with schema to w; compress asks
	// for compressed bodies where the format makes it optional.
	NewWriter func(w io.Writer, schema *arrow.Schema, mem memory.Allocator, compress bool) (BatchWriter, error)
	// NewReader reads a table from f.
	NewReader func(f *os.File, mem memory.Allocator) (BatchReader, error)
}

var (
	formatsMu sync.RWMutex
	formats   []*Format
)

// RegisterFormat makes a table format known to CreateTable and OpenTable.
// The Parquet format registers itself when trace/parquetio is imported.
func RegisterFormat(f *Format) {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	formats = append(formats, f)
}

func init() {
	RegisterFormat(&Format{
		Name:  "arrow",
		Exts:  []string{".arrow", ".feather", ".ipc"},
		Magic: []byte("ARROW1"),
		NewWriter: func(w io.Writer, schema *arrow.Schema, mem memory.Allocator, compress bool) (BatchWriter, error) {
			opts := []ipc.Option{ipc.WithSchema(schema), ipc.WithAllocator(mem)}
			// Body compression is optional in Arrow IPC and not every
			// implementation has it built in (arrow-js needs a codec
			// registered), so it is off unless asked for; Parquet is the
			// compact format.
			if compress {
				opts = append(opts, ipc.WithZstd())
			}
			return ipc.NewFileWriter(w, opts...)
		},
		NewReader: newIPCFileReader,
	})
	// The Arrow IPC stream format is read but never written: it has no
	// footer, so a truncated stream cannot be told from a complete one.
	RegisterFormat(&Format{
		Name:      "arrow-stream",
		Magic:     []byte{0xff, 0xff, 0xff, 0xff},
		NewReader: newIPCStreamReader,
	})
}

// NoParquet says what to do when a program built without trace/parquetio
// meets a Parquet file: Parquet's Go implementation links gRPC (through
// arrow-go's flight), which triples analyze's size and halves its first
// build's speed, so it is left out unless asked for.
const NoParquet = "this build has no Parquet support; Parquet is opt-in, since it links gRPC: build analyze with 'go build -tags parquet ./cmd/analyze' (or go install -tags parquet), or use .arrow"

// HasFormat reports whether the table format named name ("arrow",
// "parquet") is registered.
func HasFormat(name string) bool {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	for _, f := range formats {
		if f.Name == name {
			return true
		}
	}
	return false
}

func formatForPath(path string) (*Format, error) {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	ext := strings.ToLower(filepath.Ext(path))
	var known []string
	for _, f := range formats {
		for _, e := range f.Exts {
			if e == ext {
				return f, nil
			}
			known = append(known, e)
		}
	}
	if (ext == ".parquet" || ext == ".pq") && !HasFormat("parquet") {
		return nil, fmt.Errorf("%s: %s", path, NoParquet)
	}
	return nil, fmt.Errorf("%s: cannot tell the output format from the extension %q; use one of %s", path, ext, strings.Join(known, ", "))
}

// TableWriter writes a table to a temporary file beside its destination
// (.BASE.tmp-PID-RANDOM, see internal/tempfile) and renames it into place
// on Close. Abort removes the temporary file.
type TableWriter struct {
	path   string
	tmp    *os.File
	sparse *sparseFile // writes tmp, skipping pages of zeros
	buf    *bufio.Writer
	bw     BatchWriter
	done   bool
}

// CreateOption changes how a table is written.
type CreateOption func(*createOptions)

type createOptions struct {
	compress   bool
	flushEvery time.Duration
}

// Compressed asks for zstd-compressed Arrow IPC bodies (about 7x smaller
// for traces; readable by arrow-go, pyarrow and arrow-cpp, by arrow-js only
// with a zstd codec registered). Parquet files are always compressed.
func Compressed() CreateOption { return func(o *createOptions) { o.compress = true } }

// FlushEvery makes a trace Writer (Create) write the rows it has to the
// temporary file at least every d, as a record batch of its own, so that
// if the process is killed the file holds every row appended more than d
// ago, in complete batches that Salvage recovers (the Arrow IPC file
// format is a stream of batches between a header and a footer; the
// footer is what a killed process never writes). Create then serialises
// Append with the flushing goroutine.
func FlushEvery(d time.Duration) CreateOption { return func(o *createOptions) { o.flushEvery = d } }

// CreateTable starts writing a table with the given schema to path, in the
// format its extension names.
func CreateTable(path string, schema *arrow.Schema, mem memory.Allocator, opts ...CreateOption) (*TableWriter, error) {
	var o createOptions
	for _, opt := range opts {
		opt(&o)
	}
	f, err := formatForPath(path)
	if err != nil {
		return nil, err
	}
	if f.NewWriter == nil {
		return nil, fmt.Errorf("%s: format %s cannot be written", path, f.Name)
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	tmp, err := tempfile.Create(path)
	if err != nil {
		return nil, err
	}
	// A buffer smaller than a batch's column buffers: bufio writes a
	// piece at least as long as its buffer straight to the file when
	// nothing is buffered, so the large ones are not copied first (a
	// 1 MiB buffer copied every byte of the trace once more).
	tw := &TableWriter{path: path, tmp: tmp, sparse: &sparseFile{f: tmp}}
	tw.buf = bufio.NewWriterSize(tw.sparse, 64<<10)
	tw.bw, err = f.NewWriter(&zeroWriter{buf: tw.buf, sparse: tw.sparse}, schema, mem, o.compress)
	if err != nil {
		tw.Abort()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tw, nil
}

// Path returns the destination path.
func (w *TableWriter) Path() string { return w.path }

// Flush pushes what has been written so far to the file.
func (w *TableWriter) Flush() error {
	if err := w.buf.Flush(); err != nil {
		return err
	}
	return w.sparse.Flush()
}

// TempPath returns the temporary file being written.
func (w *TableWriter) TempPath() string { return w.tmp.Name() }

// Write appends a record batch.
func (w *TableWriter) Write(rec arrow.RecordBatch) error {
	if err := w.bw.Write(rec); err != nil {
		return fmt.Errorf("writing %s: %w", w.path, err)
	}
	return nil
}

// Close finishes the file and renames it into place.
func (w *TableWriter) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	err := w.finish()
	if err == nil {
		err = tempfile.Rename(w.tmp.Name(), w.path)
	}
	if err != nil {
		tempfile.Remove(w.tmp.Name())
		return fmt.Errorf("writing %s: %w", w.path, err)
	}
	return nil
}

// finish completes and closes the temporary file.
func (w *TableWriter) finish() error {
	err := w.bw.Close()
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = w.tmp.Sync()
	}
	if cerr := w.tmp.Close(); err == nil {
		err = cerr
	}
	return err
}

// Abort discards the table: the destination is left as it was.
func (w *TableWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	if w.bw != nil {
		w.bw.Close()
	}
	w.tmp.Close()
	tempfile.Remove(w.tmp.Name())
}

// OpenTable opens a table file, recognising its format by content.
func OpenTable(path string, mem memory.Allocator) (BatchReader, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil {
		mem = bounded(mem, st.Size())
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	formatsMu.RLock()
	var match *Format
	for _, fm := range formats {
		if bytes.HasPrefix(head, fm.Magic) {
			match = fm
			break
		}
	}
	formatsMu.RUnlock()
	if match == nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, unknownFormatError(head))
	}
	r, err := match.NewReader(f, mem)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: reading %s file: %w", path, match.Name, err)
	}
	return r, nil
}

// ErrNotTable is returned (wrapped) by OpenTable for files that are neither
// Arrow nor Parquet.
var ErrNotTable = errors.New("not an Arrow IPC or Parquet file")

func unknownFormatError(head []byte) error {
	if bytes.HasPrefix(head, []byte("PAR1")) {
		return notTable("a Parquet file, but " + NoParquet)
	}
	if len(head) == 0 {
		return notTable("the file is empty")
	}
	text := true
	for _, c := range head {
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			text = false
		}
	}
	if text {
		return notTable("text, not a trace (Arrow IPC or Parquet), and not recognised as a strace, kdump or truss log by its first lines ('analyze convert --from FORMAT' converts a log anyway)")
	}
	return notTable("binary data, but not a trace: neither Arrow IPC nor Parquet")
}

// notTable is an ErrNotTable that says what the file is instead.
type notTable string

func (n notTable) Error() string        { return string(n) }
func (n notTable) Is(target error) bool { return target == ErrNotTable }

type ipcFileReader struct {
	f   *os.File // nil for an in-memory file
	r   *ipc.FileReader
	i   int
	cur arrow.RecordBatch
	err error
}

// ErrCorrupt is wrapped by the errors for files whose structure is broken.
var ErrCorrupt = errors.New("corrupt table file")

// safely runs f, turning a panic into an error: arrow-go's flatbuffer
// decoding panics on some corrupt files instead of failing, and a bad file
// must never crash a replay of thousands.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	return f()
}

// checkFooter verifies the flatbuffer of an Arrow IPC file's footer (see
// verifyFooter) before arrow-go decodes it. A file without a footer is left
// to arrow-go to report.
func checkFooter(r io.ReaderAt, size int64) error {
	var tail [10]byte
	if size < int64(len(tail))+8 {
		return nil
	}
	if _, err := r.ReadAt(tail[:], size-int64(len(tail))); err != nil {
		return err
	}
	n := int64(int32(binary.LittleEndian.Uint32(tail[:4])))
	if !bytes.Equal(tail[4:], ipc.Magic) || n <= 0 || n > size-int64(len(tail))-8 || n > 64<<20 {
		return nil
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-int64(len(tail))-n); err != nil {
		return err
	}
	if err := verifyFooter(buf); err != nil {
		return fmt.Errorf("%w: file footer: %v", ErrCorrupt, err)
	}
	return nil
}

func newIPCFileReader(f *os.File, mem memory.Allocator) (BatchReader, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !hasFooter(f, st.Size()) {
		return nil, ErrUnfinished
	}
	if err := checkFooter(f, st.Size()); err != nil {
		return nil, err
	}
	var r *ipc.FileReader
	err = safely(func() (err error) {
		r, err = ipc.NewFileReader(f, ipc.WithAllocator(mem), ipc.WithEnsureNativeEndian(true))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ipcFileReader{f: f, r: r}, nil
}

func (r *ipcFileReader) Schema() *arrow.Schema { return r.r.Schema() }
func (r *ipcFileReader) Next() bool {
	if r.err != nil {
		return false
	}
	var rec arrow.RecordBatch
	end := false
	err := safely(func() (err error) {
		if end = r.i >= r.r.NumRecords(); end { // reads the footer
			return nil
		}
		rec, err = r.r.RecordBatch(r.i)
		return err
	})
	if end && err == nil {
		return false
	}
	if err != nil {
		r.err = fmt.Errorf("record batch %d: %w", r.i, err)
		return false
	}
	r.i++
	r.cur = rec
	return true
}
func (r *ipcFileReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *ipcFileReader) Err() error                     { return r.err }
func (r *ipcFileReader) Close() error {
	err := r.r.Close()
	if r.f != nil {
		if cerr := r.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

type ipcStreamReader struct {
	f   *os.File
	r   *ipc.Reader
	err error
}

// checkStreamSchema verifies the flatbuffer of the schema message that
// starts an Arrow IPC stream (see verifyMessage), without consuming it.
func checkStreamSchema(br *bufio.Reader) error {
	head, err := br.Peek(8)
	if err != nil {
		return nil // too short: arrow-go says so
	}
	n, skip := binary.LittleEndian.Uint32(head[4:]), 8
	if binary.LittleEndian.Uint32(head) != 0xffffffff {
		n, skip = binary.LittleEndian.Uint32(head), 4 // before format 0.15
	}
	if n > uint32(br.Size()-skip) {
		return fmt.Errorf("%w: the schema message claims %d bytes", ErrCorrupt, n)
	}
	msg, err := br.Peek(skip + int(n))
	if err != nil {
		return nil
	}
	if err := verifyMessage(msg[skip:]); err != nil {
		return fmt.Errorf("%w: schema message: %v", ErrCorrupt, err)
	}
	return nil
}

func newIPCStreamReader(f *os.File, mem memory.Allocator) (BatchReader, error) {
	var r *ipc.Reader
	br := bufio.NewReaderSize(f, 1<<20)
	if err := checkStreamSchema(br); err != nil {
		return nil, err
	}
	err := safely(func() (err error) {
		r, err = ipc.NewReader(br, ipc.WithAllocator(mem))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ipcStreamReader{f: f, r: r}, nil
}

func (r *ipcStreamReader) Schema() *arrow.Schema { return r.r.Schema() }
func (r *ipcStreamReader) Next() bool {
	ok := false
	if err := safely(func() error { ok = r.r.Next(); return nil }); err != nil {
		r.err = err
		return false
	}
	return ok
}
func (r *ipcStreamReader) RecordBatch() arrow.RecordBatch { return r.r.RecordBatch() }
func (r *ipcStreamReader) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.r.Err()
}
func (r *ipcStreamReader) Close() error {
	r.r.Release()
	return r.f.Close()
}

// OpenIPCBytes reads an Arrow IPC file held in memory (an embedded trace);
// an unfinished one (no footer) is read like Open reads it.
func OpenIPCBytes(name string, data []byte, mem memory.Allocator) (*Reader, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	mem = bounded(mem, int64(len(data)))
	if bytes.HasPrefix(data, ipc.Magic) && !hasFooter(bytes.NewReader(data), int64(len(data))) {
		sr, err := newSalvageReader(bytes.NewReader(data), int64(len(data)), mem)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return NewReader(name, sr)
	}
	if err := checkFooter(bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var fr *ipc.FileReader
	err := safely(func() (err error) {
		fr, err = ipc.NewFileReader(bytes.NewReader(data), ipc.WithAllocator(mem))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return NewReader(name, &ipcFileReader{r: fr})
}

// boundedAllocator refuses single allocations far beyond what a file of
// its size can hold, so that a corrupt length field (arrow-go trusts them)
// becomes an error instead of exhausting memory. The panic is turned into
// ErrCorrupt by safely.
type boundedAllocator struct {
	memory.Allocator
	limit int
}

func bounded(mem memory.Allocator, fileSize int64) memory.Allocator {
	// Compressed bodies expand; 1000x the file plus 64 MiB is far beyond
	// any real trace's ratio and far below what would hurt.
	limit := int64(64<<20) + 1000*fileSize
	if limit > 1<<40 || limit < 0 {
		limit = 1 << 40
	}
	return &boundedAllocator{Allocator: mem, limit: int(limit)}
}

func (b *boundedAllocator) Allocate(size int) []byte {
	if size > b.limit || size < 0 {
		panic(fmt.Sprintf("an allocation of %d bytes for a file this size (limit %d)", size, b.limit))
	}
	return b.Allocator.Allocate(size)
}

func (b *boundedAllocator) Reallocate(size int, old []byte) []byte {
	if size > b.limit || size < 0 {
		panic(fmt.Sprintf("an allocation of %d bytes for a file this size (limit %d)", size, b.limit))
	}
	return b.Allocator.Reallocate(size, old)
}
