// Package arrowio reads and writes forkcost traces (package trace's data
// model) as Apache Arrow tables: the trace schema as Arrow columns, the
// streaming Writer (with its asynchronous variant, buffer pools and
// fixed-width columns) and Reader, the table formats (Arrow IPC here,
// Parquet in trace/parquetio), and the recovery of files whose writer was
// killed.
//
// A Writer builds each batch in buffers of its own, written by row index
// (fixedCol, stringCol, listCol): a null costs nothing. An AsyncWriter
// builds the batches the same way, on its caller's goroutine, and encodes
// and writes them on its own; the most frequent row of a converted log, a
// memory row setting five columns of thirty, costs it little more than
// five stores (AsyncWriter.AppendShort, which also takes signal rows).
// Writing Arrow IPC, the buffers are kept from batch to batch, and the
// values a batch set are zeroed once it is written.
//
// Writers choose the format by the output file's extension (.arrow for the
// Arrow IPC file format, .parquet for Parquet); readers recognise the format by
// its magic bytes, never by name. Parquet support lives in the package
// trace/parquetio, which registers itself with RegisterFormat and is built
// only with -tags parquet, so that programs that only need Arrow IPC do not
// link Parquet's dependencies (gRPC among them); without it, a Parquet file
// or output is an error that says so (NoParquet). Every writer
// writes to a temporary file beside its target and renames it into place on
// Close, so an interrupted run never leaves a half-written table. The
// temporary file is named .BASE.tmp-PID-N (internal/tempfile): analyze removes
// its temporary files on SIGINT and SIGTERM, and a later run removes those
// whose process is gone. A writer created with FlushEvery writes its rows to
// the temporary file as complete record batches as it goes; a file whose
// writer was killed lacks the Arrow IPC footer: Open refuses it
// (ErrUnfinished), OpenUnfinished takes the complete batches of the stream
// it holds and marks the trace incomplete, and Salvage copies them into a
// finished trace.
//
// Every row read is checked against the invariants that any true row keeps
// (trace.Event.Check: sizes non-negative and nested, known kinds, creation rows
// with a child...): Arrow IPC and Parquet do not checksum the values, and a
// corrupt file would otherwise be replayed as if true. The flatbuffers that
// describe a file's schema are verified before arrow-go decodes them.
package arrowio
