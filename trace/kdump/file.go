package kdump

import (
	"io"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
)

// Config is a conversion of one kdump text into one trace file.
type Config struct {
	bsd.Config
	// Form, when not TimeAuto (or 0), forces the time form.
	Form bsd.TimeForm
	// OS, when set, forces the OS named in the trace.
	OS string
}

// ConvertFile converts the kdump text in the file name ("-" for
// cfg.Stdin; gzip and zstd are recognised) into the trace file out.
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
	rd.ForceOS = cfg.OS
	c := cfg.Config
	c.Format = "kdump"
	c.CommMax = commMax(rd.OS())
	return bsd.ConvertSource(rd, disp, out, c)
}

// commMax is the kernel's command-name length (MAXCOMLEN) of os.
func commMax(os string) int {
	switch os {
	case "netbsd", "dragonfly":
		return 16
	case "openbsd":
		return 23
	}
	return 19
}

// SniffFile reports whether the file at path (possibly compressed) is
// kdump output.
func SniffFile(path string) bool {
	head := bsd.Head(path)
	return head != nil && bsd.Detect(head) == "kdump"
}

// ReadAll reads every record of r into a slice of copies, for tests and
// small tools; syntax errors are returned apart.
func ReadAll(r io.Reader, name string) ([]bsd.Record, []bsd.SyntaxError, error) {
	rd := NewReader(r, name)
	return bsd.Collect(rd)
}

func init() {
	trace.RegisterTextFormat(&trace.TextFormat{
		Name:    "kdump",
		Sniff:   SniffFile,
		Precise: true,
		Convert: func(path, out string, warn func(string, ...any)) error {
			_, err := ConvertFile(path, out, Config{Config: bsd.Config{Warn: warn}})
			return err
		},
	})
}
