package main

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func readEvents(t *testing.T, rd *arrowio.Reader) []trace.Event {
	t.Helper()
	defer rd.Close()
	var evs []trace.Event
	for rd.Next() {
		ev := *rd.Event()
		ev.Argv = append([]string(nil), ev.Argv...)
		evs = append(evs, ev)
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestDefaultTraceIsFresh(t *testing.T) {
	// The embedded trace must be what 'synth libc-build --seed 1' makes
	// today; regenerate it with the command in internal/defaulttrace.
	dir := t.TempDir()
	if _, errs, code := runCLI(t, "synth", "libc-build", "--seed", "1", "-o", dir+"/fresh.arrow"); code != 0 {
		t.Fatal(errs)
	}
	fresh, err := arrowio.Open(dir+"/fresh.arrow", nil)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := defaulttrace.Synthetic.Open()
	if err != nil {
		t.Fatal(err)
	}
	if fm, em := fresh.Meta(), emb.Meta(); fm.Origin != em.Origin {
		t.Errorf("embedded trace origin %q, fresh %q", em.Origin, fm.Origin)
	}
	a, b := readEvents(t, fresh), readEvents(t, emb)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("embedded default trace is stale (%d events, fresh %d): run the command in internal/defaulttrace/defaulttrace.go", len(b), len(a))
	}
}

func TestSynthIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a", "b"} {
		runCLI(t, "synth", "libc-build", "--sources", "20", "--seed", "7", "-o", dir+"/"+p+".arrow")
	}
	runCLI(t, "synth", "libc-build", "--sources", "20", "--seed", "8", "-o", dir+"/c.arrow")
	a, _ := os.ReadFile(dir + "/a.arrow")
	b, _ := os.ReadFile(dir + "/b.arrow")
	c, _ := os.ReadFile(dir + "/c.arrow")
	if len(a) == 0 || string(a) != string(b) {
		t.Error("the same seed gave different files")
	}
	if string(a) == string(c) {
		t.Error("different seeds gave the same file")
	}
}

func TestDemoMatchesReplay(t *testing.T) {
	out, errs, code := runCLI(t)
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errs)
	}
	// The demo's headline numbers are replay's, on the embedded trace.
	dir := t.TempDir()
	os.WriteFile(dir+"/d.arrow", mustEmbedded(t), 0o644)
	js, errs, code := runCLI(t, "replay", "--format", "json", dir+"/d.arrow")
	if code != 0 {
		t.Fatal(errs)
	}
	var sum replay.Summary
	if err := json.Unmarshal([]byte(js), &sum); err != nil {
		t.Fatal(err)
	}
	// The second trace's lines: its what-if, then its saving on real forks.
	second := out[strings.Index(out, "embedded:libc-build.arrow:"):]
	for _, m := range sum.Machines {
		var lines []string
		for _, l := range strings.Split(second, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), m.Machine+" ") {
				lines = append(lines, l)
			}
		}
		if len(lines) != 2 || !strings.Contains(lines[0], report.Seconds(m.SavedS)) ||
			!strings.Contains(lines[1], "saves "+report.Seconds(m.SavedOnForksS)) {
			t.Errorf("demo lines for %s are %q; replay says %s what-if, %s on real forks", m.Machine, lines, report.Seconds(m.SavedS), report.Seconds(m.SavedOnForksS))
		}
	}
	if !strings.Contains(out, "8105 fork, 10803 vfork, 0 spawn, 0 clone") || sum.Trace.CreationsByKind["fork"] != 8105 {
		t.Errorf("the demo or replay does not count the creations by kind: %v", sum.Trace.CreationsByKind)
	}
	// NetBSD's claim, as a check of the whole chain: several seconds on the PPro.
	if s := sum.Machines[0]; s.Machine != "ppro200" || s.SavedS < 2 || s.SavedS > 20 {
		t.Errorf("ppro200 saving on the default libc build is %v s: not 'several seconds'", s.SavedS)
	}
}

