package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forkcost/forkcost/calibrate"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
)

// TestCalibrateQuickEndToEnd measures this host with --quick through run,
// in-process (the helper is this test binary, re-executed), and checks that
// the profile validates, that --machine host finds it, and that validate
// reads its measurements.
func TestCalibrateQuickEndToEnd(t *testing.T) {
	if !calibrate.Supported {
		t.Skip("calibrate is not supported on this build (it needs Linux and cgo): " + calibrate.ErrNotSupported.Error())
	}
	if testing.Short() {
		t.Skip("-short: skipping a real --quick calibration (about 5-20 s of forks)")
	}
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	start := time.Now()
	out, errs, code := runCLI(t, "calibrate", "--quick", "--bootstrap", "50")
	elapsed := time.Since(start)
	if code != 0 {
		t.Fatalf("calibrate --quick: exit %d: %s\n%s", code, errs, out)
	}
	t.Logf("calibrate --quick took %v:\n%s", elapsed, out)
	if elapsed > time.Minute {
		t.Errorf("calibrate --quick took %v, want under a minute", elapsed)
	}
	path := filepath.Join(cfg, "forkcost", "host.toml")
	p, err := machines.LoadFile(path)
	if err != nil {
		t.Fatalf("the profile does not validate: %v", err)
	}
	if p.Name != "host" || p.Native != model.ForkCOWPTE {
		t.Errorf("profile name %q native %q", p.Name, p.Native)
	}
	measured := 0
	for name, prm := range p.Params {
		if strings.HasPrefix(prm.Source, "measured on ") {
			measured++
			if prm.Low == nil || prm.High == nil {
				t.Errorf("%s: measured but no interval", name)
			}
		}
	}
	if measured < 10 {
		t.Errorf("only %d parameters measured", measured)
	}
	for _, want := range []string{"fitted parameters", "not measured, kept from zen4", "wrote " + path} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// --machine host resolves to it, and the list shows it.
	out, errs, code = runCLI(t, "machines", "show", "host")
	if code != 0 || !strings.Contains(out, "measured on") {
		t.Errorf("machines show host: exit %d: %s\n%s", code, errs, out)
	}
	if out, _, _ := runCLI(t, "machines"); !strings.Contains(out, "host  ") && !strings.Contains(out, "\nhost") {
		t.Errorf("machines does not list host:\n%s", out)
	}
	// validate finds the measurements next to the profile.
	out, errs, code = runCLI(t, "validate", "--format", "json")
	if code != 0 {
		t.Fatalf("validate: exit %d: %s", code, errs)
	}
	var r struct {
		Rows []struct{ Group string } `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, row := range r.Rows {
		if row.Group == "host: held-out sizes" {
			held++
		}
	}
	if held < 20 {
		t.Errorf("%d held-out host rows", held)
	}
	// Refitting from the saved measurements gives the same profile body.
	again := filepath.Join(t.TempDir(), "again.toml")
	if _, errs, code := runCLI(t, "calibrate", "--from", filepath.Join(cfg, "forkcost", "host.measurements.json"), "--bootstrap", "50", "-o", again); code != 0 {
		t.Fatalf("calibrate --from: %s", errs)
	}
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(again)
	if string(a) != string(b) {
		t.Errorf("calibrate --from gave a different profile")
	}
}

func TestCalibrateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"calibrate", "--format", "xml"},
		{"calibrate", "--clock", "sundial"},
		{"calibrate", "extra"},
		{"calibrate", "--base", "cray1"},
		{"validate", "--format", "yaml"},
		{"validate", "extra"},
	} {
		if _, _, code := runCLI(t, args...); code != 2 {
			t.Errorf("analyze %v: exit %d, want 2", args, code)
		}
	}
}

// synthMeasurements are measurements made by the model itself from zen4,
// without noise: every held-out prediction must then be exact.
func synthMeasurements(t *testing.T) string {
	base, err := machines.Lookup("zen4")
	if err != nil {
		t.Fatal(err)
	}
	p := base.ModelParams()
	m := &calibrate.Measurements{Host: "model", Date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), PageSize: 4096, THP: "never", Micro: map[string][]float64{
		calibrate.NullSyscall: {p.SyscallNs}, calibrate.CtxSwitch: {p.CtxSwitchNs}, calibrate.PageCopyStream: {p.PageCopyNs},
		calibrate.TLBWalkDense: {10}, calibrate.TLBWalkSparse: {10 + p.TLBRefillNs},
	}}
	for _, mib := range []int{0, 1, 4, 16, 64} {
		s := &calibrate.Series{Kind: calibrate.Touched, MiB: mib, Samples: map[string][]float64{},
			Space: calibrate.Space{RSSBytes: int64(mib)<<20 + 2<<20, AnonBytes: int64(mib)<<20 + 128<<10, MapEntries: 25}}
		for _, c := range calibrate.Checks {
			v := calibrate.Predict(p, s, c)
			for _, clock := range []string{calibrate.CPU, calibrate.Wall} {
				if c.Name == calibrate.ParentWriteFaults {
					s.Samples[calibrate.Key(calibrate.WriteAfterFork, clock)] = []float64{v + 100}
					s.Samples[calibrate.Key(calibrate.WriteBaseline, clock)] = []float64{100}
					continue
				}
				s.Samples[calibrate.Key(c.Name, clock)] = []float64{v}
			}
		}
		m.Series = append(m.Series, s)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.measurements.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestValidateJSONShape(t *testing.T) {
	meas := synthMeasurements(t)
	dir := t.TempDir()
	out, errs, code := runCLI(t, "validate", "--measurements", meas, "--format", "json", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"host", "rows", "groups", "by_sequence", "targets"} {
		if _, ok := r[k]; !ok {
			t.Errorf("no key %q in %s", k, out[:min(len(out), 300)])
		}
	}
	var rows []map[string]any
	json.Unmarshal(r["rows"], &rows)
	groups := map[string]int{}
	for _, row := range rows {
		for _, k := range []string{"group", "id", "machine", "strategy", "sequence", "what", "unit", "mib", "predicted", "observed", "rel_err", "used", "source"} {
			if _, ok := row[k]; !ok {
				t.Fatalf("row lacks %q: %v", k, row)
			}
		}
		g := row["group"].(string)
		groups[g]++
		if g == "host: held-out sizes" {
			if e := row["rel_err"].(float64); math.Abs(e) > 1e-3 {
				t.Errorf("model-made measurements, yet %s %s is off by %v", row["id"], row["what"], e)
			}
		}
	}
	if groups["host: held-out sizes"] != 30 || groups["published figures"] < 10 {
		t.Errorf("rows per group: %v", groups)
	}
	var sums []struct {
		Group        string  `json:"group"`
		Counted      int     `json:"counted"`
		MedianAbsRel float64 `json:"median_abs_rel_err"`
	}
	json.Unmarshal(r["groups"], &sums)
	if len(sums) < 3 {
		t.Errorf("groups: %s", r["groups"])
	}
	var targets []struct {
		What string `json:"what"`
		Met  bool   `json:"met"`
	}
	json.Unmarshal(r["targets"], &targets)
	if len(targets) != 3 || !targets[0].Met {
		t.Errorf("targets: %s", r["targets"])
	}
	for _, f := range []string{"validate.json", "rows.csv", "predicted-vs-observed.svg", "residuals-vs-size.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 100 {
			t.Errorf("--out: %s: %v", f, err)
		}
	}
}

func TestValidateWithoutHost(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	out, errs, code := runCLI(t, "validate")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"this host has not been calibrated", "P2", "lmbench", "used: exec_load_ns", "published figures: ppro200"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	md, _, _ := runCLI(t, "validate", "--no-host", "--format", "markdown")
	if !strings.Contains(md, "| id | machine |") || !strings.Contains(md, "## targets") {
		t.Errorf("markdown:\n%s", md)
	}
}
