package replay

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/trace"
)

// EventWriter writes replay's per-event output: one row per eligible
// creation and machine, keyed by the trace (its path) and the creation's row
// in it, with every strategy's cost in nanoseconds.
type EventWriter struct {
	tw     *trace.TableWriter
	b      *array.RecordBuilder
	inputs []string
	n      int
}

// Per-event columns besides the per-strategy costs (<strategy>_ns, with '-'
// spelled '_').
var eventFields = []arrow.Field{
	{Name: "trace", Type: arrow.BinaryTypes.String},
	{Name: "row", Type: arrow.PrimitiveTypes.Int64},
	{Name: "time_ns", Type: arrow.PrimitiveTypes.Int64},
	{Name: "pid", Type: arrow.PrimitiveTypes.Int32},
	{Name: "child_pid", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "kind", Type: arrow.BinaryTypes.String},
	{Name: "comm", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "resident_bytes", Type: arrow.PrimitiveTypes.Int64},
	{Name: "writable_resident_bytes", Type: arrow.PrimitiveTypes.Int64},
	{Name: "map_entries", Type: arrow.PrimitiveTypes.Int64},
	{Name: "snapshot_source", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "machine", Type: arrow.BinaryTypes.String},
}

// StrategyColumn is the per-event column holding a strategy's cost.
func StrategyColumn(strategy string) string { return strings.ReplaceAll(strategy, "-", "_") + "_ns" }

// NewEventWriter creates path (.arrow or .parquet). inputs are the trace
// paths in replay order; profiles go into the file's metadata.
func NewEventWriter(path string, inputs []string, profiles []*machines.Profile) (*EventWriter, error) {
	fields := append([]arrow.Field(nil), eventFields...)
	for _, s := range model.Strategies() {
		fields = append(fields, arrow.Field{Name: StrategyColumn(s.Name), Type: arrow.PrimitiveTypes.Float64})
	}
	fields = append(fields, arrow.Field{Name: "saved_ns", Type: arrow.PrimitiveTypes.Float64})
	keys := []string{"forkcost.tool", "forkcost.model_version", "forkcost.inputs"}
	vals := []string{"forkcost " + version.Tool, version.Model, strings.Join(inputs, "\n")}
	for _, p := range profiles {
		keys = append(keys, "forkcost.profile."+p.Name)
		v := p.File + " sha256:" + p.Hash
		for k, o := range p.Overrides {
			v += " " + k + "=" + trimFloat(o)
		}
		vals = append(vals, v)
	}
	md := arrow.NewMetadata(keys, vals)
	schema := arrow.NewSchema(fields, &md)
	tw, err := trace.CreateTable(path, schema, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	return &EventWriter{tw: tw, b: array.NewRecordBuilder(memory.DefaultAllocator, schema), inputs: inputs}, nil
}

// Write adds one event cost.
func (w *EventWriter) Write(e *EventCost, machine string) error {
	b := w.b
	c := e.Creation
	b.Field(0).(*array.StringBuilder).Append(w.inputs[e.Input])
	b.Field(1).(*array.Int64Builder).Append(e.Row)
	b.Field(2).(*array.Int64Builder).Append(c.TimeNs)
	b.Field(3).(*array.Int32Builder).Append(c.PID)
	if c.ChildPID != 0 {
		b.Field(4).(*array.Int32Builder).Append(c.ChildPID)
	} else {
		b.Field(4).AppendNull()
	}
	b.Field(5).(*array.StringBuilder).Append(string(c.Kind))
	b.Field(6).(*array.StringBuilder).Append(c.Comm)
	b.Field(7).(*array.Int64Builder).Append(c.Snapshot.ResidentBytes)
	b.Field(8).(*array.Int64Builder).Append(c.Snapshot.WritableResidentBytes)
	b.Field(9).(*array.Int64Builder).Append(c.Snapshot.MapEntries)
	b.Field(10).(*array.StringBuilder).Append(string(c.Snapshot.Source))
	b.Field(11).(*array.StringBuilder).Append(machine)
	for i := range model.Strategies() {
		b.Field(12 + i).(*array.Float64Builder).Append(e.Result.Total[i])
	}
	b.Field(12 + len(model.Strategies())).(*array.Float64Builder).Append(e.SavedNs)
	w.n++
	if w.n >= trace.DefaultBatchRows {
		return w.flush()
	}
	return nil
}

func (w *EventWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	rec := w.b.NewRecordBatch()
	defer rec.Release()
	w.n = 0
	return w.tw.Write(rec)
}

// Close finishes the file and renames it into place.
func (w *EventWriter) Close() error {
	defer w.b.Release()
	if err := w.flush(); err != nil {
		w.tw.Abort()
		return err
	}
	return w.tw.Close()
}

// Abort discards the file.
func (w *EventWriter) Abort() {
	w.b.Release()
	w.tw.Abort()
}
