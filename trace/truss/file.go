package truss

import (
	"fmt"
	"io"

	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/decompress"
	"github.com/forkcost/forkcost/trace/textconv"
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
	return bsd.ConvertSource(rd, "truss", disp, out, cfg.Config, bsd.Options{Truss: true, CommMax: 19}) // FreeBSD MAXCOMLEN
}

// SniffFile reports whether the file at path (possibly compressed) is
// truss output.
func SniffFile(path string) bool { return textconv.DetectFile(path) == "truss" }

// ReadAll reads every record of r, for tests and small tools.
func ReadAll(r io.Reader, name string) ([]bsd.Record, []bsd.SyntaxError, error) {
	return bsd.Collect(NewReader(r, name))
}

func init() {
	textconv.Register(&textconv.Format{
		Name:  "truss",
		Score: Score,
		Convert: bsd.FormatConvert("truss", func(name, out string, cfg bsd.Config, form bsd.TimeForm) (*bsd.Stats, error) {
			if cfg.OS != "" && cfg.OS != "freebsd" {
				return nil, fmt.Errorf("--os %s: truss logs are FreeBSD's", cfg.OS)
			}
			return ConvertFile(name, out, Config{Config: cfg, Form: form})
		}),
	})
}
