package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

func init() {
	register(command{name: "machines", summary: "list the machine profiles, or show one with every parameter's source", run: runMachines})
}

func runMachines(e *env, args []string) error {
	fs := newFlagSet(e, "machines", "analyze machines [show NAME | diff A B [TRACE]] [--format text|json|markdown|latex] [--machine-file F] [--set NAME.PARAM=V]",
		`Without arguments, lists the built-in profiles with one line each.
'show NAME' prints every parameter of a profile with its value, unit,
source, and whether it is an estimate, after any --set overrides.
'diff A B' lists the parameters that differ; with a TRACE it also says how
much each difference moves the saving of vfork-share over fork-cow: each
change applied alone to A, and all changes applied one after another in the
model's parameter order, with the interaction the single changes leave
unexplained.`,
		"  analyze machines\n  analyze machines show ppro200\n  analyze machines diff ppro200 zen4 build.arrow\n  analyze machines show mybox --machine-file mybox.toml --format json")
	format := fs.String("format", "text", "output `format`: text or json; show also markdown or latex")
	jsonProfile := func(p *machines.Profile) map[string]any {
		return map[string]any{"name": p.Name, "description": p.Description, "native": p.Native, "file": p.File, "hash": p.Hash,
			"estimated_params": len(p.EstimatedParams()), "params": len(p.Params)}
	}
	files := fs.StringArray("machine-file", nil, "also consider a profile of your own (TOML `file`, repeatable)")
	sets := fs.StringArray("set", nil, "override a parameter before showing it: `NAME.PARAM=VALUE`")
	wide := wideFlag(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := oneOf(fs, "format", *format, "text", "json", "markdown", "latex"); err != nil {
		return err
	}
	if (*format == "markdown" || *format == "latex") && fs.Arg(0) != "show" {
		return fs.failf("--format %s: only 'machines show NAME' prints a table for a paper; the list and diff print text or json", *format)
	}
	if err := checkWide(fs, *wide, *format); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		all, err := machines.Builtin()
		if err != nil {
			return err
		}
		// This host's calibration, when there is one (--machine host).
		if p, err := machines.LoadHost(); err == nil {
			all = append(all, p)
		}
		for _, f := range *files {
			p, err := machines.LoadFile(f)
			if err != nil {
				return err
			}
			all = append(all, p)
		}
		if *format == "json" {
			list := make([]map[string]any, len(all))
			for i, p := range all {
				list[i] = jsonProfile(p)
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(list)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, p := range all {
			fmt.Fprintf(tw, "%s\t%s\tnative %s\t%d of %d parameters estimated\n", p.Name, p.Description, p.Native, len(p.EstimatedParams()), len(p.Params))
		}
		return tw.Flush()
	case fs.Arg(0) == "diff" && (fs.NArg() == 3 || fs.NArg() == 4):
		var profs [2]*machines.Profile
		for i, name := range []string{fs.Arg(1), fs.Arg(2)} {
			p, err := selectOne(fs, name, *files, *sets)
			if err != nil {
				return err
			}
			profs[i] = p
		}
		var d *replay.Diff
		if fs.NArg() == 4 {
			r, err := replay.New(replay.Config{Machines: profs[:1], KeepSample: true, Uncertainty: replay.Uncertainty{SampleSize: 20000}})
			if err != nil {
				return err
			}
			rd, err := openTrace(e, fs.Arg(3))
			if err != nil {
				return err
			}
			err = r.Trace(rd)
			rd.Close()
			if err != nil {
				return err
			}
			in, scale, n := r.Sample()
			d = replay.DiffMachines(profs[0], profs[1], in, scale, n)
		} else {
			d = replay.DiffMachines(profs[0], profs[1], nil, 1, 0)
		}
		if *format == "json" {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(d)
		}
		return report.DiffText(e.stdout, d)
	case fs.Arg(0) == "show" && fs.NArg() == 2:
		p, err := selectOne(fs, fs.Arg(1), *files, *sets)
		if err != nil {
			return err
		}
		return showProfile(e, p, *format, *wide)
	default:
		return fs.failf("want no arguments, 'show NAME' or 'diff A B [TRACE]'")
	}
}

// selectOne resolves one machine by name, from the built-ins or the
// --machine-file profiles, with the --set overrides that name it.
func selectOne(fs *flagSet, name string, files, sets []string) (*machines.Profile, error) {
	var fileSel []string
	for _, f := range files {
		p, err := machines.LoadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--machine-file %w", err)
		}
		if p.Name == name {
			fileSel = append(fileSel, f)
		}
	}
	var mine []string
	for _, s := range sets {
		if strings.HasPrefix(s, name+".") {
			mine = append(mine, s)
		}
	}
	names, err := resolveMachineNames(fs, []string{name}, fileSel, mine)
	if err != nil {
		return nil, err
	}
	ps, err := machines.Select(names, fileSel, mine)
	if err != nil {
		return nil, fs.fail(err)
	}
	if len(ps) != 1 {
		return nil, fs.failf("%s: a sweep makes %d variants; diff and show take one machine", name, len(ps))
	}
	return ps[0], nil
}

func showProfile(e *env, p *machines.Profile, format string, wide bool) error {
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	if format == "markdown" || format == "latex" {
		t := report.ProfileTable(p)
		t.Wide = wide
		if format == "latex" {
			return t.WriteLaTeX(e.stdout)
		}
		return t.WriteMarkdown(e.stdout)
	}
	fmt.Fprintf(e.stdout, "%s: %s\nnative fork strategy: %s\nprofile: %s sha256:%s\n\n", p.Name, p.Description, p.Native, p.File, p.Hash)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "parameter\tvalue\tunit\trange\tsource\n")
	for _, spec := range model.ParamSpecs() {
		prm := p.Params[spec.Name]
		rng := ""
		if prm.Low != nil && prm.High != nil {
			rng = report.PlainNum(*prm.Low) + ".." + report.PlainNum(*prm.High)
		}
		src := prm.Source
		if prm.Estimate {
			src = "[estimate] " + src
		}
		val := report.PlainNum(prm.Value)
		if len(prm.Curve) > 0 {
			val += " (curve)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", spec.Name, val, spec.Unit, rng, src)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return showCurves(e.stdout, p)
}

// showCurves prints the size-dependent parameters as tables of page
// ranges (with the memory they map) and the cost of each page in them.
func showCurves(w io.Writer, p *machines.Profile) error {
	for _, spec := range model.ParamSpecs() {
		c, err := p.Params[spec.Name].ModelCurve()
		if err != nil || c == nil {
			continue
		}
		page := p.ModelParams().PageSize
		fmt.Fprintf(w, "\n%s is a curve, at value %s (each page in a range costs the figure beside it; scaled by value / %s):\n", spec.Name, report.PlainNum(p.Params[spec.Name].Value), report.PlainNum(c.Ref))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "  pages from\tto\tmemory from\tto\tns per page\t\n")
		for i := range c.Pages {
			lo, hi := c.Pages[i], "and up"
			if i == 0 {
				lo = 0
			}
			himem := ""
			if i+1 < len(c.Pages) {
				hi = report.PlainNum(c.Pages[i+1])
				himem = fmtMiB(c.Pages[i+1] * page)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.4g\t\n", report.PlainNum(lo), hi, fmtMiB(lo*page), himem, c.NsPerPage[i])
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "  source: %s\n", c.Source)
	}
	return nil
}

func fmtMiB(bytes float64) string {
	if bytes >= 1<<30 {
		return fmt.Sprintf("%.4g GiB", bytes/(1<<30))
	}
	return fmt.Sprintf("%.4g MiB", bytes/(1<<20))
}
