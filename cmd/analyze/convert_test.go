package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

const samples = "../../trace/strace/testdata/"

func rows(t *testing.T, path string) map[trace.Kind]int {
	t.Helper()
	rd, err := arrowio.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	m := map[trace.Kind]int{}
	for rd.Next() {
		m[rd.Event().Kind]++
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	if rd.Meta().Source != "strace" {
		t.Errorf("source %q", rd.Meta().Source)
	}
	return m
}

func TestConvertCLI(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "a.arrow")
	_, stderr, code := runCLI(t, "convert", "-o", out, samples+"s_f_ttt_T.txt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "fork 4, vfork 1, spawn 1") {
		t.Errorf("summary: %s", stderr)
	}
	want := rows(t, out)
	if want[trace.Fork] != 4 || want[trace.Exec] != 5 {
		t.Fatalf("rows %v", want)
	}

	// Compressed input, recognised by content; Parquet output.
	gz := filepath.Join(dir, "log.gz")
	raw, _ := os.ReadFile(samples + "s_f_ttt_T.txt")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	os.WriteFile(gz, b.Bytes(), 0o644)
	pq := filepath.Join(dir, "b.parquet")
	if !arrowio.HasFormat("parquet") { // opt-in: -tags parquet
		pq = filepath.Join(dir, "b.arrow")
	}
	if _, stderr, code := runCLI(t, "convert", "-q", "-o", pq, gz); code != 0 {
		t.Fatalf("gzip: exit %d: %s", code, stderr)
	}
	if got := rows(t, pq); got[trace.Exec] != want[trace.Exec] || got[trace.Mmap] != want[trace.Mmap] {
		t.Errorf("gzip input: %v, want %v", got, want)
	}
	if _, err := exec.LookPath("zstd"); err == nil {
		zst := filepath.Join(dir, "log.zst")
		if err := exec.Command("zstd", "-q", "-o", zst, samples+"s_f_ttt_T.txt").Run(); err == nil {
			if _, stderr, code := runCLI(t, "convert", "-q", "-o", filepath.Join(dir, "c.arrow"), zst); code != 0 {
				t.Fatalf("zstd: exit %d: %s", code, stderr)
			}
		}
	}

	// An -ff set named by its prefix.
	ff := filepath.Join(dir, "ff.arrow")
	if _, stderr, code := runCLI(t, "convert", "-q", "-o", ff, samples+"ff/s_ff"); code != 0 {
		t.Fatalf("-ff: exit %d: %s", code, stderr)
	}
	if got := rows(t, ff); got[trace.Fork] != 4 || got[trace.VFork] != 1 || got[trace.Spawn] != 1 {
		t.Errorf("-ff rows %v", got)
	}
}

func TestConvertBadLines(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "bad.strace")
	raw, _ := os.ReadFile(samples + "s_f_ttt_T.txt")
	lines := strings.SplitAfter(string(raw), "\n")
	bad := lines[0] + "this is not strace\n" + strings.Join(lines[1:], "") + "\x00\xff binary \x01\n"
	os.WriteFile(log, []byte(bad), 0o644)
	out := filepath.Join(dir, "out.arrow")
	_, stderr, code := runCLI(t, "convert", "-o", out, log)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "bad.strace:2: expected a system call") || !strings.Contains(stderr, "skipped 2 malformed lines") {
		t.Errorf("stderr does not report the bad lines with file:line:\n%s", stderr)
	}
	if got := rows(t, out); got[trace.Fork] != 4 {
		t.Errorf("bad lines corrupted the conversion: %v", got)
	}
	// --strict: the first bad line is an error, and no output appears.
	out2 := filepath.Join(dir, "strict.arrow")
	_, stderr, code = runCLI(t, "convert", "--strict", "-o", out2, log)
	if code != 1 || !strings.Contains(stderr, "bad.strace:2:") {
		t.Errorf("--strict: exit %d, stderr %s", code, stderr)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Errorf("--strict left an output file")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestConvertUsage(t *testing.T) {
	dir := t.TempDir()
	if _, _, code := runCLI(t, "convert", "--bogus", "x"); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
	if _, _, code := runCLI(t, "convert"); code != 2 {
		t.Errorf("no LOG: exit %d, want 2", code)
	}
	if _, _, code := runCLI(t, "convert", "--resident-fraction", "0", samples+"s_i.txt"); code != 2 {
		t.Errorf("--resident-fraction 0: exit %d, want 2", code)
	}
	if _, _, code := runCLI(t, "convert", "--from", "dtrace", samples+"s_i.txt"); code != 2 {
		t.Errorf("--from dtrace: exit %d, want 2", code)
	}
	if _, _, code := runCLI(t, "convert", "-o", filepath.Join(dir, "x.csv"), samples+"s_i.txt"); code != 2 {
		t.Errorf("bad output extension: exit %d, want 2", code)
	}
	notlog := filepath.Join(dir, "readme.txt")
	os.WriteFile(notlog, []byte("Hello,\nthis is a letter.\nRegards\n"), 0o644)
	_, stderr, code := runCLI(t, "convert", "-o", filepath.Join(dir, "x.arrow"), notlog)
	if code != 1 || !strings.Contains(stderr, "not recognised as a strace log") {
		t.Errorf("--from auto on a letter: exit %d: %s", code, stderr)
	}
	if out, _, code := runCLI(t, "convert", "--help"); code != 0 || !strings.Contains(out, "--resident-fraction") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}

func TestConvertStdin(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Open(samples + "s_kill_core.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	out := filepath.Join(dir, "in.arrow")
	if _, stderr, code := runCLI(t, "convert", "-q", "-o", out, "-"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := rows(t, out); got[trace.Exit] != 6 {
		t.Errorf("rows %v", got)
	}
}

func TestReplayRawLog(t *testing.T) {
	out, stderr, code := runCLI(t, "replay", "--format", "json", samples+"s_f_ttt_T.txt")
	if code != 0 {
		t.Fatalf("replay of a raw strace log: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `"creations"`) {
		t.Errorf("replay output: %.300s", out)
	}
}
