package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace/arrowio"
)

// convert --from auto recognises kdump and truss logs by content, and the
// raw logs replay directly.
func TestConvertBSD(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ from, log, source, os string }{
		{"auto", "../../trace/kdump/testdata/netbsd_T.txt", "kdump", "netbsd"},
		{"kdump", "../../trace/kdump/testdata/openbsd_H_R.txt", "kdump", "openbsd"},
		{"auto", "../../trace/kdump/testdata/freebsd_A_T.txt", "kdump", "freebsd"},
		{"auto", "../../trace/kdump/testdata/dragonfly_T.txt", "kdump", "dragonfly"},
		{"auto", "../../trace/truss/testdata/truss_f_d.txt", "truss", "freebsd"},
		{"truss", "../../trace/truss/testdata/truss_nof.txt", "truss", "freebsd"},
		{"auto", "../../trace/strace/testdata/s_f_tt.txt", "strace", "linux"},
	}
	for i, c := range cases {
		out := filepath.Join(dir, string(rune('a'+i))+".arrow")
		_, stderr, code := runCLI(t, "convert", "--from", c.from, "-o", out, c.log)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.log, code, stderr)
		}
		if !strings.Contains(stderr, "wrote "+out) {
			t.Errorf("%s: %s", c.log, stderr)
		}
		r, err := arrowio.Open(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := r.Meta()
		r.Close()
		if m.Source != c.source || m.SourceOS != c.os {
			t.Errorf("%s: source %s os %s", c.log, m.Source, m.SourceOS)
		}
	}
	_, stderr, code := runCLI(t, "convert", "--from", "kdump", "-o", filepath.Join(dir, "s.arrow"), "../../trace/strace/testdata/s_i.txt")
	if code != 1 || !strings.Contains(stderr, "no line could be read as a kdump log") {
		t.Errorf("a strace log read as kdump: exit %d: %s", code, stderr)
	}
	stdout, stderr, code := runCLI(t, "replay", "../../trace/kdump/testdata/netbsd_T.txt")
	if code != 0 || !strings.Contains(stdout, "4 process creations, 3 eligible for vfork") {
		t.Errorf("replay of a raw kdump log: %d %s %s", code, stdout, stderr)
	}
	// A log without timestamps: replay says its times are synthetic.
	for log, want := range map[string]string{
		"../../trace/kdump/testdata/openbsd_none.txt": `"time_synthetic": true`,
		"../../trace/kdump/testdata/openbsd_T.txt":    `"time_synthetic": false`,
		"../../trace/truss/testdata/truss_f_D.txt":    `"time_synthetic": true`,
	} {
		stdout, stderr, code = runCLI(t, "replay", "--format", "json", log)
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("replay --format json %s: exit %d, want %s: %s", log, code, want, stderr)
		}
	}
	_, stderr, code = runCLI(t, "convert", "--from", "kdump", "--os", "plan9", "-o", filepath.Join(dir, "x.arrow"), "../../trace/kdump/testdata/netbsd_T.txt")
	if code == 0 || !strings.Contains(stderr, "--os") {
		t.Errorf("bad --os: %d %s", code, stderr)
	}
	_, stderr, code = runCLI(t, "convert", "--strict", "--from", "kdump", "-o", filepath.Join(dir, "y.arrow"), "../../trace/truss/testdata/truss_f.txt")
	if code == 0 || !strings.Contains(stderr, "truss_f.txt:1:") {
		t.Errorf("--strict on a truss log read as kdump: %d %s", code, stderr)
	}
}

// A binary ktrace.out given as is gets told how to render it.
func TestConvertBinaryKtrace(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "ktrace.out")
	if err := os.WriteFile(in, []byte("\x00\x00\x00\x10\x01\x00\x02\x00binary ktrace records"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "convert", "-o", filepath.Join(dir, "x.arrow"), in)
	if code != 1 || !strings.Contains(stderr, "kdump -T -f") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
