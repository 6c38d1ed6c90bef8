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
	const lag = 16
	b.Run("convert", func(b *testing.B) {
		q := Queue[trace.Event]{MaxHeld: 1024}
		var open [lag]*Slot[trace.Event]
		rows := 0
		out := func(*trace.Event) { rows++ }
		b.ReportAllocs()
		for i := range b.N {
			t := int64(i) * 1000
			if w := open[i%lag]; w != nil {
				if !w.Done {
					w.Row.ChildExecNs, w.Row.HasChildExec = t, true
				}
				w.Waits = 0
				open[i%lag] = nil
			}
			s := q.Get()
			s.Row, s.Has = trace.Event{TimeNs: t, PID: int32(i), Kind: trace.Exec}, true
			if i%8 == 0 {
				s.Row.Kind, s.Waits, s.Keep = trace.Fork, 1, true
				if i%128 != 0 {
					open[i%lag] = s
				}
			}
			q.Push(s, t)
			q.Flush(t, out)
		}
		q.Drain(out, nil)
		if rows != b.N {
			b.Fatalf("%d rows out of %d", rows, b.N)
		}
	})
	b.Run("record", func(b *testing.B) {
		q := Queue[*trace.Event]{MaxHeld: 1024, MaxAge: 1 << 40, Delay: 4000, Clamp: true}
		var open [lag]*Slot[*trace.Event]
		evs := make([]trace.Event, 4096)
		rows := 0
		out := func(**trace.Event) { rows++ }
		b.ReportAllocs()
		for i := range b.N {
			t := int64(i) * 1000
			if w := open[i%lag]; w != nil {
				if !w.Done {
					w.Row.ChildExecNs, w.Row.HasChildExec = t, true
				}
				w.Waits = 0
				open[i%lag] = nil
			}
			ev := &evs[i%len(evs)]
			*ev = trace.Event{TimeNs: t, PID: int32(i), Kind: trace.Exec}
			if i%4 == 1 {
				ev.TimeNs -= 2500 // behind the two rows before it
			}
			s := q.Get()
			s.Row, s.Has = ev, true
			if i%8 == 0 {
				ev.Kind, s.Waits, s.Keep = trace.Fork, 1, true
				if i%128 != 0 {
					open[i%lag] = s
				}
			}
			q.Push(s, ev.TimeNs)
			ev.TimeNs = s.At
			q.Flush(t, out)
		}
		q.Drain(out, nil)
		if rows != b.N {
			b.Fatalf("%d rows out of %d", rows, b.N)
		}
	})
}
