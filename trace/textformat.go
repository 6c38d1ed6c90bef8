package trace

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/internal/tempfile"
)

// TextFormat is a converter of a text log (strace, kdump or truss output)
// into a trace. Converters register themselves with
// RegisterTextFormat, so that OpenAny reads raw logs wherever a trace file
// is expected (analyze replay build.strace).
type TextFormat struct {
	// Name is the format's name (strace), as --from spells it.
	Name string
	// Sniff reports whether the file at path, possibly compressed, is in
	// this format, judging from its first lines.
	Sniff func(path string) bool
	// Convert converts the log at path into the trace file out (its
	// extension chooses Arrow or Parquet), writing warnings to warn.
	Convert func(path, out string, warn func(format string, args ...any)) error
	// Precise formats are sniffed before the others: their Sniff tells
	// them apart from the lenient ones (a truss line also parses as a
	// strace line without a pid).
	Precise bool
}

var (
	textMu      sync.RWMutex
	textFormats []*TextFormat
)

// RegisterTextFormat adds a text format that OpenAny falls back to.
func RegisterTextFormat(f *TextFormat) {
	textMu.Lock()
	defer textMu.Unlock()
	textFormats = append(textFormats, f)
}

// TextFormats returns the registered text formats.
func TextFormats() []*TextFormat {
	textMu.RLock()
	defer textMu.RUnlock()
	return append([]*TextFormat(nil), textFormats...)
}

// SniffText returns the registered text format of the file at path, or nil.
func SniffText(path string) *TextFormat {
	all := TextFormats()
	for _, precise := range []bool{true, false} {
		for _, f := range all {
			if f.Precise == precise && f.Sniff(path) {
				return f
			}
		}
	}
	return nil
}

// OpenAny opens a trace file like Open; a file that is not a table but a
// log of a registered text format is converted first, into a temporary
// Arrow file that is deleted when the Reader is closed (on Linux, as soon as
// it is open). warn, which may be nil, receives the converter's warnings.
func OpenAny(path string, mem memory.Allocator, warn func(format string, args ...any)) (*Reader, error) {
	r, err := Open(path, mem)
	if err == nil || !errors.Is(err, ErrNotTable) {
		return r, err
	}
	tf := SniffText(path)
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
