package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
)

// ReplayTable is replay's headline as a table: one row per machine.
func ReplayTable(s *replay.Summary) *Table {
	t := &Table{Label: "tab:forkcost-replay", Provenance: Provenance(s)}
	n := len(s.Machines)
	cow, vf, saved, savedNat, per := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, m := range s.Machines {
		cow[i] = m.Strategies[model.ForkCOW].TotalS
		vf[i] = m.Strategies[model.VForkShare].TotalS
		saved[i] = m.SavedS
		savedNat[i] = m.SavedVsNatS
		if m.Evaluated > 0 {
			per[i] = m.SavedS / float64(m.Evaluated)
		}
	}
	t.Columns = []Column{{Head: "machine"}, {Head: "native fork"}, {Head: "creations costed", Num: true}}
	t.Rows = make([][]string, n)
	for i, m := range s.Machines {
		t.Rows[i] = []string{m.Machine, m.Native, strconv.FormatInt(m.Evaluated, 10)}
	}
	for _, col := range []struct {
		head string
		vals []float64
	}{{"fork-cow", cow}, {"vfork-share", vf}, {"saved vs fork-cow", saved}, {"saved vs native", savedNat}, {"saved per creation", per}} {
		unit, cells := scaleSeconds(col.vals)
		t.Columns = append(t.Columns, Column{Head: col.head, Unit: unit, Num: true})
		for i := range t.Rows {
			t.Rows[i] = append(t.Rows[i], cells[i])
		}
	}
	tr := s.Trace
	t.Caption = fmt.Sprintf("Time spent creating processes under copy-on-write fork and under sharing vfork, replayed from %s (%d of %d creations eligible for vfork)",
		plural(int64(len(tr.Inputs)), "trace"), tr.Eligible, tr.Creations)
	if len(s.Filters) > 0 {
		t.Caption += "; filters: " + strings.Join(s.Filters, "; ")
	}
	t.Caption += "."
	return t
}

// LaTeX writes replay's headline as a booktabs table.
func LaTeX(w io.Writer, s *replay.Summary) error { return ReplayTable(s).WriteLaTeX(w) }
