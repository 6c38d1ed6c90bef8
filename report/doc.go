// Package report presents: every printed output of forkcost goes through
// one function, Generate, in the spirit of pprof's internal/report. It
// only presents: every number comes from the packages that compute it
// (replay, compare, model, machines, calibrate, validate, proctree).
//
// The pipeline: a command builds a value (a replay.Summary, a
// compare.Result, an Explanation, a validate.Report, ...) and calls
// Generate(w, Options{Format, Wide}, value). Each type of value has a view,
// registered once by the file that presents it: its tables (Table: a
// caption, columns with units, rows of formatted cells, provenance), from
// which text, markdown, LaTeX and CSV are made, and the formats it writes
// its own way (replay's text headline, compare's CSV, validate's
// sections). JSON is the value's own encoding unless the view says
// otherwise. So every value has every format in Formats, and every command
// takes the same --format set.
//
// The values and their files:
//
//	*replay.Summary           report.go (text, CSV, markdown), replaytable.go (its table)
//	*compare.Result           compare.go
//	*Explanation              explain.go
//	Profiles, *machines.Profile, *replay.Diff   profile.go (analyze machines)
//	*Calibration              calibrate.go
//	*validate.Report, *validate.CreationReport  validate.go
//	*Tree                     tree.go
//	a stream of rows          rows.go (analyze dump: Rows)
//
// To add an output: a file here with the value's view (a function from
// the value to a view, with its Table), registered in that file's init;
// the command calls Generate with its --format flags (cmd/analyze's
// addOutput); a golden of each format the view writes its own way in
// cmd/analyze/testdata. To add a format: a constant in Formats and its
// case in writeTables (Table's writer for it), then the views that write
// it their own way. Figures are package plots, whose provenance lines come
// from here (Provenance).
package report
