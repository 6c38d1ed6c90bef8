package plots_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/validate"
)

// validationRows are fixed predictions against observations, of the kinds
// analyze validate makes: held-out host sizes, an untouched buffer, huge
// pages off by an order of magnitude, published figures (one of them used
// to set a parameter) and a ratio, which is no time. They are made here,
// not by a calibration, so that the goldens change when the drawing does,
// not when the fit does.
func validationRows() []validate.Row {
	var rows []validate.Row
	for i, mib := range []float64{0, 1, 4, 16, 64, 256, 1024} {
		for j, what := range []string{"fork_exec_wait", "vfork_exec_wait", "fork_only"} {
			obs := 300 + 40*mib*float64(j+1)/3
			err := 0.12 * math.Sin(float64(3*i+j))
			rows = append(rows, validate.Row{Group: validate.GroupHeldOut, ID: fmt.Sprintf("touched-%g", mib), Machine: "host", What: what,
				Unit: "us", MiB: mib, Predicted: obs * (1 + err), Observed: obs, RelErr: err})
		}
	}
	rows = append(rows,
		validate.Row{Group: validate.GroupUntouched, ID: "untouched-256", Machine: "host", What: "fork_only", Unit: "us", MiB: 256, Predicted: 95, Observed: 80, RelErr: 95.0/80 - 1},
		validate.Row{Group: validate.GroupTHP, ID: "thp-64", Machine: "host", What: "fork_only", Unit: "us", MiB: 64, Predicted: 400, Observed: 40, RelErr: 9},
		validate.Row{Group: validate.GroupPublished, ID: "P2", Machine: "ppro200", What: "time", Sequence: "fork+exit", Unit: "us", Predicted: 480, Observed: 400, RelErr: 0.2},
		validate.Row{Group: validate.GroupPublished, ID: "P3", Machine: "ppro200", What: "time", Sequence: "fork+exec", Unit: "ms", Predicted: 4.6, Observed: 4.6, Used: true, UsedBy: []string{"exec_load_ns"}},
		validate.Row{Group: validate.GroupPublished, ID: "M2", Machine: "zen4", What: "time", Sequence: "fork+exit", Unit: "us", Predicted: 55, Observed: 70, RelErr: 55.0/70 - 1},
		validate.Row{Group: validate.GroupPublished, ID: "R13", Machine: "zen4", What: "ratio", Sequence: "fork/vfork", Unit: "x", Predicted: 8, Observed: 10, RelErr: -0.2},
	)
	return rows
}

// creationRows are fixed per-creation rows, as CreationReport.AsRows
// gives them: 40 creations by parents of 1 to 40 MiB, three measured
// quantities each.
func creationRows() []validate.Row {
	var rows []validate.Row
	for i := range 40 {
		mib := 1 + float64(i)
		kind := []string{"fork", "vfork", "spawn"}[i%3]
		for j, seq := range []string{validate.SeqCreate, validate.SeqBlocked, validate.SeqExec} {
			obs := (50 + 10*mib) * float64(j+1)
			err := -0.3 + 0.5*float64((7*i+3*j)%11)/10
			rows = append(rows, validate.Row{Group: "creation: " + seq, ID: fmt.Sprintf("t.arrow:%d", i), Machine: "zen4", Sequence: seq,
				What: seq + " (" + kind + ")", Unit: "us", MiB: mib, Predicted: obs * (1 + err), Observed: obs, RelErr: err})
		}
	}
	return rows
}

var validationProv = plots.Provenance{"forkcost test, fixed rows"}

// writeSVGAs renders f as SVG into testdata/NAME.svg, for the examples.
func writeSVGAs(f *plots.Figure, name string) {
	var buf bytes.Buffer
	if err := f.Render(&buf, "svg", st, validationProv); err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", name+".svg"), buf.Bytes(), 0o644); err != nil {
		panic(err)
	}
}

