package main

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dataRows drops dump's '#' metadata lines.
func dataRows(dump string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(dump, "\n") {
		if !strings.HasPrefix(l, "#") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// Converting a log and reading it raw (replay, dump: arrowio.OpenAny) give
// the same rows and the same replay, in every format: both go through the
// format registry with the same defaults (--max-held among them).
func TestConvertAndReplaySameRows(t *testing.T) {
	dir := t.TempDir()
	for i, log := range []string{
		"../../trace/strace/testdata/s_f_ttt_T.txt",
		"../../trace/strace/testdata/real/gobuild.strace.zst",
		"../../trace/kdump/testdata/netbsd_T.txt",
		"../../trace/kdump/testdata/openbsd_H_R.txt",
		"../../trace/truss/testdata/truss_f_d.txt",
	} {
		out := filepath.Join(dir, string(rune('a'+i))+".arrow")
		if _, stderr, code := runCLI(t, "convert", "-q", "-o", out, log); code != 0 {
			t.Fatalf("convert %s: exit %d: %s", log, code, stderr)
		}
		conv, _, code1 := runCLI(t, "dump", out)
		raw, stderr, code2 := runCLI(t, "dump", log)
		if code1 != 0 || code2 != 0 {
			t.Fatalf("dump %s: exit %d and %d: %s", log, code1, code2, stderr)
		}
		a, b := dataRows(conv), dataRows(raw)
		if n := strings.Count(a, "\n"); n < 10 {
			t.Fatalf("%s: only %d rows", log, n)
		}
		if a != b {
			t.Errorf("%s: convert gives %d rows, reading it raw %d, or different ones", log, strings.Count(a, "\n"), strings.Count(b, "\n"))
		}
		r1, _, _ := runCLI(t, "replay", out)
		r2, _, _ := runCLI(t, "replay", log)
		// The trace's name differs, and only that.
		r1 = strings.ReplaceAll(r1, out, log)
		if r1 != r2 || !strings.Contains(r1, "creations") {
			t.Errorf("%s: replay of the trace and of the raw log differ:\n%s\n---\n%s", log, r1, r2)
		}
	}
}

// A lenient conversion in which no line at all could be read is an error
// that counts the malformed lines and quotes the first ones with
// file:line, in every format: random bytes, and one line longer than the
// reader's limit (4 MiB).
func TestConvertNothingRead(t *testing.T) {
	dir := t.TempDir()
	random := make([]byte, 2<<20)
	rand.New(rand.NewSource(1)).Read(random)
	for i := range random {
		if random[i] == 0 {
			random[i] = 1 // a text with no line of any format, not a binary file
		}
	}
	randomLog := filepath.Join(dir, "random.log")
	longLog := filepath.Join(dir, "long.log")
	os.WriteFile(randomLog, random, 0o644)
	os.WriteFile(longLog, append(bytes.Repeat([]byte("x"), 5<<20), '\n'), 0o644)
	for _, from := range []string{"strace", "kdump", "truss"} {
		for _, log := range []string{randomLog, longLog} {
			out := filepath.Join(dir, from+".arrow")
			_, stderr, code := runCLI(t, "convert", "--from", from, "-o", out, log)
			if code != 1 || !strings.Contains(stderr, " as a "+from+" log (") || !strings.Contains(stderr, "malformed line") || !strings.Contains(stderr, log+":") {
				t.Errorf("--from %s %s: exit %d: %.400s", from, filepath.Base(log), code, stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("--from %s %s: wrote %s", from, filepath.Base(log), out)
			}
		}
	}
}

// convert --out DIR converts logs of every format, each recognised by
// content, into traces named after them.
func TestConvertDirectoryAllFormats(t *testing.T) {
	logs := t.TempDir()
	for from, to := range map[string]string{
		"../../trace/kdump/testdata/netbsd_T.txt":   "build.kdump",
		"../../trace/truss/testdata/truss_f_d.txt":  "make.truss",
		"../../trace/strace/testdata/s_f_ttt_T.txt": "prog.strace",
	} {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(logs, to), data, 0o644)
	}
	out := filepath.Join(t.TempDir(), "traces")
	if _, stderr, code := runCLI(t, "convert", "-q", "--out", out, logs); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for name, source := range map[string]string{"build": "kdump", "make": "truss", "prog": "strace"} {
		stdout, _, code := runCLI(t, "dump", "--limit", "1", filepath.Join(out, name+".arrow"))
		if code != 0 || !strings.HasPrefix(stdout, "# "+source+" trace") {
			t.Errorf("%s.arrow: exit %d: %.100s", name, code, stdout)
		}
	}
}
