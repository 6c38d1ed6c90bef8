package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// validate --trace on a small trace with measured costs: the JSON contract
// of the issue, the text table, and the files --out writes.
func TestValidateTraceContract(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "measured.arrow")
	w, err := arrowio.Create(path, trace.Meta{Source: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap := func(mib int64) trace.Snapshot {
		return trace.Snapshot{VirtBytes: mib << 21, WritableBytes: mib << 20, ResidentBytes: mib << 20, WritableResidentBytes: mib << 19, AnonResidentBytes: mib << 19,
			MapEntries: 25, ParentThreads: 1, PageSize: 4096, Source: trace.Recorded}
	}
	evs := []trace.Event{
		{TimeNs: 1, PID: 10, Kind: trace.Fork, ChildPID: 11, Comm: "make", Snapshot: snap(4), HasSnapshot: true,
			CreateNs: 150_000, HasCreateNs: true, PostCreateFaults: 40, HasPostCreateFaults: true},
		{TimeNs: 2, PID: 11, Kind: trace.Exec, Comm: "sh", ExecNs: 400_000, HasExecNs: true},
		{TimeNs: 3, PID: 11, Kind: trace.Spawn, ChildPID: 12, Comm: "sh", Snapshot: snap(2), HasSnapshot: true,
			CreateNs: 60_000, HasCreateNs: true, ParentBlockedNs: 500_000, HasParentBlockedNs: true},
		{TimeNs: 4, PID: 12, Kind: trace.Exec, Comm: "cc1", ExecNs: 700_000, HasExecNs: true},
		{TimeNs: 5, PID: 10, Kind: trace.Fork, ChildPID: 13, Comm: "make", Snapshot: snap(300), HasSnapshot: true,
			CreateNs: 9_000_000, HasCreateNs: true},
	}
	for i := range evs {
		if err := w.Append(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "validate", "--trace", path, "--machine", "zen4", "--format", "json", "--out", filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Traces    []string `json:"traces"`
		Creations int      `json:"creations"`
		Compared  int      `json:"compared"`
		Sequences map[string]struct {
			Median *float64  `json:"median_abs_rel_err"`
			IQR    []float64 `json:"iqr"`
			Bins   []struct {
				MinMiB *float64 `json:"min_mib"`
				MaxMiB *float64 `json:"max_mib"`
				N      *int     `json:"n"`
				Median *float64 `json:"median_abs_rel_err"`
			} `json:"bins"`
		} `json:"sequences"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(r.Traces) != 1 || r.Creations != 3 || r.Compared != 3 {
		t.Errorf("traces %v creations %d compared %d", r.Traces, r.Creations, r.Compared)
	}
	for _, seq := range []string{"create", "exec", "parent_blocked", "faults"} {
		s, ok := r.Sequences[seq]
		if !ok {
			t.Errorf("no sequence %q in %s", seq, out)
			continue
		}
		if s.Median == nil || len(s.IQR) != 2 || len(s.Bins) != 4 || s.Bins[0].MinMiB == nil || s.Bins[0].MaxMiB == nil || s.Bins[0].N == nil || s.Bins[0].Median == nil {
			t.Errorf("%s: %+v", seq, s)
		}
	}
	if c := r.Sequences["create"]; c.Bins[3].N == nil || *c.Bins[3].N != 1 || *c.Bins[1].N != 2 {
		t.Errorf("create bins: want 2 creations at 1-16 MiB and one at 256 and up")
	}
	for _, f := range []string{"validate-trace.json", "creations.csv", "predicted-vs-measured.svg", "predicted-vs-measured.csv", "residuals-vs-size.svg", "residuals-vs-size.csv"} {
		if st, err := os.Stat(filepath.Join(dir, "out", f)); err != nil || st.Size() < 100 {
			t.Errorf("--out: %s: %v", f, err)
		}
	}
	// The figures are plots kinds: the shared style, and the provenance.
	if svg, _ := os.ReadFile(filepath.Join(dir, "out", "predicted-vs-measured.svg")); !strings.Contains(string(svg), `<metadata id="forkcost-provenance">`) || !strings.Contains(string(svg), "machine zen4 sha256:") {
		t.Errorf("predicted-vs-measured.svg lacks its provenance")
	}
	if _, errs, code := runCLI(t, "validate", "--trace", path, "--machine", "zen4", "--out", filepath.Join(dir, "pdf"), "--figures", "pdf,png"); code != 0 {
		t.Errorf("--figures pdf,png: exit %d: %s", code, errs)
	} else if _, err := os.Stat(filepath.Join(dir, "pdf", "residuals-vs-size.png")); err != nil {
		t.Errorf("--figures pdf,png: %v", err)
	}
	text, errs, code := runCLI(t, "validate", "--trace", path, "--machine", "zen4")
	if code != 0 || !strings.Contains(text, "create_ns") || !strings.Contains(text, "worst create_ns bin") {
		t.Errorf("text: exit %d: %s\n%s", code, errs, text)
	}
	if _, errs, code := runCLI(t, "validate", "--machine", "zen4"); code == 0 || !strings.Contains(errs, "--trace") {
		t.Errorf("--machine without --trace: exit %d: %s", code, errs)
	}
}

// The recorded build (testdata/recorded/make-j2-ebpf.arrow, real eBPF
// measurements): every creation is compared, in the size bin its parents
// really had, and the measured costs are what a kernel takes (tens of
// microseconds to create, more to exec), not zeros or garbage.
func TestValidateRecordedBuild(t *testing.T) {
	out, errs, code := runCLI(t, "validate", "--trace", filepath.Join("..", "..", "testdata", "recorded", "make-j2-ebpf.arrow"), "--machine", "zen4", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Creations int `json:"creations"`
		Compared  int `json:"compared"`
		Sequences map[string]struct {
			N    int `json:"n"`
			Bins []struct {
				N int `json:"n"`
			} `json:"bins"`
			Kinds []struct {
				Kind string `json:"kind"`
				N    int    `json:"n"`
			} `json:"kinds"`
		} `json:"sequences"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Creations != 307 || r.Compared != 307 {
		t.Errorf("creations %d, compared %d; want 307 of 307", r.Creations, r.Compared)
	}
	c := r.Sequences["create"]
	if c.N != 307 || c.Bins[1].N != 307 || len(c.Kinds) != 2 || c.Kinds[0].Kind != "spawn" || c.Kinds[1].Kind != "vfork" {
		t.Errorf("create: %+v", c)
	}
	if e := r.Sequences["exec"]; e.N != 307 {
		t.Errorf("exec: %d compared, want every child's exec", e.N)
	}
	rd, err := arrowio.Open(filepath.Join("..", "..", "testdata", "recorded", "make-j2-ebpf.arrow"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for rd.Next() {
		ev := rd.Event()
		if ev.HasCreateNs && (ev.CreateNs < 5_000 || ev.CreateNs > 50_000_000) {
			t.Errorf("row %d: create_ns %d is not a creation's cost", rd.Row(), ev.CreateNs)
		}
	}
}
