package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/forkcost/forkcost/calibrate"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/report"
	"github.com/forkcost/forkcost/validate"
)

func init() {
	register(command{name: "validate", summary: "set the model's predictions against held-out host measurements and published figures", run: runValidate})
}

func runValidate(e *env, args []string) error {
	hostPath, _ := machines.HostProfilePath()
	defMeas := ""
	if hostPath != "" {
		defMeas = measurementsPath(hostPath)
	}
	fs := newFlagSet(e, "validate", "analyze validate [--format text|csv|json|markdown|latex] [--out DIR] [--measurements FILE]",
		`Prints a table of predictions against observations, with relative errors,
each observation compared with the model's matching sum (fork alone,
fork+exit, fork+exec+wait):

  host       this host's calibration ('analyze calibrate'), held out: each
             buffer size predicted by a fit that did not see it (leave one
             size out), and a buffer mapped but never touched and one on
             transparent huge pages predicted by the fit on every size;
  published  the built-in profiles against the published figures that suit
             them (lmbench on the PPro-200, TLPI, Redis, ...), each row
             naming its source. A figure that set a parameter entering the
             prediction is marked "used" and left out of the summary.

It ends with the median absolute relative error per group and per
sequence, and the acceptance targets, met or missed. With --out it also
writes validate.json, rows.csv and the figures predicted-vs-observed
and residuals-vs-size (each as --figures, SVG by default, with its CSV)
into DIR.

With --trace (traces recorded by 'analyze record' with the eBPF backend,
which carry the kernel's measured costs) it instead sets every creation
against the model on one machine (--machine host by default, or
--machine-file): create_ns against the create phase of the strategy the
creation used (fork-cow-pte for a fork, vfork-share for vfork, spawn for
clone(CLONE_VM|CLONE_VFORK)), parent_blocked_ns against the child's run up
to and through its exec, the child's exec_ns against the exec phase, and a
fork's post_create_faults against the model's parent write faults. It
prints the median |relative error|, the median and interquartile range of
the relative error, by parent size (under 1 MiB, 1-16, 16-256, 256 MiB and
up) and by kind; --out adds creations.csv and the two figures.`,
		"  analyze validate\n  analyze validate --format markdown --out validation/\n  analyze validate --measurements mybox.measurements.json --clock wall\n  analyze validate --trace build.arrow --machine host --format json")
	outf := addOutput(fs, report.Text, nil)
	outDir := fs.String("out", "", "also write the figures, the rows as CSV and the JSON report into `dir`")
	figFormats := fs.StringSlice("figures", []string{"svg"}, "with --out: the figures' image `formats`, svg, pdf, png (comma-separated)")
	meas := fs.String("measurements", "", "a calibration's measurements (`file`; default "+defMeas+" when it exists)")
	noHost := fs.Bool("no-host", false, "published figures only, even when this host has been calibrated")
	baseName := fs.String("base", "zen4", "base `profile` of the host fits (default: the one calibrate used)")
	clock := fs.String("clock", "cpu", "host `clock`, cpu or wall (default: the one calibrate used)")
	traces := fs.StringArray("trace", nil, "validate every creation of a `trace` recorded with measured costs (repeatable; --machine host by default)")
	var mf machineFlags
	mf.add(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	opts, err := outf.options()
	if err != nil {
		return err
	}
	figs, err := parseFormats(fs, "--figures", *figFormats)
	if err != nil {
		return err
	}
	if len(*traces) > 0 {
		return validateTraces(e, fs, &mf, *traces, opts, *outDir, figs)
	}
	if len(mf.names)+len(mf.files)+len(mf.sets) > 0 {
		return fs.failf("--machine, --machine-file and --set go with --trace")
	}
	if err := oneOf(fs, "clock", *clock, calibrate.CPU, calibrate.Wall); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fs.failf("want no arguments, got %q", fs.Args())
	}
	var m *calibrate.Measurements
	var notes []string
	path := *meas
	if !*noHost {
		if path == "" {
			path = defMeas
		}
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			m = new(calibrate.Measurements)
			if err := json.Unmarshal(data, m); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		case errors.Is(err, iofs.ErrNotExist) && *meas == "":
			notes = append(notes, fmt.Sprintf("no host rows: this host has not been calibrated (no %s); run 'analyze calibrate'", path))
		default:
			return err
		}
	}
	// Refit the way calibrate did, unless told otherwise.
	if m != nil && m.FitBase != "" && !fs.Changed("base") {
		*baseName = m.FitBase
	}
	if m != nil && m.FitClock != "" && !fs.Changed("clock") {
		*clock = m.FitClock
	}
	base, err := machines.Lookup(*baseName)
	if err != nil {
		return fs.fail(err)
	}
	r, err := validate.Build(m, base, *clock, path)
	if err != nil {
		return err
	}
	r.Notes = append(notes, r.Notes...)
	if *outDir != "" {
		written, err := writeValidateOut(e, *outDir, r, figs)
		if err != nil {
			return err
		}
		r.Notes = append(r.Notes, fmt.Sprintf("wrote %s into %s", strings.Join(written, ", "), *outDir))
	}
	return report.Generate(e.stdout, opts, r)
}

