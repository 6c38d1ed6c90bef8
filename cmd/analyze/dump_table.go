package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/report"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// notATable explains, for the text files forkcost writes, that they need
// no dump and which command reads them; nil for anything else.
func notATable(path string) error {
	if tableMagic(path) {
		return nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		if p, err := machines.LoadFile(path); err == nil {
			return fmt.Errorf("%s: a machine profile (%s), not a table: analyze machines show %s --machine-file %s prints it", path, p.Name, p.Name, path)
		}
	case ".csv", ".json", ".svg", ".tex", ".md", ".html":
		return fmt.Errorf("%s: a text file (forkcost's CSV, JSON, figures and tables are text already), not a trace or a per-event table", path)
	}
	return nil
}

// plainTable reports whether path is a table forkcost wrote that is not a
// trace: replay's -o per-event file or a part of its --out dataset.
func plainTable(path string) bool {
	if !tableMagic(path) {
		return false
	}
	br, err := arrowio.OpenTable(path, nil)
	if err != nil {
		return false
	}
	defer br.Close()
	_, err = arrowio.MetaFromSchema(br.Schema())
	return err != nil
}

// dumpTable prints any table column by column as its schema gives them,
// with the schema's metadata in '#' lines (CSV) first. Whole floating-point
// numbers print as integers, as everywhere in forkcost.
func dumpTable(e *env, path string, opts report.Options, limit int64) error {
	br, err := arrowio.OpenTable(path, nil)
	if err != nil {
		return err
	}
	defer br.Close()
	schema := br.Schema()
	md := schema.Metadata()
	keys := append([]string(nil), md.Keys()...)
	sort.Strings(keys)
	var header []string
	for _, k := range keys {
		v, _ := md.GetValue(k)
		header = append(header, k+": "+v)
	}
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = f.Name
	}
	rows, err := report.NewRows(e.stdout, opts, header, names)
	if err != nil {
		return err
	}
	var n int64
	values := make([]any, schema.NumFields())
	for br.Next() {
		rec := br.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			if limit > 0 && n >= limit {
				break
			}
			n++
			for c := 0; c < int(rec.NumCols()); c++ {
				values[c] = nil
				if col := rec.Column(c); col.IsValid(r) {
					values[c] = cellValue(col, r)
				}
			}
			if err := rows.Write(-1, values); err != nil {
				return err
			}
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := br.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// cellValue is a cell as a value encoding/json prints well: floats as
// json.Number without an exponent when whole.
func cellValue(col arrow.Array, r int) any {
	var f float64
	switch a := col.(type) {
	case *array.Float64:
		f = a.Value(r)
	case *array.Float32:
		f = float64(a.Value(r))
	default:
		return col.GetOneForMarshal(r)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return json.Number(strconv.FormatFloat(f, 'f', 0, 64))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}
