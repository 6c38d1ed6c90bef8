package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/forkcost/forkcost/calibrate"
	"github.com/forkcost/forkcost/machines"
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
	fs := newFlagSet(e, "validate", "analyze validate [--format text|json|markdown] [--out DIR] [--measurements FILE]",
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
writes validate.json, rows.csv, predicted-vs-observed.svg and
residuals-vs-size.svg into DIR.

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
	format := fs.String("format", "text", "output `format`: text, json or markdown")
	outDir := fs.String("out", "", "also write the figures, the rows as CSV and the JSON report into `dir`")
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
	if len(*traces) > 0 {
		if err := oneOf(fs, "format", *format, "text", "json", "markdown"); err != nil {
			return err
		}
		return validateTraces(e, fs, &mf, *traces, *format, *outDir)
	}
	if len(mf.names)+len(mf.files)+len(mf.sets) > 0 {
		return fs.failf("--machine, --machine-file and --set go with --trace")
	}
	if err := oneOf(fs, "format", *format, "text", "json", "markdown"); err != nil {
		return err
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
		if err := writeValidateOut(*outDir, r); err != nil {
			return err
		}
		r.Notes = append(r.Notes, fmt.Sprintf("wrote validate.json, rows.csv, predicted-vs-observed.svg and residuals-vs-size.svg into %s", *outDir))
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "markdown":
		return printValidate(e.stdout, r, true)
	}
	return printValidate(e.stdout, r, false)
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

func writeValidateOut(dir string, r *validate.Report) error {
	if err := writeJSONInto(dir, "validate.json", r); err != nil {
		return err
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"group", "id", "machine", "strategy", "sequence", "what", "mib", "predicted", "observed", "unit", "rel_err", "used", "used_by", "source", "note"})
	for _, row := range r.Rows {
		w.Write([]string{row.Group, row.ID, row.Machine, row.Strategy, row.Sequence, row.What, strconv.FormatFloat(row.MiB, 'g', -1, 64),
			strconv.FormatFloat(row.Predicted, 'g', 6, 64), strconv.FormatFloat(row.Observed, 'g', 6, 64), row.Unit,
			strconv.FormatFloat(row.RelErr, 'f', 4, 64), strconv.FormatBool(row.Used), strings.Join(row.UsedBy, " "), row.Source, row.Note})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "rows.csv"), []byte(b.String())); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "predicted-vs-observed.svg"), validate.PredictedVsObserved(r.Rows)); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "residuals-vs-size.svg"), validate.ResidualsVsSize(r.Rows))
}

