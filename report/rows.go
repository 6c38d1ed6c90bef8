package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// Rows writes a stream of rows (a trace's events, a table's rows: analyze
// dump) in any format. CSV and JSON go out as the rows come: CSV after
// '#' header lines and the column names, JSON as one object a line (JSON
// lines) with the null fields left out. Text, markdown and LaTeX gather
// the rows into a Table, written by Close: give them a limit.
type Rows struct {
	w       io.Writer
	format  Format
	columns []string
	cw      *csv.Writer
	enc     *json.Encoder
	obj     map[string]any
	cells   []string
	table   *Table
	text    []bool // per column: a value that is not a number was seen
}

// NewRows starts a stream of rows with the given column names. header is
// what precedes the rows: '#' lines in CSV, the provenance of a table,
// nothing in JSON lines.
func NewRows(w io.Writer, o Options, header, columns []string) (*Rows, error) {
	r := &Rows{w: w, format: o.Format, columns: columns, cells: make([]string, len(columns))}
	switch o.Format {
	case CSV:
		for _, h := range header {
			if _, err := fmt.Fprintf(w, "# %s\n", h); err != nil {
				return nil, err
			}
		}
		r.cw = csv.NewWriter(w)
		if err := r.cw.Write(columns); err != nil {
			return nil, err
		}
	case JSON:
		r.enc = json.NewEncoder(w)
		r.obj = map[string]any{}
	case Text, Markdown, LaTeX:
		r.table = &Table{Provenance: header, Wide: o.Wide}
		r.text = make([]bool, len(columns))
	default:
		return nil, fmt.Errorf("unknown format %q", o.Format)
	}
	return r, nil
}

// Write writes one row: a value per column, nil for a null. A row number
// index >= 0 (the row's place in its trace) goes into JSON lines as "row".
func (r *Rows) Write(index int64, values []any) error {
	if r.enc != nil {
		clear(r.obj)
		if index >= 0 {
			r.obj["row"] = index
		}
		for i, v := range values {
			if v != nil {
				r.obj[r.columns[i]] = v
			}
		}
		return r.enc.Encode(r.obj)
	}
	for i, v := range values {
		r.cells[i] = Cell(v)
		if r.text != nil && v != nil && !isNumber(v) {
			r.text[i] = true
		}
	}
	if r.cw != nil {
		return r.cw.Write(r.cells)
	}
	r.table.Rows = append(r.table.Rows, append([]string(nil), r.cells...))
	return nil
}

// Close ends the stream, writing the table of the formats that gather one.
func (r *Rows) Close() error {
	switch {
	case r.cw != nil:
		r.cw.Flush()
		return r.cw.Error()
	case r.table != nil:
		for i, c := range r.columns {
			r.table.Columns = append(r.table.Columns, Column{Head: c, Num: !r.text[i]})
		}
		return writeTables(r.w, Options{Format: r.format, Wide: r.table.Wide}, []*Table{r.table})
	}
	return nil
}

// Cell is a value as a table cell: "" for nil, numbers in full, a list or
// an object as JSON, unambiguous in one CSV field.
func Cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func isNumber(v any) bool {
	switch v.(type) {
	case json.Number, int64, int32, int, float64, float32, uint64, uint32:
		return true
	}
	return false
}
