package truss

import (
	"io"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
)

// Config is a conversion of one truss log into one trace file.
type Config struct {
	bsd.Config
	// Form, when not TimeAuto (or 0), forces the time form.
	Form bsd.TimeForm
}

// ConvertFile converts the truss log in the file name ("-" for cfg.Stdin;
// gzip and zstd are recognised) into the trace file out.
func ConvertFile(name, out string, cfg Config) (*bsd.Stats, error) {
	r, closeR, err := bsd.OpenFile(name, cfg.Stdin)
	if err != nil {
		return nil, err
	}
	defer closeR()
	disp := name
	if name == "-" {
		disp = "<stdin>"
	}
	rd := NewReader(r, disp)
	if cfg.Form != 0 {
		rd.Form = cfg.Form
	}
	c := cfg.Config
	c.Format = "truss"
	c.Truss = true
	c.CommMax = 19 // FreeBSD MAXCOMLEN
	return bsd.ConvertSource(rd, disp, out, c)
}

// SniffFile reports whether the file at path (possibly compressed) is
// truss output.
func SniffFile(path string) bool {
	head := bsd.Head(path)
	return head != nil && bsd.Detect(head) == "truss"
}

// ReadAll reads every record of r, for tests and small tools.
func ReadAll(r io.Reader, name string) ([]bsd.Record, []bsd.SyntaxError, error) {
	return bsd.Collect(NewReader(r, name))
}

func init() {
	trace.RegisterTextFormat(&trace.TextFormat{
		Name:    "truss",
		Sniff:   SniffFile,
		Precise: true,
		Convert: func(path, out string, warn func(string, ...any)) error {
			_, err := ConvertFile(path, out, Config{Config: bsd.Config{Warn: warn}})
			return err
		},
	})
}
