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
