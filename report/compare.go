package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/compare"
	"github.com/forkcost/forkcost/stats"
)

// CompareProvenance is the lines that say where a comparison's numbers
// come from.
func CompareProvenance(c *compare.Result) []string {
	lines := []string{fmt.Sprintf("%s, model %s", c.Tool, c.ModelVersion)}
	for _, s := range []compare.Side{c.A, c.B} {
		l := fmt.Sprintf("%s: %s (%s", s.Label, strings.Join(s.Args, " "), plural(int64(len(s.Traces)), "trace"))
		if s.Failed > 0 {
			l += fmt.Sprintf(", %d failed", s.Failed)
		}
		lines = append(lines, l+")")
	}
	if len(c.Filters) > 0 {
		lines = append(lines, "filters: "+strings.Join(c.Filters, "; "))
	}
	for _, m := range c.Machines {
		lines = append(lines, fmt.Sprintf("machine %s: profile %s sha256:%s", m.Name, m.Profile.File, shortHash(m.Profile.Hash)))
	}
	return lines
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func init() {
	register(func(c *compare.Result) view {
		return view{
			// For a paper: one column wide (metric, machine and unit in
			// one wrapped cell, the test's p alone) or, wide, every column.
			tables: func(o Options) []*Table { return []*Table{compareTable(c, o.Wide)} },
			write: map[Format]func(io.Writer, Options) error{
				Text: func(w io.Writer, _ Options) error { return compareText(w, c) },
				CSV:  func(w io.Writer, _ Options) error { return compareCSV(w, c) },
				// Markdown has room for every column.
				Markdown: func(w io.Writer, _ Options) error { return compareTable(c, true).WriteMarkdown(w) },
			},
		}
	})
}

// compareTable is the comparison as a table: metric, A, B, delta and, wide,
// machine, unit and the test.
func compareTable(c *compare.Result, wide bool) *Table {
	t := &Table{Label: "tab:forkcost-compare", Provenance: CompareProvenance(c), Wide: wide}
	several := len(c.A.Traces) > 1 || len(c.B.Traces) > 1
	valueHead := ""
	if several {
		valueHead = " (median ± spread)"
	}
	if wide {
		t.Columns = []Column{{Head: "metric"}, {Head: "machine"}, {Head: "unit"}}
	} else {
		t.Columns = []Column{{Head: "metric"}}
	}
	t.Columns = append(t.Columns, Column{Head: "A" + valueHead, Num: true}, Column{Head: "B" + valueHead, Num: true}, Column{Head: "delta", Unit: "%", Num: true})
	if wide {
		t.Columns = append(t.Columns, Column{Head: "test"})
	}
	for _, r := range c.Rows {
		unit, a, b := rowCells(r)
		if wide {
			t.Rows = append(t.Rows, []string{r.Metric, r.Machine, unit, a, b, deltaCell(r), testCell(r)})
			continue
		}
		metric := r.Metric
		if r.Machine != "" {
			metric += ", " + r.Machine
		}
		if unit != "" {
			metric += " (" + unit + ")"
		}
		t.Rows = append(t.Rows, []string{metric, a, b, deltaCell(r)})
	}
	t.Caption = fmt.Sprintf("Process creation in A (%s) against B (%s)", plural(int64(len(c.A.Traces)), "trace"), plural(int64(len(c.B.Traces)), "trace"))
	if len(c.Filters) > 0 {
		t.Caption += ", filters: " + strings.Join(c.Filters, "; ")
	}
	t.Caption += "."
	if several {
		t.Caption += " Values are per-trace medians; ± is the largest deviation from the median."
	}
	t.Caption += " Delta is (B - A) / A."
	if !wide && several {
		t.Caption += " The test's p values: --wide or --format csv."
	}
	t.Notes = compareNotes(c)
	return t
}

func compareNotes(c *compare.Result) []string {
	nA, nB := len(c.A.Traces), len(c.B.Traces)
	if nA < 2 || nB < 2 {
		return []string{"One trace on a side: differences are shown without a test of run-to-run spread (give several traces per side, e.g. A1 A2 A3 vs B1 B2 B3, for a Mann-Whitney U test)."}
	}
	notes := []string{fmt.Sprintf("Test: %s = %g; ~ marks a difference that is not significant.", c.Test, c.Alpha)}
	if mp := stats.MinP(nA, nB); mp >= c.Alpha {
		notes = append(notes, fmt.Sprintf("With n=%d+%d traces the smallest p the test can give is %.3g, not below alpha = %g: no difference can be significant; record more runs.", nA, nB, mp, c.Alpha))
	}
	return notes
}

// rowCells formats a row's two sides in one unit with one number of
// decimals.
func rowCells(r compare.Row) (unit, a, b string) {
	vals := []float64{r.A.Median, r.B.Median}
	var cells []string
	switch r.Quantity {
	case compare.Seconds:
		unit, cells = scaleSeconds(vals)
	case compare.MiB:
		unit, cells = "MiB", fixed(vals, 1)
	default:
		cells = make([]string, 2)
		for i, v := range vals {
			if v == math.Trunc(v) {
				cells[i] = strconv.FormatFloat(v, 'f', 0, 64)
			} else {
				cells[i] = strconv.FormatFloat(v, 'f', 1, 64)
			}
		}
	}
	spread := func(s stats.Sample) string {
		if s.N < 2 {
			return ""
		}
		return fmt.Sprintf(" ± %.0f%%", 100*s.RelativeSpread)
	}
	return unit, cells[0] + spread(r.A), cells[1] + spread(r.B)
}

func deltaCell(r compare.Row) string {
	if r.Test != nil && !r.Significant {
		return "~"
	}
	if r.Delta == nil {
		if r.B.Median == 0 {
			return "0.00"
		}
		return "n/a"
	}
	return fmt.Sprintf("%+.2f", 100**r.Delta)
}

func testCell(r compare.Row) string {
	if r.Test == nil {
		return fmt.Sprintf("n=%d+%d", r.A.N, r.B.N)
	}
	return fmt.Sprintf("p=%.3f n=%d+%d", r.Test.P, r.Test.N1, r.Test.N2)
}

// compareText writes the comparison for a terminal.
func compareText(w io.Writer, c *compare.Result) error {
	t := compareTable(c, true)
	for _, s := range []compare.Side{c.A, c.B} {
		fmt.Fprintf(w, "%s: %s (%s)\n", s.Label, strings.Join(s.Args, " "), plural(int64(len(s.Traces)), "trace"))
	}
	if len(c.Filters) > 0 {
		fmt.Fprintf(w, "filters: %s\n", strings.Join(c.Filters, "; "))
	}
	fmt.Fprintln(w)
	t.Provenance = t.Provenance[:1]
	if len(c.Machines) > 0 {
		for _, m := range c.Machines {
			t.Provenance = append(t.Provenance, fmt.Sprintf("machine %s: profile %s sha256:%s", m.Name, m.Profile.File, m.Profile.Hash))
		}
	}
	return t.WriteText(w)
}

// compareCSV writes one row per metric, after '#' provenance lines.
func compareCSV(w io.Writer, c *compare.Result) error {
	for _, l := range CompareProvenance(c) {
		fmt.Fprintf(w, "# %s\n", l)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"metric", "machine", "unit", "a_n", "a_median", "a_min", "a_max", "b_n", "b_median", "b_min", "b_max", "delta", "p", "significant"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for _, r := range c.Rows {
		delta, p := "", ""
		if r.Delta != nil {
			delta = f(*r.Delta)
		}
		if r.Test != nil {
			p = f(r.Test.P)
		}
		unit := string(r.Quantity)
		if r.Quantity == compare.Count {
			unit = ""
		}
		cw.Write([]string{r.Metric, r.Machine, unit, strconv.Itoa(r.A.N), f(r.A.Median), f(r.A.Min), f(r.A.Max),
			strconv.Itoa(r.B.N), f(r.B.Median), f(r.B.Min), f(r.B.Max), delta, p, strconv.FormatBool(r.Significant)})
	}
	cw.Flush()
	return cw.Error()
}
