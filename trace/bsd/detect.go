package bsd

import (
	"bytes"

	"github.com/forkcost/forkcost/trace/decompress"
	"github.com/forkcost/forkcost/trace/textconv"
)

// Head returns the first 64 KiB of the file at path, decompressed, cut
// after its last complete line; nil if it cannot be read.
func Head(path string) []byte { return decompress.HeadFile(path, textconv.HeadBytes) }

// Detect tells the registered text formats (strace, kdump, truss, when
// their packages are linked in) apart by content: textconv.Detect. It
// returns "" when no format fits.
func Detect(head []byte) string { return textconv.Detect(head) }

// Collect reads every record of src into copies.
func Collect(src Source) ([]Record, []SyntaxError, error) {
	var recs []Record
	var errs []SyntaxError
	for src.Next() {
		if r := src.Record(); r != nil {
			c := *r
			c.Comm = bytes.Clone(r.Comm)
			c.Name = bytes.Clone(r.Name)
			c.Args = bytes.Clone(r.Args)
			c.Text = bytes.Clone(r.Text)
			c.SigName = bytes.Clone(r.SigName)
			c.Info = bytes.Clone(r.Info)
			recs = append(recs, c)
		} else if e := src.SyntaxError(); e != nil {
			errs = append(errs, *e)
		}
	}
	return recs, errs, src.Err()
}
