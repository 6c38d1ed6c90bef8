package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/validate"
)

// The outputs of analyze validate: the predictions against held-out host
// measurements and published figures (validate.Report), and every
// recorded creation against the model (validate.CreationReport). Both are
// documents: sections, each a heading and a table, between plain lines.

func init() {
	register(func(r *validate.Report) view {
		return docView(validateDoc(r), ValidateProvenance(r), func(w io.Writer) error { return validateCSV(w, r) })
	})
	register(func(r *validate.CreationReport) view {
		return docView(creationsDoc(r), CreationsProvenance(r), func(w io.Writer) error { return creationsCSV(w, r) })
	})
}

// ValidateProvenance is where validate's numbers come from, for its
// figures and tables: the tool, and the calibration validated.
func ValidateProvenance(r *validate.Report) []string {
	lines := []string{fmt.Sprintf("forkcost %s, model %s", version.Tool, version.Model)}
	if h := r.Host; h != nil {
		lines = append(lines, fmt.Sprintf("host %s (%s, Linux %s), calibrated %s, %s time, base profile %s", h.Host, h.CPU, h.Kernel, h.Date, h.Clock, h.Base),
			"measurements "+h.Measurements)
	}
	return append(lines, "published figures against the built-in profiles")
}

// CreationsProvenance is where validate --trace's numbers come from: the
// tool, the traces and the profile.
func CreationsProvenance(r *validate.CreationReport) []string {
	return []string{fmt.Sprintf("forkcost %s, model %s", version.Tool, version.Model),
		"traces " + strings.Join(r.Traces, ", "), fmt.Sprintf("machine %s sha256:%s", r.Machine, r.ProfileHash)}
}

// part is one piece of a document: a title (markdown only), a section
// heading, plain text, or a table.
type part struct {
	title, heading, text string
	table                *Table
}

// docView prints a document: text and markdown part by part, LaTeX as its
// tables, each captioned by its heading, with the provenance and the
// plain text as comments.
func docView(doc []part, prov []string, csv func(io.Writer) error) view {
	return view{
		tables: func(Options) []*Table {
			var ts []*Table
			var heading string
			var lines []string
			for _, p := range doc {
				switch {
				case p.heading != "":
					heading = p.heading
				case p.text != "":
					lines = append(lines, strings.Split(strings.TrimSpace(p.text), "\n")...)
				case p.table != nil:
					t := *p.table
					if t.Caption == "" && heading != "" {
						t.Caption = strings.ToUpper(heading[:1]) + heading[1:] + "."
					}
					t.Label = fmt.Sprintf("tab:forkcost-validate-%d", len(ts)+1)
					ts = append(ts, &t)
				}
			}
			if len(ts) > 0 {
				ts[0].Provenance = append(prov, lines...)
			}
			return ts
		},
		write: map[Format]func(io.Writer, Options) error{
			Text:     func(w io.Writer, _ Options) error { return writeDoc(w, doc, false) },
			Markdown: func(w io.Writer, _ Options) error { return writeDoc(w, doc, true) },
			CSV:      func(w io.Writer, _ Options) error { return csv(w) },
		},
	}
}