// writeJSONInto makes dir and writes v into it as indented JSON, as name.
func writeJSONInto(dir, name string, v any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, name), data)
}

func writeValidateOut(e *env, dir string, r *validate.Report, formats []string) ([]string, error) {
	if err := writeJSONInto(dir, "validate.json", r); err != nil {
		return nil, err
	}
	if err := writeReportInto(dir, "rows.csv", report.CSV, r); err != nil {
		return nil, err
	}
	figs, err := writeValidationFigures(e, dir, &plots.Validation{Rows: r.Rows}, report.ValidateProvenance(r), formats)
	return append([]string{"validate.json", "rows.csv"}, figs...), err
}

// writeValidationFigures draws validate's figures into dir in each format,
// each with its CSV, and returns their file names. A figure with nothing
// to draw is said so on stderr.
func writeValidationFigures(e *env, dir string, v *plots.Validation, prov []string, formats []string) ([]string, error) {
	figs, skipped := plots.MakeValidation(v, plots.Paper(plots.SingleColumn))
	for _, s := range skipped {
		fmt.Fprintf(e.stderr, "analyze validate: figure left out: %v\n", s)
	}
	paths, err := plots.WriteFiles(dir, figs, formats, plots.Paper(plots.SingleColumn), plots.Provenance(prov))
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names, err
}

// writeReportInto writes v in format into dir, as name.
func writeReportInto(dir, name string, format report.Format, v any) error {
	var b bytes.Buffer
	if err := report.Generate(&b, report.Options{Format: format}, v); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, name), b.Bytes())
}

// validateTraces is validate --trace: every creation of the traces against
// the model on one machine.
func validateTraces(e *env, fs *flagSet, mf *machineFlags, paths []string, opts report.Options, outDir string, figFormats []string) error {
	if len(mf.names)+len(mf.files) == 0 {
		mf.names = []string{machines.HostName}
	}
	profs, err := mf.profiles(fs)
	if err != nil {
		return err
	}
	if len(profs) != 1 {
		return fs.failf("--trace validates on one machine, got %d", len(profs))
	}
	prof := profs[0]
	c := validate.NewCreationChecker(prof.ModelParams(), prof.Name, prof.Hash)
	for _, path := range paths {
		r, err := openTrace(e, path)
		if err != nil {
			return err
		}
		c.StartTrace(path)
		for r.Next() {
			c.Add(r.Row(), r.Event())
		}
		err = r.Err()
		r.Close()
		if err != nil {
			return err
		}
	}
	rep := c.Report()
	if rep.Compared == 0 {
		rep.Notes = append(rep.Notes, "no creation carried measured costs: record with 'analyze record --backend ebpf'")
	}
	if outDir != "" {
		written, err := writeCreationsOut(e, outDir, rep, figFormats)
		if err != nil {
			return err
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("wrote %s into %s", strings.Join(written, ", "), outDir))
	}
	return report.Generate(e.stdout, opts, rep)
}

func writeCreationsOut(e *env, dir string, rep *validate.CreationReport, formats []string) ([]string, error) {
	if err := writeJSONInto(dir, "validate-trace.json", rep); err != nil {
		return nil, err
	}
	if err := writeReportInto(dir, "creations.csv", report.CSV, rep); err != nil {
		return nil, err
	}
	figs, err := writeValidationFigures(e, dir, &plots.Validation{Rows: rep.AsRows(), PerCreation: true}, report.CreationsProvenance(rep), formats)
	return append([]string{"validate-trace.json", "creations.csv"}, figs...), err
}
