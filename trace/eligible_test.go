package trace

import (
	"testing"
)

// run feeds events to a tracker and returns the verdicts by creation row.
func run(evs []Event) map[int64]Decision {
	got := map[int64]Decision{}
	el := NewEligibility(func(d Decision) {
		d2 := d
		c := *d.Creation
		d2.Creation = &c
		got[d.Creation.Row] = d2
	})
	for i := range evs {
		el.Observe(int64(i), &evs[i])
	}
	el.Finish()
	return got
}

func TestEligibility(t *testing.T) {
	parent := func(kind Kind, child int32) Event {
		return Event{PID: 10, Kind: kind, ChildPID: child, HasSnapshot: true}
	}
	cases := []struct {
		name     string
		evs      []Event
		eligible bool
		reason   Reason
	}{
		{"exec first", []Event{parent(Fork, 11), {PID: 11, Kind: Exec}}, true, ReasonExec},
		{"failed execs then exec", []Event{parent(Fork, 11), {PID: 11, Kind: ExecFailed}, {PID: 11, Kind: ExecFailed}, {PID: 11, Kind: Exec}}, true, ReasonExec},
		{"failed exec then exit", []Event{parent(Fork, 11), {PID: 11, Kind: ExecFailed}, {PID: 11, Kind: Exit}}, true, ReasonExit},
		{"exit first", []Event{parent(Clone, 11), {PID: 11, Kind: Exit}}, true, ReasonExit},
		{"signal does not decide", []Event{parent(Fork, 11), {PID: 11, Kind: Signal, Signal: 17}, {PID: 11, Kind: Exec}}, true, ReasonExec},
		{"other processes do not decide", []Event{parent(Fork, 11), {PID: 10, Kind: Mmap}, {PID: 12, Kind: Fork, ChildPID: 13}, {PID: 11, Kind: Exec}}, true, ReasonExec},
		{"vfork is eligible", []Event{parent(VFork, 11), {PID: 11, Kind: Mmap}}, true, ReasonVFork},
		{"spawn is eligible", []Event{parent(Spawn, 11)}, true, ReasonSpawn},
		{"fork before exec", []Event{parent(Fork, 11), {PID: 11, Kind: Fork, ChildPID: 12}, {PID: 11, Kind: Exec}}, false, ReasonCreate},
		{"thread before exec", []Event{parent(Fork, 11), {PID: 11, Kind: Thread, ChildPID: 12}}, false, ReasonCreate},
		{"mmap before exec", []Event{parent(Fork, 11), {PID: 11, Kind: Mmap}, {PID: 11, Kind: Exec}}, false, ReasonMemory},
		{"brk after failed exec", []Event{parent(Fork, 11), {PID: 11, Kind: ExecFailed}, {PID: 11, Kind: Brk}}, false, ReasonMemory},
		{"trace ends", []Event{parent(Fork, 11), {PID: 11, Kind: ExecFailed}}, false, ReasonTraceEnded},
		{"pid reused", []Event{parent(Fork, 11), {PID: 12, Kind: Fork, ChildPID: 11}, {PID: 11, Kind: Exec}}, false, ReasonPidReused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := run(c.evs)[0]
			if !ok {
				t.Fatal("no verdict for the creation in row 0")
			}
			if got.Eligible != c.eligible || got.Reason != c.reason {
				t.Errorf("verdict %v (%s), want %v (%s)", got.Eligible, got.Reason, c.eligible, c.reason)
			}
			if got.Creation.Event.ChildPID != c.evs[0].ChildPID {
				t.Errorf("verdict carries child %d, want %d", got.Creation.Event.ChildPID, c.evs[0].ChildPID)
			}
		})
	}
}

func TestEligibilityStateIsBounded(t *testing.T) {
	// A long trace of fork+exec+exit keeps at most one pending creation.
	max := 0
	el := NewEligibility(func(Decision) {})
	for i := int32(0); i < 100000; i++ {
		child := 1000 + i%30000
		el.Observe(int64(3*i), &Event{PID: 1, Kind: Fork, ChildPID: child})
		if el.Pending() > max {
			max = el.Pending()
		}
		el.Observe(int64(3*i+1), &Event{PID: child, Kind: Exec})
		el.Observe(int64(3*i+2), &Event{PID: child, Kind: Exit})
	}
	if max != 1 || el.Pending() != 0 {
		t.Errorf("pending peaked at %d and ends at %d, want 1 and 0", max, el.Pending())
	}
}
