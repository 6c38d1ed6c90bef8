package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/forkcost/forkcost/calibrate"
	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/machines"
)

func init() {
	register(command{name: "calibrate", summary: "measure this host's process-creation costs and fit a profile (--machine host)", run: runCalibrate})
}

// measurementsPath is where the raw measurements go, next to the profile.
func measurementsPath(profile string) string {
	return strings.TrimSuffix(profile, filepath.Ext(profile)) + ".measurements.json"
}

func runCalibrate(e *env, args []string) error {
	hostPath, _ := machines.HostProfilePath()
	fs := newFlagSet(e, "calibrate", "analyze calibrate [-o host.toml] [--quick] [--budget 60s] [--base zen4] [--clock cpu|wall] [--from MEASUREMENTS.json]",
		fmt.Sprintf(`Measures this host's process creation in fresh helper processes (Linux,
cgo builds only): for parent buffers of 0, 1, 4, 16, 64, 256 and 1024 MiB
(never more than half of the available memory), every page written,
fork+exec+wait of a tiny static program, vfork+exec+wait, posix_spawn+wait,
fork+exit+wait, fork alone, and the parent's write faults after a fork;
then a null system call, minor faults, page copies, a TLB-miss walk and a
context switch. It fits the model parameters these identify (weighted
Theil–Sen slopes, least-absolute-relative-deviation levels, bootstrap
intervals), fitting CPU time by default (--clock), keeps the base
profile's values for the others, and writes a profile named "host" with
the fit's residuals, plus the raw measurements next to it
(NAME.measurements.json, which 'analyze validate' reads).

The default output is %s, which --machine host reads
($XDG_CONFIG_HOME/forkcost/host.toml, else ~/.config/forkcost/host.toml).
The measuring keeps to a time budget (--budget, default 60 s; --quick
measures up to 64 MiB in about 10 s): one repetition of every size first,
smallest first, then as many more as the budget allows, whatever this
host's fault cost. It says so when the budget kept it from a size or cut
the repetitions. Progress shows on a terminal only.`, hostPath),
		"  analyze calibrate --quick\n  analyze calibrate -o mybox.toml\n  analyze replay --machine host,zen4 trace.arrow")
	out := fs.StringP("output", "o", hostPath, "write the profile to `file`")
	quick := fs.Bool("quick", false, "sizes up to 64 MiB, fewer repetitions, a 10 s budget")
	budget := fs.Duration("budget", 0, "wall `time` the measuring may take (default 60s; 10s with --quick)")
	baseName := fs.String("base", "zen4", "built-in `profile` whose values the parameters that cannot be measured keep")
	boot := fs.Int("bootstrap", 200, "bootstrap resamples for each parameter's interval (`n`)")
	from := fs.String("from", "", "fit from saved measurements (`file`.measurements.json) instead of measuring")
	clock := fs.String("clock", "cpu", "fit the `clock`'s samples: cpu (parent's plus child's CPU time: the work, without waiting for a CPU) or wall")
	format := fs.String("format", "text", "summary `format` on standard output: text or json")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := oneOf(fs, "clock", *clock, calibrate.CPU, calibrate.Wall); err != nil {
		return err
	}
	if err := oneOf(fs, "format", *format, "text", "json"); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fs.failf("want no arguments, got %q", fs.Args())
	}
	if *out == "" {
		return fs.failf("-o: no output file (and no home directory for the default)")
	}
	if *budget < 0 || (fs.Changed("budget") && *budget < time.Second) {
		return fs.failf("--budget %s: want at least 1s", *budget)
	}
	if *boot < 1 {
		return fs.failf("--bootstrap %d: want at least 1", *boot)
	}
	base, err := machines.Lookup(*baseName)
	if err != nil {
		return fs.fail(err)
	}
	var m *calibrate.Measurements
	if *from != "" {
		data, err := os.ReadFile(*from)
		if err != nil {
			return err
		}
		m = new(calibrate.Measurements)
		if err := json.Unmarshal(data, m); err != nil {
			return fmt.Errorf("%s: %w", *from, err)
		}
	} else {
		if !calibrate.Supported {
			return calibrate.ErrNotSupported
		}
		bar := progress.New(e.stderr, e.terminal)
		m, err = calibrate.Run(calibrate.Config{Quick: *quick, Budget: *budget, Progress: bar.Printf})
		bar.Done()
		if err != nil {
			return err
		}
	}
	m.FitBase, m.FitClock = base.Name, *clock
	fit, err := calibrate.FitProfile(m, base, calibrate.FitOptions{Bootstrap: *boot, Seed: uint64(m.Date.Unix()), Clock: *clock})
	if err != nil {
		return err
	}
	text := fit.Profile(m)
	if _, err := machines.Parse(*out, text); err != nil {
		return fmt.Errorf("internal error: the fitted profile does not validate: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(*out, text); err != nil {
		return err
	}
	mpath := measurementsPath(*out)
	// The measurements go next to the profile (again with --from: they
	// now record how this profile was fitted).
	data, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(mpath, data); err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Profile      string                  `json:"profile"`
			Measurements string                  `json:"measurements"`
			Host         string                  `json:"host"`
			Date         time.Time               `json:"date"`
			Fit          *calibrate.Fit          `json:"fit"`
			NotMeasured  map[string]string       `json:"not_measured"`
			Notes        []string                `json:"notes,omitempty"`
			Micro        map[string]microSummary `json:"micro"`
		}{*out, mpath, m.Host, m.Date, fit, calibrate.NotIdentified, m.Notes, summarizeMicro(m)})
	}
	return printCalibration(e, m, fit, *out, mpath, *clock)
}

