package replay

import (
	"maps"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// EventWriter writes replay's per-event output: one row per eligible
// creation and machine, keyed by the trace (its path) and the creation's row
// in it, with every strategy's cost in nanoseconds.
//
// A part writer (NewPartWriter) writes one trace on one machine, as a file
// of a dataset partitioned by machine and trace: its rows have neither the
// trace nor the machine column (the partition path holds them, Hive style)
// but a trace_path column.
type EventWriter struct {
	tw      *arrowio.TableWriter
	b       *array.RecordBuilder
	inputs  []string
	natives []int // per machine: index of its native strategy
	part    bool
	n       int
}

// Per-event columns besides the per-strategy costs (<strategy>_ns, with '-'
// spelled '_') and the savings. A part file has trace_path in place of
// trace and no machine column.
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
	// The creation's measured costs (trace schema 1.2), when the trace has
	// them: set beside the strategies' predicted costs.
	{Name: trace.ColCreateNs, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColParentBlockedNs, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColPostCreateFaults, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "machine", Type: arrow.BinaryTypes.String},
}

// StrategyColumn is the per-event column holding a strategy's cost.
func StrategyColumn(strategy string) string { return strings.ReplaceAll(strategy, "-", "_") + "_ns" }

// NewEventWriter creates path (.arrow or .parquet). inputs are the trace
// paths in replay order; profiles go into the file's metadata.
func NewEventWriter(path string, inputs []string, profiles []*machines.Profile) (*EventWriter, error) {
	return newEventWriter(path, inputs, profiles, false, nil)
}

// NewPartWriter creates one file of a partitioned dataset: the per-event
// costs of the trace at tracePath on one machine. Its metadata records
// extra (for example the filters applied) besides the tool and profile.
func NewPartWriter(path, tracePath string, profile *machines.Profile, extra map[string]string) (*EventWriter, error) {
	return newEventWriter(path, []string{tracePath}, []*machines.Profile{profile}, true, extra)
}

func newEventWriter(path string, inputs []string, profiles []*machines.Profile, part bool, extra map[string]string) (*EventWriter, error) {
	var fields []arrow.Field
	for _, f := range eventFields {
		switch {
		case part && f.Name == "trace":
			fields = append(fields, arrow.Field{Name: "trace_path", Type: arrow.BinaryTypes.String})
		case part && f.Name == "machine":
		default:
			fields = append(fields, f)
		}
	}
	for _, s := range model.Strategies() {
		fields = append(fields, arrow.Field{Name: StrategyColumn(s.Name), Type: arrow.PrimitiveTypes.Float64})
	}
	fields = append(fields, arrow.Field{Name: "saved_ns", Type: arrow.PrimitiveTypes.Float64},
		arrow.Field{Name: "saved_vs_native_ns", Type: arrow.PrimitiveTypes.Float64})
	keys := []string{"forkcost.tool", "forkcost.model_version", "forkcost.inputs"}
	vals := []string{"forkcost " + version.Tool, version.Model, strings.Join(inputs, "\n")}
	var natives []int
	for _, p := range profiles {
		keys = append(keys, "forkcost.profile."+p.Name)
		v := p.File + " sha256:" + p.Hash
		for k, o := range p.Overrides {
			v += " " + k + "=" + trimFloat(o)
		}
		vals = append(vals, v)
		nat, err := model.StrategyIndex(p.Native)
		if err != nil {
			return nil, err
		}
		natives = append(natives, nat)
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		keys = append(keys, k)
		vals = append(vals, extra[k])
	}
	md := arrow.NewMetadata(keys, vals)
	schema := arrow.NewSchema(fields, &md)
	tw, err := arrowio.CreateTable(path, schema, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	return &EventWriter{tw: tw, b: array.NewRecordBuilder(memory.DefaultAllocator, schema), inputs: inputs, natives: natives, part: part}, nil
}

// Write adds one event cost.
func (w *EventWriter) Write(e *EventCost, machine string) error {
	b := w.b
	c := e.Creation
	i := 0
	next := func() array.Builder { f := b.Field(i); i++; return f }
	if w.part {
		next().(*array.StringBuilder).Append(w.inputs[0])
	} else {
		next().(*array.StringBuilder).Append(w.inputs[e.Input])
	}
	next().(*array.Int64Builder).Append(e.Row)
	next().(*array.Int64Builder).Append(c.TimeNs)
	next().(*array.Int32Builder).Append(c.PID)
	if c.ChildPID != 0 {
		next().(*array.Int32Builder).Append(c.ChildPID)
	} else {
		next().AppendNull()
	}
	next().(*array.StringBuilder).Append(string(c.Kind))
	next().(*array.StringBuilder).Append(c.Comm)
	next().(*array.Int64Builder).Append(c.Snapshot.ResidentBytes)
	next().(*array.Int64Builder).Append(c.Snapshot.WritableResidentBytes)
	next().(*array.Int64Builder).Append(c.Snapshot.MapEntries)
	next().(*array.StringBuilder).Append(string(c.Snapshot.Source))
	for _, m := range [...]struct {
		v   int64
		has bool
	}{{c.CreateNs, c.HasCreateNs}, {c.ParentBlockedNs, c.HasParentBlockedNs}, {c.PostCreateFaults, c.HasPostCreateFaults}} {
		if m.has {
			next().(*array.Int64Builder).Append(m.v)
		} else {
			next().AppendNull()
		}
	}
	machineIdx := e.Machine
	if !w.part {
		next().(*array.StringBuilder).Append(machine)
	} else {
		machineIdx = 0
	}
	for s := range e.Result.Total {
		next().(*array.Float64Builder).Append(e.Result.Total[s])
	}
	next().(*array.Float64Builder).Append(e.SavedNs)
	vf, _ := model.StrategyIndex(model.VForkShare)
	next().(*array.Float64Builder).Append(e.Result.Total[w.natives[machineIdx]] - e.Result.Total[vf])
	w.n++
	if w.n >= arrowio.DefaultBatchRows {
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
