package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/forkcost/forkcost/trace/arrowio"
)

// tableMagic tells a file forkcost wrote (an Arrow IPC or Parquet table)
// from a log by its first bytes.
func tableMagic(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 6)
	n, _ := f.Read(head)
	head = head[:n]
	return bytes.HasPrefix(head, []byte("ARROW1")) || bytes.HasPrefix(head, []byte("PAR1"))
}

// countTables counts the arguments that are table files.
func countTables(args []string) int {
	n := 0
	for _, a := range args {
		if a != "-" && tableMagic(a) {
			n++
		}
	}
	return n
}

// convertTable re-encodes a table file forkcost wrote, a trace or a
// per-event file, from .arrow to .parquet or back: the same schema, metadata
// and rows, batch by batch. Without -o the output is the input with the
// other extension.
func convertTable(e *env, fs *flagSet, in, out string, compress, quiet bool) error {
	if out == "" {
		ext := ".parquet"
		if strings.HasSuffix(in, ".parquet") {
			ext = ".arrow"
		}
		out = strings.TrimSuffix(in, filepath.Ext(in)) + ext
	}
	if !strings.HasSuffix(out, ".arrow") && !strings.HasSuffix(out, ".parquet") {
		return fs.failf("-o %s: the output must end in .arrow or .parquet", out)
	}
	if err := needParquet(fs, "-o", out); err != nil {
		return err
	}
	if a, err1 := filepath.Abs(in); err1 == nil {
		if b, err2 := filepath.Abs(out); err2 == nil && a == b {
			return fs.failf("-o %s: the output is the input; name another file", out)
		}
	}
	br, err := arrowio.OpenTable(in, nil)
	if err != nil {
		return err
	}
	defer br.Close()
	var opts []arrowio.CreateOption
	if compress {
		opts = append(opts, arrowio.Compressed())
	}
	w, err := arrowio.CreateTable(out, br.Schema(), nil, opts...)
	if err != nil {
		return err
	}
	var rows int64
	for br.Next() {
		rec := br.RecordBatch()
		if err := w.Write(rec); err != nil {
			w.Abort()
			return err
		}
		rows += rec.NumRows()
	}
	if err := br.Err(); err != nil {
		w.Abort()
		return fmt.Errorf("%s: %s", in, err)
	}
	if err := w.Close(); err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(e.stderr, "wrote %s: %s re-encoded from %s\n", out, plural(rows, "row"), in)
	}
	return nil
}