type microSummary struct {
	Median float64 `json:"median_ns"`
	Spread float64 `json:"spread"`
	N      int     `json:"n"`
}

func summarizeMicro(m *calibrate.Measurements) map[string]microSummary {
	out := map[string]microSummary{}
	for k, v := range m.Micro {
		out[k] = microSummary{calibrate.Median(v), calibrate.Spread(v), len(v)}
	}
	return out
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func printCalibration(e *env, m *calibrate.Measurements, fit *calibrate.Fit, out, mpath, clock string) error {
	w := e.stdout
	fmt.Fprintf(w, "calibrated %s (%s, Linux %s) at %s\n", m.Host, m.CPU, m.Kernel, m.Date.Format(time.RFC3339))
	if m.Budget > 0 {
		fmt.Fprintf(w, "measuring took %.1f s of a %.0f s budget, with %.0f%% of the full protocol's fork repetitions\n", m.Elapsed, m.Budget, 100*m.RepFactor)
	}
	for _, n := range m.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "\nmicrobenchmarks, CPU time per operation (median, spread = IQR/median, n):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var keys []string
	for k := range m.Micro {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m.Micro[k]
		fmt.Fprintf(tw, "  %s\t%.1f ns\t%.0f%%\t%d\n", k, calibrate.Median(v), 100*calibrate.Spread(v), len(v))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nper-size medians of %s time in us (spread = IQR/median); \"touched\" buffers have every page written:\n", clock)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	cols := []string{calibrate.ForkOnly, calibrate.ForkExitWait, calibrate.ForkExecWait, calibrate.VForkExecWait, calibrate.SpawnWait, calibrate.ParentWriteFaults}
	fmt.Fprintf(tw, "series\tMiB\treps\tfork\tfork+exit\tfork+exec\tvfork+exec\tspawn\twrite faults\t\n")
	for _, s := range m.Series {
		fmt.Fprintf(tw, "%s\t%d\t%d\t", s.Kind, s.MiB, s.Reps)
		for _, c := range cols {
			o, ok := calibrate.Observed(s, calibrate.CheckByName(c), clock)
			if !ok {
				fmt.Fprintf(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%.1f (%.0f%%)\t", o/1e3, 100*calibrate.Spread(s.SamplesOf(calibrate.CheckByName(c), clock)))
		}
		fmt.Fprintf(tw, "\n")
	}
	tw.Flush()
	if s := calibrate.ColdSeries(m); s != nil {
		med := func(k string) float64 { return calibrate.Median(s.Samples[calibrate.Key(k, clock)]) / 1e3 }
		fmt.Fprintf(w, "cold creations, %s time in us (each after a sweep of the CPU's caches, alternating with the same warm): sharing clone %.1f warm, %.1f cold; fork alone %.1f warm, %.1f cold\n",
			clock, med(calibrate.ShareOnly), med(calibrate.ShareCold), med(calibrate.ForkOnly), med(calibrate.ForkCold))
	}
	fmt.Fprintf(w, "\nfitted parameters (base profile %s; bootstrap %d resamples, 95%% interval):\n", fit.BaseName, fit.Bootstrap)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, est := range fit.Estimates {
		fmt.Fprintf(tw, "  %s\t%s\t[%s, %s]\t\n", est.Name, calibrate.FormatValue(est.Value), calibrate.FormatValue(est.Low), calibrate.FormatValue(est.High))
	}
	tw.Flush()
	var kept []string
	for k := range calibrate.NotIdentified {
		kept = append(kept, k)
	}
	sort.Strings(kept)
	fmt.Fprintf(w, "not measured, kept from %s: %s\n", fit.BaseName, strings.Join(kept, ", "))
	for _, n := range fit.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if fit.CurveChoice != "" {
		fmt.Fprintf(w, "%s\n", fit.CurveChoice)
	}
	fmt.Fprintf(w, "\nfit residuals, median |predicted-observed|/observed over the training sizes %v:\n", fit.Train)
	byCheck := map[string][]float64{}
	for _, r := range fit.Residuals {
		byCheck[r.Check] = append(byCheck[r.Check], math.Abs(r.RelErr))
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range calibrate.Checks {
		if v := byCheck[c.Name]; len(v) > 0 {
			fmt.Fprintf(tw, "  %s\t%s %s\t%.1f%%\n", c.Name, c.Strategy, c.SeqName, 100*calibrate.Median(v))
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\nwrote %s (--machine host reads %s)\nwrote %s (for 'analyze validate')\n", out, mustHostPath(), mpath)
	return nil
}

func mustHostPath() string {
	p, err := machines.HostProfilePath()
	if err != nil {
		return "(no home directory)"
	}
	return p
}
