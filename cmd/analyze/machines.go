package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/report"
)

func init() {
	register(command{name: "machines", summary: "list the machine profiles, or show one with every parameter's source", run: runMachines})
}

func runMachines(e *env, args []string) error {
	fs := newFlagSet(e, "machines", "analyze machines [show NAME [--format text|json|markdown|latex]] [--machine-file F] [--set NAME.PARAM=V]",
		`Without arguments, lists the built-in profiles with one line each.
'show NAME' prints every parameter of a profile with its value, unit,
source, and whether it is an estimate, after any --set overrides.`,
		"  analyze machines\n  analyze machines show ppro200\n  analyze machines show mybox --machine-file mybox.toml --format json")
	format := fs.String("format", "text", "output `format` of show: text, json, markdown or latex")
	files := fs.StringArray("machine-file", nil, "also consider a profile of your own (TOML `file`, repeatable)")
	sets := fs.StringArray("set", nil, "override a parameter before showing it: `NAME.PARAM=VALUE`")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := oneOf(fs, "format", *format, "text", "json", "markdown", "latex"); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		all, err := machines.Builtin()
		if err != nil {
			return err
		}
		for _, f := range *files {
			p, err := machines.LoadFile(f)
			if err != nil {
				return err
			}
			all = append(all, p)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, p := range all {
			fmt.Fprintf(tw, "%s\t%s\tnative %s\t%d of %d parameters estimated\n", p.Name, p.Description, p.Native, len(p.EstimatedParams()), len(p.Params))
		}
		return tw.Flush()
	case fs.Arg(0) == "show" && fs.NArg() == 2:
		name := fs.Arg(1)
		var names, fileSel []string
		for _, f := range *files {
			p, err := machines.LoadFile(f)
			if err != nil {
				return err
			}
			if p.Name == name {
				fileSel = append(fileSel, f)
			}
		}
		if len(fileSel) == 0 {
			names = []string{name}
		}
		ps, err := machines.Select(names, fileSel, *sets)
		if err != nil {
			return fs.fail(err)
		}
		return showProfile(e, ps[0], *format)
	default:
		return fs.failf("want no arguments, or 'show NAME'")
	}
}

func showProfile(e *env, p *machines.Profile, format string) error {
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	if format == "markdown" || format == "latex" {
		t := report.ProfileTable(p)
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
			rng = fmt.Sprintf("%g..%g", *prm.Low, *prm.High)
		}
		src := prm.Source
		if prm.Estimate {
			src = "[estimate] " + src
		}
		fmt.Fprintf(tw, "%s\t%g\t%s\t%s\t%s\n", spec.Name, prm.Value, spec.Unit, rng, src)
	}
	return tw.Flush()
}
