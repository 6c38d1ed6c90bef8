package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// traceDir makes dir/traces with n copies of the small trace (a.arrow,
// b.arrow, ... in a subdirectory for the last) and, with corrupt, a file
// that is not a trace, named to sort in the middle.
func traceDir(t *testing.T, n int, corrupt bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "traces")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := buildTrace(t, "small", t.TempDir())
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		name := filepath.Join(dir, string(rune('a'+i))+".arrow")
		if i == n-1 {
			name = filepath.Join(dir, "sub", "z.arrow")
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if corrupt {
		// A truncated trace: the Arrow magic, then nothing.
		if err := os.WriteFile(filepath.Join(dir, "b-corrupt.arrow"), data[:len(data)/2], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a trace"), 0o644)
	return dir
}

func decodeSummary(t *testing.T, out string) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return s
}

// TestReplayDirectoryWithCorruptFile: the good traces are replayed, the
// bad one is reported at the end, the exit status is 1, and the totals are
// those of the good traces alone, whatever the number of workers.
func TestReplayDirectoryWithCorruptFile(t *testing.T) {
	inTempDir(t)
	dir := traceDir(t, 4, true)
	one, _, code := runCLI(t, "replay", "--format", "json", "small.arrow")
	if code != 0 {
		t.Fatal("single replay failed")
	}
	single := decodeSummary(t, one)
	var outs []string
	for _, jobs := range []string{"1", "2", "3"} {
		out, errs, code := runCLI(t, "replay", "--format", "json", "--jobs", jobs, dir)
		if code != 1 {
			t.Fatalf("--jobs %s: exit %d, want 1", jobs, code)
		}
		if !strings.Contains(errs, "1 of 5 traces could not be replayed") || !strings.Contains(errs, "b-corrupt.arrow") {
			t.Errorf("stderr does not report the corrupt file:\n%s", errs)
		}
		s := decodeSummary(t, out)
		tr := s["trace"].(map[string]any)
		if len(tr["inputs"].([]any)) != 4 || len(tr["failed"].([]any)) != 1 {
			t.Errorf("--jobs %s: %d inputs, %d failed", jobs, len(tr["inputs"].([]any)), len(tr["failed"].([]any)))
		}
		if tr["creations"].(float64) != 4*single["trace"].(map[string]any)["creations"].(float64) {
			t.Errorf("--jobs %s: creations %v, want 4 times one trace's", jobs, tr["creations"])
		}
		for i, m := range s["machines"].([]any) {
			got := m.(map[string]any)["saved_s"].(float64)
			want := 4 * single["machines"].([]any)[i].(map[string]any)["saved_s"].(float64)
			if d := got - want; d > 1e-12 || d < -1e-12 {
				t.Errorf("--jobs %s: saved %v, want %v", jobs, got, want)
			}
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] || outs[1] != outs[2] {
		t.Error("the output depends on the number of workers")
	}
	// The inputs come in the order of the arguments and, within a
	// directory, sorted, subdirectories included; notes.txt is skipped.
	s := decodeSummary(t, outs[0])
	var paths []string
	for _, in := range s["trace"].(map[string]any)["inputs"].([]any) {
		paths = append(paths, filepath.Base(in.(map[string]any)["path"].(string)))
	}
	if strings.Join(paths, " ") != "a.arrow b.arrow c.arrow z.arrow" {
		t.Errorf("inputs %v", paths)
	}
	// A quoted glob works as the shell's would.
	out, _, code := runCLI(t, "replay", "--format", "json", filepath.Join(dir, "[ac].arrow"))
	if code != 0 || len(decodeSummary(t, out)["trace"].(map[string]any)["inputs"].([]any)) != 2 {
		t.Errorf("glob: exit %d\n%s", code, out)
	}
	// The CSV says which trace is missing from its numbers.
	if out, _, _ := runCLI(t, "replay", "--format", "csv", dir); !strings.Contains(out, "# FAILED trace ") || !strings.Contains(out, "b-corrupt.arrow") {
		t.Errorf("CSV does not name the failed trace:\n%s", out)
	}
	if _, errs, code := runCLI(t, "replay", filepath.Join(dir, "*.nothing")); code != 1 || !strings.Contains(errs, "no file matches") {
		t.Errorf("glob matching nothing: exit %d %s", code, errs)
	}
}

// TestReplayDataset: --out writes machine=M/trace=T/part-0.parquet files
// whose rows sum to replay's headline.
func TestReplayDataset(t *testing.T) {
	tracetest.NeedParquet(t)
	inTempDir(t)
	dir := traceDir(t, 3, true)
	ds := filepath.Join(t.TempDir(), "ds")
	out, errs, code := runCLI(t, "replay", "--format", "json", "--kind", "fork,spawn,vfork", "--out", ds, dir)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	s := decodeSummary(t, out)
	parts, _ := filepath.Glob(filepath.Join(ds, "machine=*", "trace=*", "*.parquet"))
	if len(parts) != 6 { // 3 good traces x 2 machines; nothing for the corrupt one
		t.Fatalf("%d part files: %v", len(parts), parts)
	}
	if dirs, _ := filepath.Glob(filepath.Join(ds, "machine=*", "trace=b-corrupt")); len(dirs) != 0 {
		t.Errorf("the corrupt trace left partition directories: %v", dirs)
	}
	for _, m := range s["machines"].([]any) {
		mm := m.(map[string]any)
		name := mm["machine"].(string)
		var rows int64
		var saved, savedNat float64
		files, _ := filepath.Glob(filepath.Join(ds, "machine="+name, "trace=*", "part-0.parquet"))
		for _, f := range files {
			br, err := arrowio.OpenTable(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			sch := br.Schema()
			if len(sch.FieldIndices("machine")) != 0 || len(sch.FieldIndices("trace")) != 0 || len(sch.FieldIndices("trace_path")) != 1 {
				t.Errorf("%s: partition columns inside the file: %v", f, sch)
			}
			if md := sch.Metadata(); md.FindKey("forkcost.filters") < 0 || !strings.Contains(md.Values()[md.FindKey("forkcost.filters")], "kind fork,spawn,vfork") {
				t.Errorf("%s: the filters are not in the metadata", f)
			}
			for br.Next() {
				rec := br.RecordBatch()
				rows += rec.NumRows()
				sv := rec.Column(sch.FieldIndices("saved_ns")[0]).(*array.Float64)
				sn := rec.Column(sch.FieldIndices("saved_vs_native_ns")[0]).(*array.Float64)
				for i := 0; i < sv.Len(); i++ {
					saved += sv.Value(i)
					savedNat += sn.Value(i)
				}
			}
			if err := br.Err(); err != nil {
				t.Fatal(err)
			}
			br.Close()
		}
		if rows != int64(mm["evaluated"].(float64)) {
			t.Errorf("%s: %d rows, replay evaluated %v", name, rows, mm["evaluated"])
		}
		if d := saved/1e9 - mm["saved_s"].(float64); d > 1e-12 || d < -1e-12 {
			t.Errorf("%s: dataset saved %v s, replay %v", name, saved/1e9, mm["saved_s"])
		}
		if d := savedNat/1e9 - mm["saved_vs_native_s"].(float64); d > 1e-12 || d < -1e-12 {
			t.Errorf("%s: dataset saved vs native %v s, replay %v", name, savedNat/1e9, mm["saved_vs_native_s"])
		}
	}
	// A second run into the same directory is refused rather than mixed.
	if _, errs, code := runCLI(t, "replay", "--out", ds, dir); code != 1 || !strings.Contains(errs, "not empty") {
		t.Errorf("reusing a dataset directory: exit %d %s", code, errs)
	}
}

// TestPlotSharesReplaysEngine: plot replays through the same engine as
// replay: a trace that cannot be read is reported at the end and left out
// (exit 1, the figures of the others drawn), and the figures do not depend
// on --jobs.
func TestPlotSharesReplaysEngine(t *testing.T) {
	inTempDir(t)
	dir := traceDir(t, 3, true)
	var csvs []string
	for _, jobs := range []string{"1", "3"} {
		out := "figs" + jobs
		_, errs, code := runCLI(t, "plot", "--jobs", jobs, "--figure", "cumulative,machines,timeline", "--format", "svg", "--out", out, dir)
		if code != 1 {
			t.Fatalf("--jobs %s: exit %d, want 1: %s", jobs, code, errs)
		}
		if !strings.Contains(errs, "1 of 4 traces could not be replayed") || !strings.Contains(errs, "b-corrupt.arrow") {
			t.Errorf("--jobs %s: stderr does not report the corrupt file:\n%s", jobs, errs)
		}
		var all string
		for _, f := range []string{"cumulative.csv", "cumulative.svg", "machines.csv", "machines.svg", "timeline-ppro200.csv", "timeline-zen4.svg"} {
			data, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				t.Fatalf("--jobs %s: %v", jobs, err)
			}
			all += string(data)
		}
		// The provenance names the command, --jobs and all.
		csvs = append(csvs, strings.ReplaceAll(strings.ReplaceAll(all, "--jobs "+jobs, ""), out, "figs"))
	}
	if csvs[0] != csvs[1] {
		t.Error("the figures depend on the number of workers")
	}
	if _, errs, code := runCLI(t, "plot", "--out", "none", filepath.Join(dir, "b-corrupt.arrow")); code != 1 || !strings.Contains(errs, "nothing to plot") {
		t.Errorf("only a corrupt trace: exit %d: %s", code, errs)
	}
}