func ExamplePredictedVsObserved() {
	writeSVGAs(must(plots.PredictedVsObserved(&plots.Validation{Rows: validationRows()}, st)), "predicted-vs-observed")
	writeSVGAs(must(plots.PredictedVsObserved(&plots.Validation{Rows: creationRows(), PerCreation: true}, st)), "predicted-vs-measured")
}

func ExampleResidualsVsSize() {
	writeSVGAs(must(plots.ResidualsVsSize(&plots.Validation{Rows: validationRows()}, st)), "residuals-vs-size")
	writeSVGAs(must(plots.ResidualsVsSize(&plots.Validation{Rows: creationRows(), PerCreation: true}, st)), "residuals-vs-size-creations")
}

// TestValidationFigures checks what the figures hold: every time row in
// the predicted-vs-observed CSV and no ratio; the published rows, which
// have no size, out of the residuals; the huge-page row clipped and said
// so; every format renders with the provenance; and a figure with
// nothing to draw says why.
func TestValidationFigures(t *testing.T) {
	v := &plots.Validation{Rows: validationRows()}
	figs, skipped := plots.MakeValidation(v, st)
	if len(skipped) > 0 || len(figs) != len(plots.ValidationKinds) {
		t.Fatalf("made %d figures, skipped %v", len(figs), skipped)
	}
	pvo, res := figs[0], figs[1]
	if pvo.Name() != "predicted-vs-observed" || res.Name() != "residuals-vs-size" {
		t.Fatalf("names %s, %s", pvo.Name(), res.Name())
	}
	times, host := 0, 0
	for _, r := range v.Rows {
		if r.Unit == "us" || r.Unit == "ms" {
			times++
		}
		if r.Group != validate.GroupPublished {
			host++
		}
	}
	if len(pvo.Rows) != times {
		t.Errorf("predicted-vs-observed has %d CSV rows, want the %d time rows", len(pvo.Rows), times)
	}
	for _, r := range pvo.Rows {
		if r[1] == "R13" {
			t.Errorf("a ratio in the log-log figure: %v", r)
		}
		if r[1] == "P3" && (r[5] != "0.0046" || r[8] != "true") {
			t.Errorf("P3 (4.6 ms, used) as %v", r)
		}
	}
	if len(res.Rows) != host {
		t.Errorf("residuals-vs-size has %d CSV rows, want the %d host rows", len(res.Rows), host)
	}
	var clipped []string
	for _, r := range res.Rows {
		if r[5] == "true" {
			clipped = append(clipped, r[1])
		}
	}
	if len(clipped) != 1 || clipped[0] != "thp-64" || !strings.Contains(strings.Join(res.Notes, "\n"), "1 points beyond") {
		t.Errorf("clipped %v, notes %q", clipped, res.Notes)
	}
	for _, f := range figs {
		for _, format := range plots.Formats {
			var buf bytes.Buffer
			if err := f.Render(&buf, format, st, validationProv); err != nil {
				t.Fatalf("%s.%s: %v", f.Name(), format, err)
			}
			if format == "svg" && !bytes.Contains(buf.Bytes(), []byte("forkcost test, fixed rows")) {
				t.Errorf("%s.svg lacks the provenance", f.Name())
			}
		}
	}
	per := &plots.Validation{Rows: creationRows(), PerCreation: true}
	f, err := plots.PredictedVsObserved(per, st)
	if err != nil || f.Name() != "predicted-vs-measured" || f.Columns[6] != "measured_s" {
		t.Errorf("per creation: %v, %v", f, err)
	}
	var published []validate.Row
	for _, r := range v.Rows {
		if r.Group == validate.GroupPublished {
			published = append(published, r)
		}
	}
	if _, err := plots.ResidualsVsSize(&plots.Validation{Rows: published}, st); !errors.Is(err, plots.ErrNoData) {
		t.Errorf("residuals of published figures alone: %v, want ErrNoData", err)
	}
	if _, err := plots.PredictedVsObserved(&plots.Validation{}, st); !errors.Is(err, plots.ErrNoData) {
		t.Errorf("no rows: %v, want ErrNoData", err)
	}
}
