package report

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
)

// The outputs of analyze machines: the list of profiles, one profile with
// every parameter, and the diff of two.

// Profiles is the list of machine profiles 'analyze machines' prints.
type Profiles []*machines.Profile

func init() {
	register(func(ps Profiles) view {
		return view{
			tables: func(Options) []*Table { return []*Table{profilesTable(ps)} },
			write: map[Format]func(io.Writer, Options) error{
				Text: func(w io.Writer, _ Options) error { return profilesText(w, ps) },
			},
			json: func() any {
				list := make([]map[string]any, len(ps))
				for i, p := range ps {
					list[i] = map[string]any{"name": p.Name, "description": p.Description, "native": p.Native, "file": p.File, "hash": p.Hash,
						"estimated_params": len(p.EstimatedParams()), "params": len(p.Params)}
				}
				return list
			},
		}
	})
	register(func(p *machines.Profile) view {
		return view{
			tables: func(o Options) []*Table { return []*Table{ProfileTable(p)} },
			write: map[Format]func(io.Writer, Options) error{
				Text: func(w io.Writer, _ Options) error { return profileText(w, p) },
			},
		}
	})
	register(func(d *replay.Diff) view {
		return view{
			tables: func(Options) []*Table { return []*Table{diffTable(d)} },
			write: map[Format]func(io.Writer, Options) error{
				Text: func(w io.Writer, _ Options) error { return diffText(w, d) },
			},
		}
	})
}

func profilesText(w io.Writer, ps Profiles) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\tnative %s\t%d of %d parameters estimated\n", p.Name, p.Description, p.Native, len(p.EstimatedParams()), len(p.Params))
	}
	return tw.Flush()
}

// profilesTable is the list as a table: a row per profile.
func profilesTable(ps Profiles) *Table {
	t := &Table{Label: "tab:forkcost-machines",
		Caption:    "Machine profiles: the native fork strategy and how many cost parameters are estimates rather than citations.",
		Provenance: []string{fmt.Sprintf("forkcost %s, model %s", version.Tool, version.Model)},
		Columns:    []Column{{Head: "machine"}, {Head: "description"}, {Head: "native fork"}, {Head: "estimated", Num: true}, {Head: "parameters", Num: true}}}
	for _, p := range ps {
		t.Provenance = append(t.Provenance, fmt.Sprintf("profile %s sha256:%s", p.File, p.Hash))
		t.Rows = append(t.Rows, []string{p.Name, p.Description, p.Native, strconv.Itoa(len(p.EstimatedParams())), strconv.Itoa(len(p.Params))})
	}
	return t
}

// profileText writes every parameter of a profile, then its curves.
func profileText(w io.Writer, p *machines.Profile) error {
	fmt.Fprintf(w, "%s: %s\nnative fork strategy: %s\nprofile: %s sha256:%s\n\n", p.Name, p.Description, p.Native, p.File, p.Hash)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "parameter\tvalue\tunit\trange\tsource\n")
	for _, spec := range model.ParamSpecs() {
		prm := p.Params[spec.Name]
		rng := ""
		if prm.Low != nil && prm.High != nil {
			rng = plainNum(*prm.Low) + ".." + plainNum(*prm.High)
		}
		src := prm.Source
		if prm.Estimate {
			src = "[estimate] " + src
		}
		val := plainNum(prm.Value)
		if len(prm.Curve) > 0 {
			val += " (curve)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", spec.Name, val, spec.Unit, rng, src)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return curvesText(w, p)
}

// curvesText writes the size-dependent parameters as tables of page
// ranges (with the memory they map) and the cost of each page in them.
func curvesText(w io.Writer, p *machines.Profile) error {
	for _, spec := range model.ParamSpecs() {
		c, err := p.Params[spec.Name].ModelCurve()
		if err != nil || c == nil {
			continue
		}
		page := p.ModelParams().PageSize
		fmt.Fprintf(w, "\n%s is a curve, at value %s (each page in a range costs the figure beside it; scaled by value / %s):\n", spec.Name, plainNum(p.Params[spec.Name].Value), plainNum(c.Ref))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "  pages from\tto\tmemory from\tto\tns per page\t\n")
		for i := range c.Pages {
			lo, hi := c.Pages[i], "and up"
			if i == 0 {
				lo = 0
			}
			himem := ""
			if i+1 < len(c.Pages) {
				hi = plainNum(c.Pages[i+1])
				himem = memMiB(c.Pages[i+1] * page)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.4g\t\n", plainNum(lo), hi, memMiB(lo*page), himem, c.NsPerPage[i])
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "  source: %s\n", c.Source)
	}
	return nil
}

func memMiB(bytes float64) string {
	if bytes >= 1<<30 {
		return fmt.Sprintf("%.4g GiB", bytes/(1<<30))
	}
	return fmt.Sprintf("%.4g MiB", bytes/(1<<20))
}

