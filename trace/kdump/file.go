package kdump

import (
	"io"

	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/decompress"
	"github.com/forkcost/forkcost/trace/textconv"
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
	r, closeR, err := decompress.Open(name, cfg.Stdin)
	if err != nil {
		return nil, err
	}
	defer closeR()
	disp := textconv.Input{Name: name}.DisplayName()
	rd := NewReader(r, disp)
	if cfg.Form != 0 {
		rd.Form = cfg.Form
	}
	rd.ForceOS = cfg.OS
	return bsd.ConvertSource(rd, "kdump", disp, out, cfg.Config, bsd.Options{CommMax: commMax(rd.OS())})
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
func SniffFile(path string) bool { return textconv.DetectFile(path) == "kdump" }

// ReadAll reads every record of r into a slice of copies, for tests and
// small tools; syntax errors are returned apart.
func ReadAll(r io.Reader, name string) ([]bsd.Record, []bsd.SyntaxError, error) {
	rd := NewReader(r, name)
	return bsd.Collect(rd)
}

func init() {
	textconv.Register(&textconv.Format{
		Name:  "kdump",
		Score: Score,
		Convert: bsd.FormatConvert("kdump", func(name, out string, cfg bsd.Config, form bsd.TimeForm) (*bsd.Stats, error) {
			return ConvertFile(name, out, Config{Config: cfg, Form: form, OS: cfg.OS})
		}),
	})
}