// table prints rows of cells as aligned text or as a markdown table.
type table struct {
	md   bool
	head []string
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) print(w io.Writer) {
	if t.md {
		cells := func(r []string) string {
			out := make([]string, len(r))
			for i, c := range r {
				out[i] = strings.ReplaceAll(c, "|", "\\|")
			}
			return strings.Join(out, " | ")
		}
		fmt.Fprintf(w, "| %s |\n|%s\n", cells(t.head), strings.Repeat(" --- |", len(t.head)))
		for _, r := range t.rows {
			fmt.Fprintf(w, "| %s |\n", cells(r))
		}
		fmt.Fprintln(w)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\t\n", strings.Join(t.head, "\t"))
	for _, r := range t.rows {
		fmt.Fprintf(tw, "  %s\t\n", strings.Join(r, "\t"))
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func num(v float64) string {
	switch a := v; {
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func pct(v float64) string { return fmt.Sprintf("%+.1f%%", 100*v) }

func printValidate(w io.Writer, r *validate.Report, md bool) error {
	h := func(s string) {
		if md {
			fmt.Fprintf(w, "## %s\n\n", s)
		} else {
			fmt.Fprintf(w, "%s\n", s)
		}
	}
	if md {
		fmt.Fprintf(w, "# forkcost: predictions against observations\n\n")
	}
	if r.Host != nil {
		fmt.Fprintf(w, "host: %s (%s, Linux %s), calibrated %s; %s time; parameters it cannot measure from %s\n", r.Host.Host, r.Host.CPU, r.Host.Kernel, r.Host.Date, r.Host.Clock, r.Host.Base)
		fmt.Fprintf(w, "measurements: %s\n\n", r.Host.Measurements)
	}
	var group string
	var t *table
	flush := func() {
		if t != nil {
			t.print(w)
		}
	}
	for _, row := range r.Rows {
		g := row.Group
		if g != group {
			flush()
			group = g
			h(g)
			if g == validate.GroupPublished {
				t = &table{md: md, head: []string{"id", "machine", "strategy", "sequence", "predicted", "observed", "unit", "rel err", "used", "source"}}
			} else {
				t = &table{md: md, head: []string{"MiB", "benchmark", "strategy", "sequence", "predicted us", "observed us", "rel err", "note"}}
			}
		}
		if g == validate.GroupPublished {
			used := ""
			if row.Used {
				used = "used: " + strings.Join(row.UsedBy, ",")
			}
			src := row.Source
			if row.Note != "" {
				src += " [" + row.Note + "]"
			}
			what := row.Sequence
			if row.What != "time" && row.What != "ratio" && row.What != "slope" {
				what = row.What
			} else if row.What != "time" {
				what = row.What + " " + row.Sequence
			}
			t.add(row.ID, row.Machine, row.Strategy, what, num(row.Predicted), num(row.Observed), row.Unit, pct(row.RelErr), used, src)
		} else {
			t.add(strconv.FormatFloat(row.MiB, 'g', -1, 64), row.What, row.Strategy, row.Sequence, num(row.Predicted), num(row.Observed), pct(row.RelErr), row.Note)
		}
	}
	flush()
	h("median absolute relative error per group (rows marked used are left out)")
	t = &table{md: md, head: []string{"group", "rows", "counted", "median |rel err|", "max |rel err|"}}
	for _, g := range r.Groups {
		t.add(g.Group, strconv.Itoa(g.Rows), strconv.Itoa(g.Counted), fmt.Sprintf("%.1f%%", 100*g.MedianAbsRel), fmt.Sprintf("%.1f%%", 100*g.MaxAbsRel))
	}
	t.print(w)
	if len(r.BySeq) > 0 {
		h("host, held-out sizes: median absolute relative error per benchmark")
		t = &table{md: md, head: []string{"benchmark (strategy sequence)", "sizes", "median |rel err|", "max |rel err|"}}
		for _, g := range r.BySeq {
			t.add(g.Group, strconv.Itoa(g.Counted), fmt.Sprintf("%.1f%%", 100*g.MedianAbsRel), fmt.Sprintf("%.1f%%", 100*g.MaxAbsRel))
		}
		t.print(w)
	}
	h("targets")
	printTargets(w, r.Targets, md)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}

// printTargets prints acceptance targets, met or missed.
func printTargets(w io.Writer, targets []validate.Target, md bool) {
	t := &table{md: md, head: []string{"target", "limit", "value", "result"}}
	for _, tg := range targets {
		lim, val := fmt.Sprintf("%.0f%%", 100*tg.Limit), fmt.Sprintf("%.1f%%", 100*tg.Value)
		if tg.Limit > 1 {
			lim, val = fmt.Sprintf("x%.2g", tg.Limit), fmt.Sprintf("x%.2f", tg.Value)
		}
		res := "met"
		switch {
		case tg.Rows == 0:
			res, val = "not measured: "+tg.Comment, "-"
		case !tg.Met:
			res = "MISSED"
		}
		if tg.Comment != "" && tg.Rows > 0 {
			res += " (" + tg.Comment + ")"
		}
		t.add(tg.What, lim, val, res)
	}
	t.print(w)
}

// validateTraces is validate --trace: every creation of the traces against
// the model on one machine.
func validateTraces(e *env, fs *flagSet, mf *machineFlags, paths []string, format, outDir string) error {
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
		if err := writeCreationsOut(outDir, rep); err != nil {
			return err
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("wrote validate-trace.json, creations.csv, predicted-vs-measured.svg and residuals-vs-size.svg into %s", outDir))
	}
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return printCreations(e.stdout, rep, format == "markdown")
}

func writeCreationsOut(dir string, rep *validate.CreationReport) error {
	if err := writeJSONInto(dir, "validate-trace.json", rep); err != nil {
		return err
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"trace", "row", "pid", "child_pid", "comm", "kind", "strategy", "sequence", "parent_resident_mib", "predicted", "measured", "unit", "rel_err"})
	for _, x := range rep.Rows {
		unit := "ns"
		if x.Sequence == validate.SeqFaults {
			unit = "faults"
		}
		w.Write([]string{x.Trace, strconv.FormatInt(x.Row, 10), strconv.Itoa(int(x.PID)), strconv.Itoa(int(x.Child)), x.Comm, x.Kind, x.Strategy, x.Sequence,
			strconv.FormatFloat(x.MiB, 'g', 6, 64), strconv.FormatFloat(x.Predicted, 'g', 6, 64), strconv.FormatFloat(x.Measured, 'g', 6, 64), unit, strconv.FormatFloat(x.RelErr, 'f', 4, 64)})
	}
	w.Flush()
	if err := writeFileAtomic(filepath.Join(dir, "creations.csv"), []byte(b.String())); err != nil {
		return err
	}
	rows := rep.AsRows()
	if err := writeFileAtomic(filepath.Join(dir, "predicted-vs-measured.svg"), validate.PredictedVsObserved(rows)); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "residuals-vs-size.svg"), validate.ResidualsVsSize(rows))
}

func printCreations(w io.Writer, r *validate.CreationReport, md bool) error {
	if md {
		fmt.Fprintf(w, "# forkcost: every creation against the model\n\n")
	}
	fmt.Fprintf(w, "traces: %s\nmachine: %s (sha256:%s)\ncreations: %d, compared: %d\n", strings.Join(r.Traces, ", "), r.Machine, r.ProfileHash, r.Creations, r.Compared)
	for k, n := range r.Skipped {
		fmt.Fprintf(w, "  not compared: %d (%s)\n", n, k)
	}
	fmt.Fprintln(w)
	t := &table{md: md, head: []string{"measured", "group", "n", "median |rel err|", "median rel err", "IQR of rel err"}}
	for _, seq := range []string{validate.SeqCreate, validate.SeqBlocked, validate.SeqExec, validate.SeqFaults} {
		s, ok := r.Sequences[seq]
		if !ok {
			continue
		}
		name := map[string]string{validate.SeqCreate: "create_ns", validate.SeqBlocked: "parent_blocked_ns", validate.SeqExec: "exec_ns", validate.SeqFaults: "post_create_faults"}[seq]
		t.add(name, "all", strconv.Itoa(s.N), fmt.Sprintf("%.1f%%", 100*s.MedianAbsRel), pct(s.MedianRel), fmt.Sprintf("%s..%s", pct(s.IQR[0]), pct(s.IQR[1])))
		for _, b := range s.Bins {
			if b.N > 0 {
				t.add("", b.Label(), strconv.Itoa(b.N), fmt.Sprintf("%.1f%%", 100*b.MedianAbsRel), "", "")
			}
		}
		for _, k := range s.Kinds {
			t.add("", "kind "+k.Kind, strconv.Itoa(k.N), fmt.Sprintf("%.1f%%", 100*k.MedianAbsRel), "", "")
		}
	}
	t.print(w)
	if b, ok := r.WorstBin(validate.SeqCreate); ok {
		fmt.Fprintf(w, "worst create_ns bin: %s, median |rel err| %.1f%% over %d creations\n\n", b.Label(), 100*b.MedianAbsRel, b.N)
	}
	if md {
		fmt.Fprintf(w, "## targets\n\n")
	} else {
		fmt.Fprintf(w, "targets\n")
	}
	printTargets(w, r.Targets, md)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}
