package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
)

// ReplayTable is replay's headline as a table: one row per machine. The
// column form (wide false) keeps what fits one column of a two-column
// paper: both strategies' totals, the what-if saving and the saving on the
// creations that really forked. The wide form (a table* across both
// columns) adds the native fork, the creations costed, the saving over the
// native fork and the saving per creation.
func ReplayTable(s *replay.Summary, wide bool) *Table {
	t := &Table{Label: "tab:forkcost-replay", Provenance: Provenance(s), Wide: wide}
	n := len(s.Machines)
	cow, vf, saved, savedNat, per, real := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, m := range s.Machines {
		cow[i] = m.Strategies[model.ForkCOW].TotalS
		vf[i] = m.Strategies[model.VForkShare].TotalS
		saved[i] = m.SavedS
		savedNat[i] = m.SavedVsNatS
		real[i] = m.SavedOnForksS
		if m.Evaluated > 0 {
			per[i] = m.SavedS / float64(m.Evaluated)
		}
	}
	t.Columns = []Column{{Head: "machine"}}
	t.Rows = make([][]string, n)
	for i, m := range s.Machines {
		t.Rows[i] = []string{m.Machine}
		if wide {
			t.Rows[i] = append(t.Rows[i], m.Native, strconv.FormatInt(m.Evaluated, 10))
		}
	}
	if wide {
		t.Columns = append(t.Columns, Column{Head: "native fork"}, Column{Head: "creations costed", Num: true})
	}
	type col struct {
		head string
		vals []float64
	}
	cols := []col{{"fork-cow", cow}, {"vfork-share", vf}, {"saved, what-if", saved}}
	if wide {
		cols = append(cols, col{"saved vs native, what-if", savedNat}, col{"saved per creation, what-if", per})
	}
	cols = append(cols, col{"saved on real forks", real})
	for _, c := range cols {
		unit, cells := scaleSeconds(c.vals)
		t.Columns = append(t.Columns, Column{Head: c.head, Unit: unit, Num: true})
		for i := range t.Rows {
			t.Rows[i] = append(t.Rows[i], cells[i])
		}
	}
	tr := s.Trace
	t.Caption = fmt.Sprintf("Time spent creating processes under copy-on-write fork and under sharing vfork, replayed from %s: %s as recorded (%s), %d eligible for vfork",
		plural(int64(len(tr.Inputs)), "trace"), plural(tr.Creations, "creation"), KindCounts(tr.CreationsByKind), tr.Eligible)
	if len(s.Filters) > 0 {
		t.Caption += "; filters: " + strings.Join(s.Filters, "; ")
	}
	t.Caption += ". What-if: every eligible creation costed as a copy-on-write fork, including those that already were vfork or spawn; real forks: only the eligible creations that were forks."
	return t
}