func mustEmbedded(t *testing.T) []byte {
	data, err := os.ReadFile("../../internal/defaulttrace/libc-build.arrow")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSavedIsDifferenceOfTotals(t *testing.T) {
	inTempDir(t)
	js, errs, code := runCLI(t, "replay", "--format", "json", "--set", "ppro200.parent_write_fraction=0.3", "small.arrow")
	if code != 0 {
		t.Fatal(errs)
	}
	var sum replay.Summary
	json.Unmarshal([]byte(js), &sum)
	for _, m := range sum.Machines {
		cow, vf := m.Strategies["fork-cow"].TotalS, m.Strategies["vfork-share"].TotalS
		nat := m.Strategies[m.Native].TotalS
		if math.Abs(m.SavedS-(cow-vf)) > 1e-12 || math.Abs(m.SavedVsNatS-(nat-vf)) > 1e-12 {
			t.Errorf("%s: saved_s %v, totals give %v; vs native %v, totals give %v", m.Machine, m.SavedS, cow-vf, m.SavedVsNatS, nat-vf)
		}
		for name, st := range m.Strategies {
			var sum float64
			for _, v := range st.Steps {
				sum += v
			}
			if math.Abs(sum-st.TotalS) > 1e-12 {
				t.Errorf("%s %s: steps sum to %v, total %v", m.Machine, name, sum, st.TotalS)
			}
		}
	}
	if o := sum.Machines[0].Overrides["parent_write_fraction"]; o != 0.3 {
		t.Errorf("overrides in the JSON: %v", sum.Machines[0].Overrides)
	}
}

func TestPerEventOutput(t *testing.T) {
	inTempDir(t)
	for _, ext := range []string{".arrow", ".parquet"} {
		if ext == ".parquet" && !arrowio.HasFormat("parquet") { // opt-in: -tags parquet
			continue
		}
		js, errs, code := runCLI(t, "replay", "--format", "json", "-o", "events"+ext, "small.arrow")
		if code != 0 {
			t.Fatal(errs)
		}
		var sum replay.Summary
		json.Unmarshal([]byte(js), &sum)
		br, err := arrowio.OpenTable("events"+ext, nil)
		if err != nil {
			t.Fatal(err)
		}
		rows := int64(0)
		saved := map[string]float64{}
		for br.Next() {
			rec := br.RecordBatch()
			s := rec.Schema()
			mach := rec.Column(s.FieldIndices("machine")[0])
			sv := rec.Column(s.FieldIndices("saved_ns")[0])
			for i := 0; i < int(rec.NumRows()); i++ {
				saved[mach.ValueStr(i)] += mustFloat(sv.ValueStr(i)) / 1e9
			}
			rows += rec.NumRows()
		}
		if err := br.Err(); err != nil {
			t.Fatal(err)
		}
		br.Close()
		if want := sum.Trace.Eligible * int64(len(sum.Machines)); rows != want {
			t.Errorf("%s: %d rows, want eligible x machines = %d", ext, rows, want)
		}
		for _, m := range sum.Machines {
			if math.Abs(saved[m.Machine]-m.SavedS) > 1e-9 {
				t.Errorf("%s: per-event savings on %s sum to %v, summary says %v", ext, m.Machine, saved[m.Machine], m.SavedS)
			}
		}
	}
}

func mustFloat(s string) float64 {
	var f float64
	json.Unmarshal([]byte(s), &f)
	return f
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

func TestEmbeddedRecordedTraceIsTheTestdataOne(t *testing.T) {
	a, err := os.ReadFile("../../internal/defaulttrace/dietlibc-build.arrow")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../testdata/recorded/dietlibc-build-ebpf.arrow")
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("internal/defaulttrace/dietlibc-build.arrow differs from testdata/recorded/dietlibc-build-ebpf.arrow: copy the recorded one")
	}
	rd, err := defaulttrace.Recorded.Open()
	if err != nil {
		t.Fatal(err)
	}
	if m := rd.Meta(); m.Source != "record" || m.Incomplete != "" {
		t.Errorf("embedded recorded trace: source %q, incomplete %q", m.Source, m.Incomplete)
	}
	rd.Close()
	// Both embedded traces can be named on the command line.
	for _, tr := range defaulttrace.All {
		if _, errs, code := runCLI(t, "replay", "--mc-draws", "0", tr.Name); code != 0 {
			t.Errorf("replay %s: exit %d: %s", tr.Name, code, errs)
		}
	}
}
