package report

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/forkcost/forkcost/calibrate"
)

// Calibration is what 'analyze calibrate' prints: the measurements, the
// fit, and where the profile and the measurements were written.
type Calibration struct {
	Measurements *calibrate.Measurements
	Fit          *calibrate.Fit
	// Profile and MeasurementsFile are the files written; HostPath is
	// where --machine host reads its profile; Clock is the clock fitted.
	Profile, MeasurementsFile, HostPath, Clock string
}

func init() {
	register(func(c *Calibration) view {
		return view{
			tables: func(Options) []*Table { return calibrationTables(c) },
			write: map[Format]func(io.Writer, Options) error{
				Text: func(w io.Writer, _ Options) error { return calibrationText(w, c) },
			},
			json: func() any { return calibrationJSON(c) },
		}
	})
}

// MicroSummary is one microbenchmark's median, spread and count.
type MicroSummary struct {
	Median float64 `json:"median_ns"`
	Spread float64 `json:"spread"`
	N      int     `json:"n"`
}

func calibrationJSON(c *Calibration) any {
	m := c.Measurements
	micro := map[string]MicroSummary{}
	for k, v := range m.Micro {
		micro[k] = MicroSummary{calibrate.Median(v), calibrate.Spread(v), len(v)}
	}
	return struct {
		Profile      string                  `json:"profile"`
		Measurements string                  `json:"measurements"`
		Host         string                  `json:"host"`
		Date         time.Time               `json:"date"`
		Fit          *calibrate.Fit          `json:"fit"`
		NotMeasured  map[string]string       `json:"not_measured"`
		Notes        []string                `json:"notes,omitempty"`
		Micro        map[string]MicroSummary `json:"micro"`
	}{c.Profile, c.MeasurementsFile, m.Host, m.Date, c.Fit, calibrate.NotIdentified, m.Notes, micro}
}

// calibrationColumns are the per-size table's checks, in its order.
var calibrationColumns = []struct{ check, head string }{
	{calibrate.ForkOnly, "fork"}, {calibrate.ForkExitWait, "fork+exit"}, {calibrate.ForkExecWait, "fork+exec"},
	{calibrate.VForkExecWait, "vfork+exec"}, {calibrate.SpawnWait, "spawn"}, {calibrate.ParentWriteFaults, "write faults"},
}

