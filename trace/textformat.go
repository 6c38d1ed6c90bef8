package trace

import "sync"

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