// diffTable is the diff as a table: a row per parameter that differs and,
// with a trace, how much it moves the saving alone and in order.
func diffTable(d *replay.Diff) *Table {
	traced := d.Sample > 0
	t := &Table{Label: "tab:forkcost-diff-" + d.A + "-" + d.B,
		Provenance: []string{fmt.Sprintf("forkcost %s, model %s", version.Tool, version.Model)},
		Columns:    []Column{{Head: "parameter"}, {Head: "unit"}, {Head: d.A, Num: true}, {Head: d.B, Num: true}},
		Caption:    fmt.Sprintf("The %d cost parameters that differ between %s and %s (native fork: %s and %s).", len(d.Params), d.A, d.B, d.NativeA, d.NativeB)}
	alone, inOrder := make([]float64, len(d.Params)), make([]float64, len(d.Params))
	for i, p := range d.Params {
		alone[i], inOrder[i] = p.AloneS, p.InOrderS
		t.Rows = append(t.Rows, []string{p.Name, p.Unit, plainNum(p.A), plainNum(p.B)})
	}
	if traced {
		t.Caption += fmt.Sprintf(" Alone: the change in the saving of vfork-share over fork-cow (%s on %s, %s on %s, %s) with only that parameter set to %s's value; in order: its step when the changes are applied one after another in %s; their interaction leaves %s.",
			Seconds(d.SavedA), d.A, Seconds(d.SavedB), d.B, plural(d.Creations, "creation"), d.B, d.Order, signed(d.InteractionS))
		// Both columns in one unit, so that they compare at a glance.
		unit, cells := scaleSeconds(append(alone, inOrder...))
		t.Columns = append(t.Columns, Column{Head: "alone", Unit: unit, Num: true}, Column{Head: "in order", Unit: unit, Num: true})
		for i := range t.Rows {
			t.Rows[i] = append(t.Rows[i], cells[i], cells[len(alone)+i])
		}
	}
	return t
}

// ProfileTable is a machine profile as a table: every parameter with its
// value, unit, range and source, estimates marked.
func ProfileTable(p *machines.Profile) *Table {
	t := &Table{
		Label: "tab:forkcost-machine-" + p.Name,
		Columns: []Column{{Head: "parameter"}, {Head: "value", Num: true}, {Head: "unit"},
			{Head: "range", Num: true, Below: true}, {Head: "source", Width: "0.35\\linewidth", Below: true}},
		Provenance: []string{
			fmt.Sprintf("forkcost %s, model %s", version.Tool, version.Model),
			fmt.Sprintf("profile %s sha256:%s", p.File, p.Hash),
		},
	}
	if len(p.Overrides) > 0 {
		t.Provenance = append(t.Provenance, "overrides "+overrides(p.Overrides))
	}
	est := 0
	for _, spec := range model.ParamSpecs() {
		prm := p.Params[spec.Name]
		rng := ""
		if prm.Low != nil && prm.High != nil {
			rng = plainNum(*prm.Low) + "–" + plainNum(*prm.High)
		}
		src := prm.Source
		if prm.Estimate {
			src = "[estimate] " + src
			est++
		}
		t.Rows = append(t.Rows, []string{spec.Name, plainNum(prm.Value), spec.Unit, rng, src})
	}
	t.Caption = fmt.Sprintf("Cost parameters of machine profile %s: %s (native fork: %s); %d of %d parameters are estimates rather than citations.",
		p.Name, p.Description, p.Native, est, len(p.Params))
	return t
}

// diffText writes the machines diff as a table.
func diffText(w io.Writer, d *replay.Diff) error {
	fmt.Fprintf(w, "%s vs %s: %d parameters differ (native fork: %s vs %s)\n", d.A, d.B, len(d.Params), d.NativeA, d.NativeB)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	traced := d.Sample > 0
	if traced {
		fmt.Fprintf(tw, "parameter\tunit\t%s\t%s\talone\tin order\t\n", d.A, d.B)
	} else {
		fmt.Fprintf(tw, "parameter\tunit\t%s\t%s\t\n", d.A, d.B)
	}
	for _, p := range d.Params {
		if traced {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", p.Name, p.Unit, plainNum(p.A), plainNum(p.B), signed(p.AloneS), signed(p.InOrderS))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", p.Name, p.Unit, plainNum(p.A), plainNum(p.B))
		}
	}
	tw.Flush()
	if traced {
		fmt.Fprintf(w, "\nsaving of vfork-share over fork-cow: %s on %s, %s on %s (%d creations", Seconds(d.SavedA), d.A, Seconds(d.SavedB), d.B, d.Creations)
		if int64(d.Sample) < d.Creations {
			fmt.Fprintf(w, ", costed on a sample of %d and scaled", d.Sample)
		}
		fmt.Fprintf(w, ")\n'alone': %s with only that parameter set to %s's value; 'in order': its step when the changes are applied one after another in %s\n",
			d.A, d.B, d.Order)
		fmt.Fprintf(w, "interaction left over by the single changes: %s\n", signed(d.InteractionS))
	}
	return nil
}

func signed(s float64) string {
	if s > 0 {
		return "+" + Seconds(s)
	}
	return Seconds(s)
}
