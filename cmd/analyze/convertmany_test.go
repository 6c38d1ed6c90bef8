package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace/arrowio"
)

// TestConvertDirectory: convert --out converts each log of a directory
// (an -ff set as one trace) in parallel, keeps going past a file that is
// not a log, reports it at the end and exits 1; each trace is the one
// convert -o makes of the same log.
func TestConvertDirectory(t *testing.T) {
	src, _ := filepath.Abs("../../trace/strace/testdata")
	logs := filepath.Join(t.TempDir(), "logs")
	os.MkdirAll(filepath.Join(logs, "ff"), 0o755)
	cp := func(from, to string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cp(filepath.Join(src, "s_f_ttt_T.txt"), filepath.Join(logs, "a.strace"))
	cp(filepath.Join(src, "s_f_tt.txt"), filepath.Join(logs, "b.txt"))
	ffs, _ := filepath.Glob(filepath.Join(src, "ff", "s_ff.*"))
	if len(ffs) < 2 {
		t.Fatalf("no -ff test logs: %v", ffs)
	}
	for _, f := range ffs {
		cp(f, filepath.Join(logs, "ff", filepath.Base(f)))
	}
	os.WriteFile(filepath.Join(logs, "NOTES"), []byte("not a log\n"), 0o644)
	out := filepath.Join(t.TempDir(), "traces")
	for _, jobs := range []string{"1", "2"} {
		os.RemoveAll(out)
		_, errs, code := runCLI(t, "convert", "--jobs", jobs, "--out", out, logs)
		if code != 1 || !strings.Contains(errs, "1 of 4 logs could not be converted") || !strings.Contains(errs, "NOTES: not recognised") {
			t.Fatalf("--jobs %s: exit %d:\n%s", jobs, code, errs)
		}
		got, _ := filepath.Glob(filepath.Join(out, "*"))
		var names []string
		for _, g := range got {
			names = append(names, filepath.Base(g))
		}
		if strings.Join(names, " ") != "a.arrow b.arrow s_ff.arrow" {
			t.Errorf("--jobs %s: wrote %v", jobs, names)
		}
	}
	// The same rows as converting each on its own.
	one := filepath.Join(t.TempDir(), "one.arrow")
	if _, errs, code := runCLI(t, "convert", "-q", "-o", one, filepath.Join(logs, "ff", "s_ff")); code != 0 {
		t.Fatalf("convert -o of the -ff set: %s", errs)
	}
	a, _, _ := runCLI(t, "dump", one)
	b, _, _ := runCLI(t, "dump", filepath.Join(out, "s_ff.arrow"))
	if a != b {
		t.Error("the -ff set converted in a directory differs from convert -o")
	}
	// A quoted glob, Parquet output.
	pq, to := filepath.Join(t.TempDir(), "pq"), "parquet"
	if !arrowio.HasFormat("parquet") { // opt-in: -tags parquet
		to = "arrow"
	}
	if _, errs, code := runCLI(t, "convert", "-q", "--to", to, "--out", pq, filepath.Join(logs, "*.*")); code != 0 {
		t.Fatalf("glob: exit %d: %s", code, errs)
	}
	if got, _ := filepath.Glob(filepath.Join(pq, "*."+to)); len(got) != 2 {
		t.Errorf("glob: %v", got)
	}
	if _, _, code := runCLI(t, "convert", "-o", "x.arrow", "--out", pq, logs); code != 2 {
		t.Errorf("-o with --out: exit %d, want 2", code)
	}
}
