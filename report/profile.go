package report

import (
	"fmt"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
)

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