func writeDoc(w io.Writer, doc []part, md bool) error {
	for _, p := range doc {
		switch {
		case p.title != "":
			if md {
				fmt.Fprintf(w, "# %s\n\n", p.title)
			}
		case p.heading != "" && md:
			fmt.Fprintf(w, "## %s\n\n", p.heading)
		case p.heading != "":
			fmt.Fprintf(w, "%s\n", p.heading)
		case p.text != "":
			io.WriteString(w, p.text)
		case p.table != nil && md:
			if err := p.table.WriteMarkdown(w); err != nil {
				return err
			}
			fmt.Fprintln(w)
		case p.table != nil:
			if err := p.table.writeListing(w); err != nil {
				return err
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

// writeListing writes the table as a plain listing under a heading:
// indented, every column left-aligned (scripts/fidelity reads it).
func (t *Table) writeListing(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	heads := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		heads[i] = c.header()
	}
	fmt.Fprintf(tw, "  %s\t\n", strings.Join(heads, "\t"))
	for _, r := range t.Rows {
		fmt.Fprintf(tw, "  %s\t\n", strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func valNum(v float64) string {
	switch a := v; {
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func relPct(v float64) string { return fmt.Sprintf("%+.1f%%", 100*v) }

func absPct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

func validateDoc(r *validate.Report) []part {
	doc := []part{{title: "forkcost: predictions against observations"}}
	if r.Host != nil {
		doc = append(doc, part{text: fmt.Sprintf("host: %s (%s, Linux %s), calibrated %s; %s time; parameters it cannot measure from %s\nmeasurements: %s\n\n",
			r.Host.Host, r.Host.CPU, r.Host.Kernel, r.Host.Date, r.Host.Clock, r.Host.Base, r.Host.Measurements)})
	}
	var t *Table
	group := ""
	for _, row := range r.Rows {
		if g := row.Group; g != group || t == nil {
			group = g
			if g == validate.GroupPublished {
				t = &Table{Columns: []Column{{Head: "id"}, {Head: "machine"}, {Head: "strategy"}, {Head: "sequence"}, {Head: "predicted", Num: true},
					{Head: "observed", Num: true}, {Head: "unit"}, {Head: "rel err", Num: true}, {Head: "used"}, {Head: "source", Below: true}}}
			} else {
				t = &Table{Columns: []Column{{Head: "MiB", Num: true}, {Head: "benchmark"}, {Head: "strategy"}, {Head: "sequence"},
					{Head: "predicted us", Num: true}, {Head: "observed us", Num: true}, {Head: "rel err", Num: true}, {Head: "note", Below: true}}}
			}
			doc = append(doc, part{heading: g}, part{table: t})
		}
		if row.Group == validate.GroupPublished {
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
			t.Rows = append(t.Rows, []string{row.ID, row.Machine, row.Strategy, what, valNum(row.Predicted), valNum(row.Observed), row.Unit, relPct(row.RelErr), used, src})
		} else {
			t.Rows = append(t.Rows, []string{strconv.FormatFloat(row.MiB, 'g', -1, 64), row.What, row.Strategy, row.Sequence, valNum(row.Predicted), valNum(row.Observed), relPct(row.RelErr), row.Note})
		}
	}
	groups := &Table{Columns: []Column{{Head: "group"}, {Head: "rows", Num: true}, {Head: "counted", Num: true}, {Head: "median |rel err|", Num: true}, {Head: "max |rel err|", Num: true}}}
	for _, g := range r.Groups {
		groups.Rows = append(groups.Rows, []string{g.Group, strconv.Itoa(g.Rows), strconv.Itoa(g.Counted), absPct(g.MedianAbsRel), absPct(g.MaxAbsRel)})
	}
	doc = append(doc, part{heading: "median absolute relative error per group (rows marked used are left out)"}, part{table: groups})
	if len(r.BySeq) > 0 {
		t := &Table{Columns: []Column{{Head: "benchmark (strategy sequence)"}, {Head: "sizes", Num: true}, {Head: "median |rel err|", Num: true}, {Head: "max |rel err|", Num: true}}}
		for _, g := range r.BySeq {
			t.Rows = append(t.Rows, []string{g.Group, strconv.Itoa(g.Counted), absPct(g.MedianAbsRel), absPct(g.MaxAbsRel)})
		}
		doc = append(doc, part{heading: "host, held-out sizes: median absolute relative error per benchmark"}, part{table: t})
	}
	doc = append(doc, part{heading: "targets"}, part{table: targetsTable(r.Targets)})
	return append(doc, notesPart(r.Notes))
}

func notesPart(notes []string) part {
	var b strings.Builder
	for _, n := range notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return part{text: b.String()}
}

// targetsTable is the acceptance targets, met or missed.
func targetsTable(targets []validate.Target) *Table {
	t := &Table{Columns: []Column{{Head: "target"}, {Head: "limit", Num: true}, {Head: "value", Num: true}, {Head: "result"}}}
	for _, tg := range targets {
		lim, val := fmt.Sprintf("%.0f%%", 100*tg.Limit), absPct(tg.Value)
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
		t.Rows = append(t.Rows, []string{tg.What, lim, val, res})
	}
	return t
}

// creationSequences are the measured quantities in the order printed, and
// their column names.
var creationSequences = []struct{ seq, name string }{
	{validate.SeqCreate, "create_ns"}, {validate.SeqBlocked, "parent_blocked_ns"}, {validate.SeqExec, "exec_ns"}, {validate.SeqFaults, "post_create_faults"},
}

func creationsDoc(r *validate.CreationReport) []part {
	var b strings.Builder
	fmt.Fprintf(&b, "traces: %s\nmachine: %s (sha256:%s)\ncreations: %d, compared: %d\n", strings.Join(r.Traces, ", "), r.Machine, r.ProfileHash, r.Creations, r.Compared)
	// In a fixed order: the map's own would change from run to run.
	for _, k := range slices.Sorted(maps.Keys(r.Skipped)) {
		fmt.Fprintf(&b, "  not compared: %d (%s)\n", r.Skipped[k], k)
	}
	b.WriteString("\n")
	doc := []part{{title: "forkcost: every creation against the model"}, {text: b.String()}}
	t := &Table{Columns: []Column{{Head: "measured"}, {Head: "group"}, {Head: "n", Num: true}, {Head: "median |rel err|", Num: true}, {Head: "median rel err", Num: true}, {Head: "IQR of rel err"}}}
	for _, sq := range creationSequences {
		s, ok := r.Sequences[sq.seq]
		if !ok {
			continue
		}
		t.Rows = append(t.Rows, []string{sq.name, "all", strconv.Itoa(s.N), absPct(s.MedianAbsRel), relPct(s.MedianRel), fmt.Sprintf("%s..%s", relPct(s.IQR[0]), relPct(s.IQR[1]))})
		for _, b := range s.Bins {
			if b.N > 0 {
				t.Rows = append(t.Rows, []string{"", b.Label(), strconv.Itoa(b.N), absPct(b.MedianAbsRel), "", ""})
			}
		}
		for _, k := range s.Kinds {
			t.Rows = append(t.Rows, []string{"", "kind " + k.Kind, strconv.Itoa(k.N), absPct(k.MedianAbsRel), "", ""})
		}
	}
	t.Caption = "Every creation against the model: relative error (predicted - measured) / measured, by parent size and by kind."
	doc = append(doc, part{table: t})
	if b, ok := r.WorstBin(validate.SeqCreate); ok {
		doc = append(doc, part{text: fmt.Sprintf("worst create_ns bin: %s, median |rel err| %.1f%% over %d creations\n\n", b.Label(), 100*b.MedianAbsRel, b.N)})
	}
	doc = append(doc, part{heading: "targets"}, part{table: targetsTable(r.Targets)})
	return append(doc, notesPart(r.Notes))
}

// validateCSV writes one line per prediction.
func validateCSV(w io.Writer, r *validate.Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"group", "id", "machine", "strategy", "sequence", "what", "mib", "predicted", "observed", "unit", "rel_err", "used", "used_by", "source", "note"})
	for _, row := range r.Rows {
		cw.Write([]string{row.Group, row.ID, row.Machine, row.Strategy, row.Sequence, row.What, strconv.FormatFloat(row.MiB, 'g', -1, 64),
			strconv.FormatFloat(row.Predicted, 'g', 6, 64), strconv.FormatFloat(row.Observed, 'g', 6, 64), row.Unit,
			strconv.FormatFloat(row.RelErr, 'f', 4, 64), strconv.FormatBool(row.Used), strings.Join(row.UsedBy, " "), row.Source, row.Note})
	}
	cw.Flush()
	return cw.Error()
}

// creationsCSV writes one line per creation and measured quantity.
func creationsCSV(w io.Writer, r *validate.CreationReport) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"trace", "row", "pid", "child_pid", "comm", "kind", "strategy", "sequence", "parent_resident_mib", "predicted", "measured", "unit", "rel_err"})
	for _, x := range r.Rows {
		unit := "ns"
		if x.Sequence == validate.SeqFaults {
			unit = "faults"
		}
		cw.Write([]string{x.Trace, strconv.FormatInt(x.Row, 10), strconv.Itoa(int(x.PID)), strconv.Itoa(int(x.Child)), x.Comm, x.Kind, x.Strategy, x.Sequence,
			strconv.FormatFloat(x.MiB, 'g', 6, 64), strconv.FormatFloat(x.Predicted, 'g', 6, 64), strconv.FormatFloat(x.Measured, 'g', 6, 64), unit, strconv.FormatFloat(x.RelErr, 'f', 4, 64)})
	}
	cw.Flush()
	return cw.Error()
}
