package main

import (
	"fmt"
	"strings"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

func init() {
	register(command{name: "machines", summary: "list the machine profiles, or show one with every parameter's source", run: runMachines})
}

func runMachines(e *env, args []string) error {
	fs := newFlagSet(e, "machines", "analyze machines [show NAME | diff A B [TRACE]] [--format text|csv|json|markdown|latex] [--machine-file F] [--set NAME.PARAM=V]",
		`Without arguments, lists the built-in profiles with one line each.
'show NAME' prints every parameter of a profile with its value, unit,
source, and whether it is an estimate, after any --set overrides.
'diff A B' lists the parameters that differ; with a TRACE it also says how
much each difference moves the saving of vfork-share over fork-cow: each
change applied alone to A, and all changes applied one after another in the
model's parameter order, with the interaction the single changes leave
unexplained.`,
		"  analyze machines\n  analyze machines show ppro200\n  analyze machines diff ppro200 zen4 build.arrow\n  analyze machines show mybox --machine-file mybox.toml --format json")
	out := addOutput(fs, report.Text, nil)
	files := fs.StringArray("machine-file", nil, "also consider a profile of your own (TOML `file`, repeatable)")
	sets := fs.StringArray("set", nil, "override a parameter before showing it: `NAME.PARAM=VALUE`")
	if err := fs.parse(args); err != nil {
		return err
	}
	opts, err := out.options()
	if err != nil {
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
		return report.Generate(e.stdout, opts, report.Profiles(all))
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
		return report.Generate(e.stdout, opts, d)
	case fs.Arg(0) == "show" && fs.NArg() == 2:
		p, err := selectOne(fs, fs.Arg(1), *files, *sets)
		if err != nil {
			return err
		}
		return report.Generate(e.stdout, opts, p)
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
