package arrowio

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/internal/tempfile"
	"github.com/forkcost/forkcost/trace"
)

// OpenAny opens a trace file like Open; a file that is not a table but a
// log of a registered text format is converted first, into a temporary
// Arrow file that is deleted when the Reader is closed (on Linux, as soon as
// it is open). warn, which may be nil, receives the converter's warnings.
func OpenAny(path string, mem memory.Allocator, warn func(format string, args ...any)) (*Reader, error) {
	r, err := Open(path, mem)
	if err == nil || !errors.Is(err, ErrNotTable) {
		return r, err
	}
	tf := trace.SniffText(path)
	if tf == nil {
		return nil, err
	}
	if warn == nil {
		warn = func(string, ...any) {}
	}
	dir, derr := tempfile.MkdirTemp("", "forkcost-convert-")
	if derr != nil {
		return nil, derr
	}
	tmp := filepath.Join(dir, "trace.arrow")
	if cerr := tf.Convert(path, tmp, warn); cerr != nil {
		tempfile.Remove(dir)
		return nil, fmt.Errorf("converting %s log %s: %w", tf.Name, path, cerr)
	}
	br, oerr := OpenTable(tmp, mem)
	if oerr != nil {
		tempfile.Remove(dir)
		return nil, oerr
	}
	rd, nerr := NewReader(path, &removeOnClose{BatchReader: br, dir: dir})
	if nerr != nil {
		br.Close()
		tempfile.Remove(dir)
		return nil, nerr
	}
	return rd, nil
}

type removeOnClose struct {
	BatchReader
	dir string
}

func (r *removeOnClose) Close() error {
	err := r.BatchReader.Close()
	tempfile.Remove(r.dir)
	return err
}
