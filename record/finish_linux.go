//go:build linux

package record

import (
	"os"
	"strings"
	"syscall"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// finish closes the recording's trace and puts it in place as output.
// The writer has flushed its batches to its temporary file as it went (a
// killed recording leaves them there for arrowio.Salvage); the metadata is
// amended, at the cost of a copy, only when the end brought news: an
// interruption, or exec attempts whose outcome was never seen.
func finish(w *arrowio.Writer, output string, meta trace.Meta, incomplete string, unknown []string) (trace.Meta, error) {
	meta.Incomplete = incomplete
	var amend func(*trace.Meta)
	if incomplete != "" || len(unknown) > 0 {
		joined := strings.Join(unknown, "\n")
		if len(unknown) > 0 {
			meta.Extra[MetaUnknownExec] = joined
		}
		amend = func(m *trace.Meta) {
			m.Incomplete = incomplete
			if len(unknown) > 0 {
				if m.Extra == nil {
					m.Extra = map[string]string{}
				}
				m.Extra[MetaUnknownExec] = joined
			}
		}
	}
	if err := w.CloseAmended(amend); err != nil {
		return meta, err
	}
	// The writer's temporary file is private (0600); a trace is not.
	chmodUmask(output, 0o644)
	return meta, nil
}

func chmodUmask(path string, mode os.FileMode) {
	old := syscall.Umask(0)
	syscall.Umask(old)
	os.Chmod(path, mode&^os.FileMode(old))
}
