//go:build parquet

// Package parquetio adds Parquet to the table formats that package
// trace/arrowio reads and writes. Import it for its side effect:
//
//	import _ "github.com/forkcost/forkcost/trace/parquetio"
//
// Its files build only with -tags parquet: Parquet's Go implementation
// links gRPC and protobuf (through arrow-go's flight, which pqarrow uses
// to store the Arrow schema; still so in arrow-go v18.9.0), 36 MB of
// analyze's 68 MB, and half the packages of a cold build. So the default
// build and test graph leave it out; cmd/analyze and internal/tracetest
// import it in files built with the tag, and a build without it says how
// to get Parquet (arrowio.NoParquet).
//
// Files are written with zstd compression, dictionary encoding, and the
// Arrow schema stored in the file's metadata, so that dictionary columns,
// unsigned integers and the forkcost schema metadata come back unchanged,
// while other Parquet readers (DuckDB, Polars, Spark, pyarrow) see plain
// Parquet columns.
package parquetio

import (
	"context"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/forkcost/forkcost/trace/arrowio"
)

// BatchRows is the number of rows per batch when reading.
const BatchRows = 64 << 10

func init() {
	arrowio.RegisterFormat(&arrowio.Format{
		Name:      "parquet",
		Exts:      []string{".parquet", ".pq"},
		Magic:     []byte("PAR1"),
		NewWriter: newWriter,
		NewReader: newReader,
	})
}

// noClose keeps pqarrow from closing the file: the arrowio.TableWriter
// syncs, closes and renames it.
type noClose struct{ io.Writer }

type writer struct{ fw *pqarrow.FileWriter }

func newWriter(w io.Writer, schema *arrow.Schema, mem memory.Allocator, _ bool) (arrowio.BatchWriter, error) {
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithDictionaryDefault(true),
		parquet.WithAllocator(mem),
		parquet.WithMaxRowGroupLength(1<<20),
		parquet.WithCreatedBy("forkcost"),
	)
	arrowProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem))
	fw, err := pqarrow.NewFileWriter(schema, noClose{w}, props, arrowProps)
	if err != nil {
		return nil, err
	}
	return &writer{fw: fw}, nil
}

func (w *writer) Write(rec arrow.RecordBatch) error { return w.fw.WriteBuffered(rec) }
func (w *writer) Close() error                      { return w.fw.Close() }

type reader struct {
	pf     *file.Reader
	rr     pqarrow.RecordReader
	schema *arrow.Schema
}

func newReader(f *os.File, mem memory.Allocator) (arrowio.BatchReader, error) {
	pf, err := file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, err
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: BatchRows, Parallel: false}, mem)
	if err != nil {
		pf.Close()
		return nil, err
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		pf.Close()
		return nil, err
	}
	// pqarrow does not carry the file's key-value metadata into the schema
	// it returns; the trace's metadata lives there.
	var keys, vals []string
	kv := pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		if k != "ARROW:schema" {
			keys = append(keys, k)
			vals = append(vals, kv.Values()[i])
		}
	}
	md := arrow.NewMetadata(keys, vals)
	schema := arrow.NewSchema(rr.Schema().Fields(), &md)
	return &reader{pf: pf, rr: rr, schema: schema}, nil
}

func (r *reader) Schema() *arrow.Schema          { return r.schema }
func (r *reader) Next() bool                     { return r.rr.Next() }
func (r *reader) RecordBatch() arrow.RecordBatch { return r.rr.RecordBatch() }
func (r *reader) Err() error {
	if err := r.rr.Err(); err != nil && err != io.EOF {
		return err
	}
	return nil
}

// Close releases the reader and closes the file.
func (r *reader) Close() error {
	r.rr.Release()
	return r.pf.Close() // closes the *os.File
}
