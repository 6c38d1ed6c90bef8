package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/forkcost/forkcost/calibrate"
	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/report"
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
	fs := newFlagSet(e, "calibrate", "analyze calibrate [-o host.toml] [--quick] [--budget 60s] [--base zen4] [--clock cpu|wall] [--from MEASUREMENTS.json] [--format text|csv|json|markdown|latex]",
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
	outf := addOutput(fs, report.Text, nil)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := oneOf(fs, "clock", *clock, calibrate.CPU, calibrate.Wall); err != nil {
		return err
	}
	opts, err := outf.options()
	if err != nil {
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
	return report.Generate(e.stdout, opts, &report.Calibration{Measurements: m, Fit: fit, Profile: *out, MeasurementsFile: mpath, HostPath: mustHostPath(), Clock: *clock})
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func mustHostPath() string {
	p, err := machines.HostProfilePath()
	if err != nil {
		return "(no home directory)"
	}
	return p
}
