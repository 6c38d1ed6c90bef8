package arrowio_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func TestRoundTrip(t *testing.T) {
	for _, ext := range []string{".arrow", ".parquet"} {
		for _, batch := range []int{0, 2} {
			t.Run(ext, func(t *testing.T) {
				if ext == ".parquet" {
					tracetest.NeedParquet(t)
				}
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				path := filepath.Join(t.TempDir(), "t"+ext)
				want := tracetest.Sample()
				tracetest.Write(t, path, tracetest.Meta, want, tracetest.Allocator(mem), tracetest.BatchRows(batch))
				meta, got := tracetest.Read(t, path, mem)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("round trip through %s changed events:\ngot  %+v\nwant %+v", ext, got, want)
				}
				if meta.Version != trace.SchemaVersion || meta.StartUnixNs != 1700000000000000000 || meta.Origin != "unit test" || meta.SourceOS != "linux" {
					t.Errorf("metadata = %+v", meta)
				}
				entries, _ := os.ReadDir(filepath.Dir(path))
				if len(entries) != 1 {
					t.Errorf("directory holds %d entries after Close, want only the trace", len(entries))
				}
			})
		}
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.arrow")
	w, err := arrowio.Create(path, trace.Meta{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := tracetest.Sample()[0]
	w.Append(&ev)
	w.Abort()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Abort left %v", entries)
	}
}

func TestOpenRecognisesByContent(t *testing.T) {
	dir := t.TempDir()
	// A Parquet file named .arrow still opens: the name is never trusted.
	t.Run("misnamed parquet", func(t *testing.T) {
		tracetest.NeedParquet(t)
		pq := filepath.Join(dir, "t.parquet")
		tracetest.Write(t, pq, tracetest.Meta, tracetest.Sample())
		misnamed := filepath.Join(dir, "really-parquet.arrow")
		if err := os.Rename(pq, misnamed); err != nil {
			t.Fatal(err)
		}
		if _, got := tracetest.Read(t, misnamed, nil); len(got) != len(tracetest.Sample()) {
			t.Errorf("read %d events from a misnamed Parquet file", len(got))
		}
	})
	text := filepath.Join(dir, "log.arrow")
	os.WriteFile(text, []byte("1234  execve(\"/bin/true\", [\"true\"], 0x7ff /* 3 vars */) = 0\n"), 0o644)
	_, err := arrowio.Open(text, nil)
	if err == nil || !strings.Contains(err.Error(), "analyze convert") || !strings.Contains(err.Error(), text) {
		t.Errorf("opening a text log: err = %v, want a hint to convert naming the file", err)
	}
}

func TestUnknownExtension(t *testing.T) {
	_, err := arrowio.Create(filepath.Join(t.TempDir(), "t.csv"), trace.Meta{}, nil)
	if err == nil || !strings.Contains(err.Error(), ".arrow") {
		t.Errorf("err = %v, want the list of known extensions", err)
	}
}

// TestRoundTripManyRows writes a long mix of rows, so that batches fill
// and grow and the runs of null exec paths and argvs cross batch
// boundaries, and checks every row comes back.
func TestRoundTripManyRows(t *testing.T) {
	sample := tracetest.Sample()
	var want []trace.Event
	for i := 0; i < 3000; i++ {
		ev := trace.Event{TimeNs: int64(i), PID: 7, PPID: 1, Kind: trace.Mmap, Comm: "cc1"}
		switch {
		case i%97 == 0, i%101 == 3:
			ev = sample[i%len(sample)]
			ev.TimeNs = int64(i)
			if ev.HasChildExec {
				ev.ChildExecNs = ev.TimeNs + 20 // the child execs after its creation
			}
		case i%13 == 0:
			ev.Kind = trace.Brk
			ev.Comm = ""
		}
		want = append(want, ev)
	}
	for _, batch := range []int{0, 3, 300, 1000} {
		path := filepath.Join(t.TempDir(), "t.arrow")
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		tracetest.Write(t, path, tracetest.Meta, want, tracetest.Allocator(mem), tracetest.BatchRows(batch))
		_, got := tracetest.Read(t, path, mem)
		if len(got) != len(want) {
			t.Fatalf("batch %d: read %d rows, want %d", batch, len(got), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("batch %d: row %d = %+v, want %+v", batch, i, got[i], want[i])
			}
		}
		mem.AssertSize(t, 0)
	}
}

// TestReadsOlderMinorVersion reads a schema 1.1 table, which has none of
// the 1.2 measured-cost columns: they read as null.
func TestReadsOlderMinorVersion(t *testing.T) {
	md := arrow.NewMetadata([]string{trace.MetaSchemaVersion}, []string{"1.1"})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: trace.ColTimeNs, Type: arrow.PrimitiveTypes.Int64},
		{Name: trace.ColPID, Type: arrow.PrimitiveTypes.Int32},
		{Name: trace.ColKind, Type: arrow.BinaryTypes.String},
		{Name: trace.ColChildPID, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, &md)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).Append(5)
	b.Field(1).(*array.Int32Builder).Append(10)
	b.Field(2).(*array.StringBuilder).Append("fork")
	b.Field(3).(*array.Int32Builder).Append(11)
	rec := b.NewRecordBatch()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "old.arrow")
	tw, err := arrowio.CreateTable(path, schema, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	meta, got := tracetest.Read(t, path, nil)
	if meta.Version != "1.1" || len(got) != 1 {
		t.Fatalf("read version %q, %d rows", meta.Version, len(got))
	}
	ev := got[0]
	if ev.Kind != trace.Fork || ev.ChildPID != 11 || ev.HasCreateNs || ev.HasParentBlockedNs || ev.HasPostCreateFaults || ev.HasExecNs {
		t.Errorf("1.1 row read as %+v, want a fork with no measured costs", ev)
	}
}
