package record

import (
	"fmt"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

type rows []trace.Event

func (r *rows) Append(ev *trace.Event) error { *r = append(*r, *ev); return nil }

func (r rows) String() string {
	var b strings.Builder
	for _, ev := range r {
		fmt.Fprintf(&b, "%d %s %s;", ev.TimeNs, ev.Kind, ev.ExecPath)
	}
	return b.String()
}

// TestEmitterNeverGuesses checks the emitter's held rows past the hold
// bound: an exec attempt is written only once it failed, at that time; an
// attempt whose outcome never came is listed, not written; a creation goes
// out without what it still awaited.
func TestEmitterNeverGuesses(t *testing.T) {
	defer func(ns int64) { maxHoldNs = ns }(maxHoldNs)
	maxHoldNs = 10
	var out rows
	e := emitter{w: &out}
	failed := &trace.Event{TimeNs: 1, PID: 5, Kind: trace.ExecFailed, ExecPath: "/a"}
	succeeded := &trace.Event{TimeNs: 2, PID: 6, Kind: trace.ExecFailed, ExecPath: "/b"}
	unknown := &trace.Event{TimeNs: 3, PID: 7, Kind: trace.ExecFailed, ExecPath: "/c"}
	fork := &trace.Event{TimeNs: 4, PID: 1, Kind: trace.Fork, ChildPID: 8}
	e.addPending(failed)
	e.addPending(succeeded)
	e.addPending(unknown)
	e.hold(fork, 2)
	e.add(&trace.Event{TimeNs: 5, PID: 1, Kind: trace.Signal})
	if e.flush(6); len(out) != 0 {
		t.Fatalf("rows written within the hold bound: %v", out)
	}
	if e.flush(100); out.String() != "4 fork ;5 signal ;" || e.forced != 1 {
		t.Fatalf("past the bound: %v (forced %d), want only the fork and the signal", out, e.forced)
	}
	if !e.settle(failed, true, 120) || e.settle(succeeded, false, 121) {
		t.Errorf("settle reported the wrong rows")
	}
	if e.done(fork) {
		t.Errorf("done on a row already written")
	}
	e.flush(130)
	unk, err := e.drain()
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "4 fork ;5 signal ;120 exec_failed /a;" {
		t.Errorf("rows %v, want the failure written when it was seen and nothing for the success", out)
	}
	if len(unk) != 1 || unk[0] != "pid 7 at 3 ns: /c" {
		t.Errorf("unknown attempts %q", unk)
	}
}

// TestEmitterOrdersWithDelay: with a delay, rows that come slightly out of
// order are written in order, and a held row waits for all its outcomes.
func TestEmitterOrdersWithDelay(t *testing.T) {
	var out rows
	e := emitter{w: &out, delay: 10}
	fork := &trace.Event{TimeNs: 3, Kind: trace.VFork}
	e.add(&trace.Event{TimeNs: 5, Kind: trace.Exit})
	e.hold(fork, 2)
	e.add(&trace.Event{TimeNs: 1, Kind: trace.Exec})
	e.add(&trace.Event{TimeNs: 4, Kind: trace.Signal})
	e.flush(12)
	if out.String() != "1 exec ;" {
		t.Fatalf("rows %v, want the exec alone before the held fork", out)
	}
	e.done(fork)
	e.flush(13)
	if len(out) != 1 {
		t.Fatalf("the fork went out with an outcome still awaited: %v", out)
	}
	e.done(fork)
	e.flush(20)
	if out.String() != "1 exec ;3 vfork ;4 signal ;5 exit ;" {
		t.Errorf("rows %v", out)
	}
}

// TestEmitterBounds pins the hold bounds: a waiting row is forced out
// once maxHoldRows rows are held or once it is maxHoldNs old, not before.
func TestEmitterBounds(t *testing.T) {
	defer func(rows int, ns int64) { maxHoldRows, maxHoldNs = rows, ns }(maxHoldRows, maxHoldNs)
	maxHoldRows, maxHoldNs = 4, 10
	var out rows
	e := emitter{w: &out}
	e.addCreation(&trace.Event{TimeNs: 0, Kind: trace.Fork})
	e.add(&trace.Event{TimeNs: 1, Kind: trace.Exit})
	e.add(&trace.Event{TimeNs: 2, Kind: trace.Exit})
	if e.flush(9); len(out) != 0 {
		t.Fatalf("forced with 3 rows held, 9 ns old: %v", out)
	}
	e.add(&trace.Event{TimeNs: 3, Kind: trace.Exit})
	if e.flush(9); len(out) != 4 || e.forced != 1 {
		t.Fatalf("4 rows held: wrote %v, forced %d", out, e.forced)
	}
	out = nil
	e.addCreation(&trace.Event{TimeNs: 20, Kind: trace.Fork})
	if e.flush(29); len(out) != 0 {
		t.Fatalf("forced at 9 ns old: %v", out)
	}
	if e.flush(30); len(out) != 1 || e.forced != 2 {
		t.Fatalf("10 ns old: wrote %v, forced %d", out, e.forced)
	}
}

// TestEmitterClamps: with a delay, a row that comes after rows later than
// it were written is stamped with the last written row's time, so the
// trace stays in time order; a late failed attempt likewise.
func TestEmitterClamps(t *testing.T) {
	var out rows
	e := emitter{w: &out, delay: 10}
	e.add(&trace.Event{TimeNs: 50, Kind: trace.Exec})
	e.flush(60)
	late := &trace.Event{TimeNs: 30, Kind: trace.Exit}
	e.add(late)
	if late.TimeNs != 50 {
		t.Errorf("a row of time 30 after one of 50 was written: stamped %d", late.TimeNs)
	}
	e.flush(100)
	if out.String() != "50 exec ;50 exit ;" {
		t.Errorf("rows %v", out)
	}
}