func microKeys(m *calibrate.Measurements) []string {
	var keys []string
	for k := range m.Micro {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// residualsByCheck is each check's median |relative error| over the
// training sizes, in calibrate.Checks' order.
func residualsByCheck(fit *calibrate.Fit) (checks []calibrate.Check, medians []float64) {
	byCheck := map[string][]float64{}
	for _, r := range fit.Residuals {
		byCheck[r.Check] = append(byCheck[r.Check], math.Abs(r.RelErr))
	}
	for _, c := range calibrate.Checks {
		if v := byCheck[c.Name]; len(v) > 0 {
			checks = append(checks, c)
			medians = append(medians, calibrate.Median(v))
		}
	}
	return checks, medians
}

func notMeasured() []string {
	var kept []string
	for k := range calibrate.NotIdentified {
		kept = append(kept, k)
	}
	sort.Strings(kept)
	return kept
}

func calibrationText(w io.Writer, c *Calibration) error {
	m, fit, clock := c.Measurements, c.Fit, c.Clock
	fmt.Fprintf(w, "calibrated %s (%s, Linux %s) at %s\n", m.Host, m.CPU, m.Kernel, m.Date.Format(time.RFC3339))
	if m.Budget > 0 {
		fmt.Fprintf(w, "measuring took %.1f s of a %.0f s budget, with %.0f%% of the full protocol's fork repetitions\n", m.Elapsed, m.Budget, 100*m.RepFactor)
	}
	for _, n := range m.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "\nmicrobenchmarks, CPU time per operation (median, spread = IQR/median, n):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, k := range microKeys(m) {
		v := m.Micro[k]
		fmt.Fprintf(tw, "  %s\t%.1f ns\t%.0f%%\t%d\n", k, calibrate.Median(v), 100*calibrate.Spread(v), len(v))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nper-size medians of %s time in us (spread = IQR/median); \"touched\" buffers have every page written:\n", clock)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "series\tMiB\treps\t")
	for _, col := range calibrationColumns {
		fmt.Fprintf(tw, "%s\t", col.head)
	}
	fmt.Fprintf(tw, "\n")
	for _, s := range m.Series {
		fmt.Fprintf(tw, "%s\t%d\t%d\t", s.Kind, s.MiB, s.Reps)
		for _, col := range calibrationColumns {
			o, ok := calibrate.Observed(s, calibrate.CheckByName(col.check), clock)
			if !ok {
				fmt.Fprintf(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%.1f (%.0f%%)\t", o/1e3, 100*calibrate.Spread(s.SamplesOf(calibrate.CheckByName(col.check), clock)))
		}
		fmt.Fprintf(tw, "\n")
	}
	tw.Flush()
	fmt.Fprintf(w, "\nfitted parameters (base profile %s; bootstrap %d resamples, 95%% interval):\n", fit.BaseName, fit.Bootstrap)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, est := range fit.Estimates {
		fmt.Fprintf(tw, "  %s\t%s\t[%s, %s]\t\n", est.Name, calibrate.FormatValue(est.Value), calibrate.FormatValue(est.Low), calibrate.FormatValue(est.High))
	}
	tw.Flush()
	fmt.Fprintf(w, "not measured, kept from %s: %s\n", fit.BaseName, strings.Join(notMeasured(), ", "))
	for _, n := range fit.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if fit.CurveChoice != "" {
		fmt.Fprintf(w, "%s\n", fit.CurveChoice)
	}
	fmt.Fprintf(w, "\nfit residuals, median |predicted-observed|/observed over the training sizes %v:\n", fit.Train)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	checks, medians := residualsByCheck(fit)
	for i, ch := range checks {
		fmt.Fprintf(tw, "  %s\t%s %s\t%.1f%%\n", ch.Name, ch.Strategy, ch.SeqName, 100*medians[i])
	}
	tw.Flush()
	fmt.Fprintf(w, "\nwrote %s (--machine host reads %s)\nwrote %s (for 'analyze validate')\n", c.Profile, c.HostPath, c.MeasurementsFile)
	return nil
}

// calibrationTables are the calibration as tables: the fitted parameters,
// the per-size medians, the microbenchmarks and the fit's residuals.
func calibrationTables(c *Calibration) []*Table {
	m, fit, clock := c.Measurements, c.Fit, c.Clock
	prov := []string{fmt.Sprintf("host %s (%s, Linux %s), calibrated %s", m.Host, m.CPU, m.Kernel, m.Date.Format(time.RFC3339)),
		"profile " + c.Profile, "measurements " + c.MeasurementsFile}
	f1 := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	params := &Table{Label: "tab:forkcost-calibrate", Provenance: prov,
		Caption: fmt.Sprintf("Parameters fitted to this host's %s time (base profile %s, which the parameters not measured keep: %s), with 95%% bootstrap intervals over %d resamples.",
			clock, fit.BaseName, strings.Join(notMeasured(), ", "), fit.Bootstrap),
		Columns: []Column{{Head: "parameter"}, {Head: "value", Num: true}, {Head: "low", Num: true}, {Head: "high", Num: true}},
		Notes:   append(append([]string(nil), fit.Notes...), m.Notes...)}
	if fit.CurveChoice != "" {
		params.Notes = append(params.Notes, fit.CurveChoice)
	}
	for _, est := range fit.Estimates {
		params.Rows = append(params.Rows, []string{est.Name, calibrate.FormatValue(est.Value), calibrate.FormatValue(est.Low), calibrate.FormatValue(est.High)})
	}
	sizes := &Table{Label: "tab:forkcost-calibrate-sizes", Wide: true,
		Caption: fmt.Sprintf("Per-size medians of %s time; touched buffers have every page written. Spread: IQR/median.", clock),
		Columns: []Column{{Head: "series"}, {Head: "buffer", Unit: "MiB", Num: true}, {Head: "reps", Num: true}}}
	for _, col := range calibrationColumns {
		sizes.Columns = append(sizes.Columns, Column{Head: col.head, Unit: "us", Num: true}, Column{Head: col.head + " spread", Unit: "%", Num: true})
	}
	for _, s := range m.Series {
		row := []string{s.Kind, strconv.Itoa(s.MiB), strconv.Itoa(s.Reps)}
		for _, col := range calibrationColumns {
			o, ok := calibrate.Observed(s, calibrate.CheckByName(col.check), clock)
			if !ok {
				row = append(row, "", "")
				continue
			}
			row = append(row, f1(o/1e3), strconv.FormatFloat(100*calibrate.Spread(s.SamplesOf(calibrate.CheckByName(col.check), clock)), 'f', 0, 64))
		}
		sizes.Rows = append(sizes.Rows, row)
	}
	micro := &Table{Label: "tab:forkcost-calibrate-micro",
		Caption: "Microbenchmarks: CPU time per operation (median; spread: IQR/median).",
		Columns: []Column{{Head: "benchmark"}, {Head: "median", Unit: "ns", Num: true}, {Head: "spread", Unit: "%", Num: true}, {Head: "n", Num: true}}}
	for _, k := range microKeys(m) {
		v := m.Micro[k]
		micro.Rows = append(micro.Rows, []string{k, f1(calibrate.Median(v)), strconv.FormatFloat(100*calibrate.Spread(v), 'f', 0, 64), strconv.Itoa(len(v))})
	}
	res := &Table{Label: "tab:forkcost-calibrate-residuals",
		Caption: fmt.Sprintf("Fit residuals: median |predicted - observed| / observed over the training sizes %v MiB.", fit.Train),
		Columns: []Column{{Head: "check"}, {Head: "strategy"}, {Head: "sequence"}, {Head: "median |rel. error|", Unit: "%", Num: true}}}
	checks, medians := residualsByCheck(fit)
	for i, ch := range checks {
		res.Rows = append(res.Rows, []string{ch.Name, ch.Strategy, ch.SeqName, f1(100 * medians[i])})
	}
	return []*Table{params, sizes, micro, res}
}
