package tracetest

import (
	"reflect"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// EmitMemory is the function a converter's SetEmitMemory takes
// (textconv.EmitMemory): a memory row as its five fields.
type EmitMemory = func(t int64, pid, ppid int32, kind trace.Kind, comm string) error

// CheckEmitMemory converts twice through convert, which passes its rows to
// emit, and its memory rows to mem unless mem is nil: the rows must be the
// same, in the same order, either way, and with mem every memory row must
// go there. It returns the number of memory rows.
func CheckEmitMemory(tb testing.TB, name string, convert func(emit func(*trace.Event) error, mem EmitMemory)) int {
	tb.Helper()
	run := func(split bool) (rows []trace.Event, memRows int) {
		emit := func(ev *trace.Event) error {
			rows = append(rows, *ev)
			return nil
		}
		var mem EmitMemory
		if split {
			mem = func(t int64, pid, ppid int32, kind trace.Kind, comm string) error {
				memRows++
				rows = append(rows, trace.Event{TimeNs: t, PID: pid, PPID: ppid, Kind: kind, Comm: comm})
				return nil
			}
		}
		convert(emit, mem)
		return rows, memRows
	}
	plain, _ := run(false)
	split, memRows := run(true)
	if !reflect.DeepEqual(plain, split) {
		tb.Errorf("%s: the rows differ when memory rows go apart (%d rows, %d)", name, len(plain), len(split))
	}
	want := 0
	for i := range plain {
		if plain[i].Kind.IsMemory() {
			want++
		}
	}
	if memRows != want {
		tb.Errorf("%s: %d memory rows went apart, want all %d", name, memRows, want)
	}
	return memRows
}
