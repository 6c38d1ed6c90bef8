package tracetest

import (
	"reflect"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// EmitShort is the function a converter's SetEmitShort takes
// (textconv.EmitShort): a memory or signal row as its fields, the kind as
// its index in trace.Kinds.
type EmitShort = func(t int64, pid, ppid, kind int32, comm string, sig int32) error

// CheckEmitShort converts twice through convert, which passes its rows to
// emit, and its short rows to short unless short is nil: the rows must be
// the same, in the same order, either way, and with short every memory
// row must go there. It returns the number of memory and of signal rows
// that went there.
func CheckEmitShort(tb testing.TB, name string, convert func(emit func(*trace.Event) error, short EmitShort)) (memRows, sigRows int) {
	tb.Helper()
	run := func(split bool) (rows []trace.Event, memRows, sigRows int) {
		emit := func(ev *trace.Event) error {
			rows = append(rows, *ev)
			return nil
		}
		var short EmitShort
		if split {
			short = func(t int64, pid, ppid, k int32, comm string, sig int32) error {
				kind := trace.Kinds[k]
				if kind == trace.Signal {
					sigRows++
				} else {
					memRows++
				}
				rows = append(rows, trace.Event{TimeNs: t, PID: pid, PPID: ppid, Kind: kind, Comm: comm, Signal: sig})
				return nil
			}
		}
		convert(emit, short)
		return rows, memRows, sigRows
	}
	plain, _, _ := run(false)
	split, memRows, sigRows := run(true)
	if !reflect.DeepEqual(plain, split) {
		tb.Errorf("%s: the rows differ when short rows go apart (%d rows, %d)", name, len(plain), len(split))
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
	return memRows, sigRows
}
