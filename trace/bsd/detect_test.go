package bsd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/kdump"
	_ "github.com/forkcost/forkcost/trace/strace" // registers strace for Detect
	"github.com/forkcost/forkcost/trace/truss"
)

// Detect tells every fixture of the three converters apart by content.
func TestDetect(t *testing.T) {
	want := map[string]string{
		"../strace/testdata/*.txt": "strace",
		"../kdump/testdata/*.txt":  "kdump",
		"../truss/testdata/*.txt":  "truss",
	}
	n := 0
	for glob, format := range want {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			head := bsd.Head(f)
			if got := bsd.Detect(head); got != format {
				t.Errorf("%s: detected %q, want %s", f, got, format)
			}
			n++
		}
	}
	if n < 40 {
		t.Errorf("only %d files", n)
	}
	for _, text := range []string{"", "hello world\n", "\x00\x01\x02"} {
		if got := bsd.Detect([]byte(text)); got != "" {
			t.Errorf("%q detected as %s", text, got)
		}
	}
}

// OpenAny's text formats: kdump and truss logs are sniffed before strace.
func TestSniffText(t *testing.T) {
	for path, want := range map[string]string{
		"../kdump/testdata/netbsd_T.txt":  "kdump",
		"../truss/testdata/truss_nof.txt": "truss",
		"../strace/testdata/s_nof.txt":    "strace",
	} {
		tf := trace.SniffText(path)
		if tf == nil || tf.Name != want {
			t.Errorf("%s: %v, want %s", path, tf, want)
		}
	}
}

// ConvertFile writes the metadata: the source, the OS, the time form, and
// time_synthetic for logs without timestamps.
func TestMetadata(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		conv      func(in, out string) error
		in        string
		source    string
		os        string
		synthetic bool
		start     bool
	}{
		{kd, "../kdump/testdata/netbsd_T.txt", "kdump", "netbsd", false, true},
		{kd, "../kdump/testdata/netbsd_none.txt", "kdump", "netbsd", true, false},
		{kd, "../kdump/testdata/freebsd_H_E.txt", "kdump", "freebsd", false, false},
		{kd, "../kdump/testdata/openbsd_H_R.txt", "kdump", "openbsd", false, false},
		{kd, "../kdump/testdata/dragonfly_T.txt", "kdump", "dragonfly", false, true},
		{tr, "../truss/testdata/truss_f_d.txt", "truss", "freebsd", false, false},
		{tr, "../truss/testdata/truss_f_D.txt", "truss", "freebsd", true, false},
	}
	for i, c := range cases {
		out := filepath.Join(dir, strings.Repeat("x", i+1)+".arrow")
		if err := c.conv(c.in, out); err != nil {
			t.Fatal(err)
		}
		r, err := arrowio.Open(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := r.Meta()
		r.Close()
		if m.Source != c.source || m.SourceOS != c.os || m.TimeSynthetic != c.synthetic || (m.StartUnixNs != 0) != c.start {
			t.Errorf("%s: %+v", c.in, m)
		}
		if m.Extra[bsd.MetaTimeForm] == "" || m.Extra[bsd.MetaBaseline] == "" {
			t.Errorf("%s: extra %v", c.in, m.Extra)
		}
	}
}

func kd(in, out string) error { _, err := kdump.ConvertFile(in, out, kdump.Config{}); return err }
func tr(in, out string) error { _, err := truss.ConvertFile(in, out, truss.Config{}); return err }

// --strict: the first malformed line, or unknown record type, is an error
// naming the file and line; without it both are skipped and counted.
func TestStrict(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, msg string }{
		{"   10 sh       CALL  fork\nnot kdump at all\n", ":2: not a kdump record"},
		{"   10 sh       CALL  fork\n   10 sh       ZZZZ  what\n", `:2: unknown record type "ZZZZ"`},
	} {
		in := filepath.Join(dir, "log.kdump")
		if err := writeFile(in, c.text); err != nil {
			t.Fatal(err)
		}
		_, err := kdump.ConvertFile(in, filepath.Join(dir, "o.arrow"), kdump.Config{Config: bsd.Config{Strict: true}})
		if err == nil || !strings.Contains(err.Error(), in+c.msg) {
			t.Errorf("strict: %v, want %s%s", err, in, c.msg)
		}
		st, err := kdump.ConvertFile(in, filepath.Join(dir, "o.arrow"), kdump.Config{})
		if err != nil || st.SyntaxErrors+st.UnknownRecords != 1 {
			t.Errorf("lenient: %v %+v", err, st)
		}
	}
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }
