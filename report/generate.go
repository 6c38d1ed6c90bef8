package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Format is an output format. Every command that prints takes the same
// set (Formats) with --format.
type Format string

// The formats.
const (
	Text     Format = "text"     // for a terminal
	CSV      Format = "csv"      // for a spreadsheet or a script, '#' provenance lines first
	JSON     Format = "json"     // the value's stable JSON form
	Markdown Format = "markdown" // for a README or a report
	LaTeX    Format = "latex"    // booktabs tables for a paper
)

// Formats lists every format, in the order help texts give them.
var Formats = []Format{Text, CSV, JSON, Markdown, LaTeX}

// FormatNames is Formats as strings, for flag checks and help texts.
func FormatNames() []string {
	n := make([]string, len(Formats))
	for i, f := range Formats {
		n[i] = string(f)
	}
	return n
}

// Options says how Generate writes a value: one struct for every output.
type Options struct {
	Format Format
	// Wide sets a LaTeX table across both columns of a two-column paper
	// (table*), with the columns a one-column table leaves out.
	Wide bool
}

// Generate writes v in o.Format. v is one of the values forkcost prints,
// each registered by the file of this package that presents it (register):
// *replay.Summary, *compare.Result, *Explanation, *machines.Profile,
// Profiles, *replay.Diff, *Calibration, *validate.Report,
// *validate.CreationReport, *Tree. Every value has every format: those it
// does not write its own way are made from its tables (Table), and JSON
// from the value itself.
func Generate(w io.Writer, o Options, v any) error {
	mk, ok := views[reflect.TypeOf(v)]
	if !ok {
		return fmt.Errorf("report: no output for a %T", v)
	}
	vw := mk(v)
	if write := vw.write[o.Format]; write != nil {
		return write(w, o)
	}
	switch o.Format {
	case JSON:
		data := v
		if vw.json != nil {
			data = vw.json()
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(data)
	case Text, CSV, Markdown, LaTeX:
		if vw.tables == nil {
			return fmt.Errorf("report: a %T has no %s form", v, o.Format)
		}
		return writeTables(w, o, vw.tables(o))
	}
	return fmt.Errorf("unknown format %q (want one of %s)", o.Format, strings.Join(FormatNames(), ", "))
}

// view is how one type of value is printed.
type view struct {
	// tables is the value as tables, from which every format not in write
	// (but JSON) is made.
	tables func(o Options) []*Table
	// write holds the formats the value writes its own way.
	write map[Format]func(w io.Writer, o Options) error
	// json is what the JSON form encodes, when not the value itself.
	json func() any
}

// views maps a value's type to its view.
var views = map[reflect.Type]func(v any) view{}

// register makes Generate print values of type T by the view f gives.
// Each file that presents a value registers it once, in init.
func register[T any](f func(T) view) {
	views[reflect.TypeFor[T]()] = func(v any) view { return f(v.(T)) }
}

// writeTables writes tables one after another: in text and markdown with
// a blank line between them, in LaTeX as separate floats, in CSV as
// blocks (each its '#' caption line, header and rows) after a blank line.
func writeTables(w io.Writer, o Options, ts []*Table) error {
	for i, t := range ts {
		if i > 0 {
			fmt.Fprintln(w)
		}
		tt := *t
		tt.Wide = tt.Wide || o.Wide
		var err error
		switch o.Format {
		case Text:
			err = tt.WriteText(w)
		case Markdown:
			err = tt.WriteMarkdown(w)
		case LaTeX:
			err = tt.WriteLaTeX(w)
		case CSV:
			err = tt.WriteCSV(w)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteCSV writes the table's provenance and caption as '#' lines, then
// its header (with units) and rows.
func (t *Table) WriteCSV(w io.Writer) error {
	var b strings.Builder
	for _, p := range t.Provenance {
		fmt.Fprintf(&b, "# %s\n", p)
	}
	if t.Caption != "" {
		fmt.Fprintf(&b, "# %s\n", t.Caption)
	}
	for _, n := range t.Notes {
		fmt.Fprintf(&b, "# %s\n", n)
	}
	cw := csv.NewWriter(&b)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.header()
	}
	cw.Write(head)
	cw.WriteAll(t.Rows)
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON writes v as indented JSON, as every JSON output is.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
