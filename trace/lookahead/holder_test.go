package lookahead

import (
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// The tests of textconv.Holder, which Queue replaces for kdump and truss,
// kept as they were.

func evRow(t int64, pid int32) *Slot[trace.Event] {
	return &Slot[trace.Event]{Row: trace.Event{TimeNs: t, PID: pid, Kind: trace.Exit}, Has: true}
}

// The Queue writes rows in order, holds every row behind a waiting one,
// and forces a waiting row out beyond MaxHeld rows or MaxAge.
func TestHolder(t *testing.T) {
	var got []int32
	out := func(ev *trace.Event) { got = append(got, ev.PID) }
	h := Queue[trace.Event]{MaxHeld: 3}
	w := evRow(0, 1)
	w.Waits = 1
	h.Push(w, 0)
	for i := int32(2); i <= 3; i++ {
		h.Push(evRow(int64(i), i), int64(i))
		if n := h.Flush(int64(i), out); n != 0 || len(got) != 0 {
			t.Fatalf("row %d: forced %d, wrote %v while the head waits", i, n, got)
		}
	}
	w.Row.ChildExecNs = 7
	w.Waits = 0
	h.Flush(3, out)
	if len(got) != 3 || got[0] != 1 || h.Len() != 0 {
		t.Fatalf("after the head was settled: wrote %v, %d held", got, h.Len())
	}
	// MaxHeld: the fifth row forces the waiting head out.
	got = nil
	w = evRow(10, 10)
	w.Waits = 1
	h.Push(w, 10)
	var forced int64
	for i := int32(11); i <= 14; i++ {
		h.Push(evRow(int64(i), i), int64(i))
		forced += h.Flush(int64(i), out)
	}
	if forced != 1 || !w.Forced || len(got) != 5 || got[0] != 10 {
		t.Fatalf("MaxHeld: forced %d (%v), wrote %v", forced, w.Forced, got)
	}
	// MaxAge: a head older than MaxAge goes out at the next Flush.
	got = nil
	h = Queue[trace.Event]{MaxHeld: 100, MaxAge: 50}
	w = evRow(0, 20)
	w.Waits = 1
	h.Push(w, 0)
	h.Push(evRow(30, 21), 30)
	if h.Flush(30, out) != 0 || len(got) != 0 {
		t.Fatalf("MaxAge: forced too early: %v", got)
	}
	h.Push(evRow(60, 22), 60)
	if h.Flush(60, out) != 1 || len(got) != 3 {
		t.Fatalf("MaxAge: wrote %v", got)
	}
	// Drain writes what is left, as keep says.
	got = nil
	w = evRow(70, 30)
	w.Waits = 1
	h.Push(w, 70)
	h.Push(evRow(71, 31), 71)
	h.Drain(out, func(ev *trace.Event) bool { return ev.PID != 30 })
	if len(got) != 1 || got[0] != 31 || h.Len() != 0 {
		t.Fatalf("Drain: wrote %v", got)
	}
}
