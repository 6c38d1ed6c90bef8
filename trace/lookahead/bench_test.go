package lookahead

import (
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// BenchmarkQueue pushes and flushes rows as the converters and the
// recorder do: a flush after every row, one row in eight a creation that
// waits until its child's exec comes sixteen rows later, and one creation
// in sixteen whose child never shows up, forced out by MaxHeld. "convert"
// holds trace.Events by value (kdump, truss); "record" holds pointers,
// inserted in time order with a Delay (a row in four a little late) and
// clamped, as the eBPF backend does. Reported per row.
func BenchmarkQueue(b *testing.B) {
	b.Run("convert", func(b *testing.B) {
		q := Queue[trace.Event]{MaxHeld: 1024}
		benchQueue(b, &q, func(i int, t int64) trace.Event {
			return trace.Event{TimeNs: t, PID: int32(i), Kind: trace.Exec}
		}, func(r *trace.Event) *trace.Event { return r })
	})
	b.Run("record", func(b *testing.B) {
		q := Queue[*trace.Event]{MaxHeld: 1024, MaxAge: 1 << 40, Delay: 4000, Clamp: true}
		evs := make([]trace.Event, 4096) // more than are ever held
		benchQueue(b, &q, func(i int, t int64) *trace.Event {
			ev := &evs[i%len(evs)]
			*ev = trace.Event{TimeNs: t, PID: int32(i), Kind: trace.Exec}
			if i%4 == 1 {
				ev.TimeNs -= 2500 // behind the two rows before it
			}
			return ev
		}, func(r **trace.Event) *trace.Event { return *r })
	})
}

// benchQueue runs BenchmarkQueue's loop on q: mk makes row i at time t,
// ev returns a row's event.
func benchQueue[R any](b *testing.B, q *Queue[R], mk func(i int, t int64) R, ev func(*R) *trace.Event) {
	const lag = 16
	var open [lag]*Slot[R]
	rows := 0
	out := func(*R) { rows++ }
	b.ReportAllocs()
	for i := range b.N {
		t := int64(i) * 1000
		if w := open[i%lag]; w != nil {
			if !w.Done {
				e := ev(&w.Row)
				e.ChildExecNs, e.HasChildExec = t, true
			}
			w.Waits = 0
			open[i%lag] = nil
		}
		s := q.Get()
		s.Row, s.Has = mk(i, t), true
		e := ev(&s.Row)
		if i%8 == 0 {
			e.Kind, s.Waits, s.Keep = trace.Fork, 1, true
			if i%128 != 0 {
				open[i%lag] = s
			}
		}
		q.Push(s, e.TimeNs)
		e.TimeNs = s.At
		q.Flush(t, out)
	}
	q.Drain(out, nil)
	if rows != b.N {
		b.Fatalf("%d rows out of %d", rows, b.N)
	}
}

// BenchmarkTree holds rows in lanes as the strace converter does: rows of
// sixteen processes in turn, one row in eight a creation whose lane (in
// the lane of its process, if that is held) holds its child's rows until
// the child's exec sixteen rows later, and one creation in sixteen whose
// child never execs, forced out by MaxHeld. Reported per row.
func BenchmarkTree(b *testing.B) {
	type row struct {
		t   int64
		pid int32
	}
	const procs, lag = 16, 16
	var lanes [procs]*Lane[row, int]
	var open [lag]*Lane[row, int]
	rows := 0
	tr := Tree[row, int]{MaxHeld: 1024, Write: func(r []row) { rows += len(r) }}
	b.ReportAllocs()
	for i := range b.N {
		t := int64(i) * 1000
		if l := open[i%lag]; l != nil {
			tr.Finish(l)
			open[i%lag] = nil
		}
		p := i % procs
		if !tr.Push(lanes[p], row{t, int32(p)}) {
			rows++
		}
		if i%8 == 0 {
			l := tr.Open(lanes[p], i, t)
			lanes[(p+1)%procs] = l
			if i%128 != 0 {
				open[i%lag] = l
			}
		}
		tr.Fit()
	}
	tr.Drain()
	if rows != b.N {
		b.Fatalf("%d rows out of %d", rows, b.N)
	}
}
