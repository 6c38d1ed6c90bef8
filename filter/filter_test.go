package filter

import (
	"testing"
	"time"

	"github.com/forkcost/forkcost/trace"
)

func TestParseTime(t *testing.T) {
	for _, c := range []struct {
		in    string
		abs   bool
		relNs int64
		bad   bool
	}{
		{"30s", false, 30e9, false},
		{"1m30s", false, 90e9, false},
		{"1500ms", false, 1.5e9, false},
		{"0", false, 0, false},
		{"2026-11-27T01:30:00Z", true, 0, false},
		{"2026-11-27T01:30:00.5+01:00", true, 0, false},
		{"-1s", false, 0, true},
		{"soon", false, 0, true},
		{"30", false, 0, true},
	} {
		got, err := ParseTime(c.in)
		if (err != nil) != c.bad {
			t.Errorf("%q: err %v", c.in, err)
			continue
		}
		if c.bad {
			continue
		}
		if !got.Set || got.Abs != c.abs || (!c.abs && got.RelNs != c.relNs) {
			t.Errorf("%q: got %+v", c.in, got)
		}
	}
}

// TestAbsoluteWindow resolves RFC 3339 times against the trace's start.
func TestAbsoluteWindow(t *testing.T) {
	start := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	since, _ := ParseTime("2026-11-27T01:00:10Z")
	until, _ := ParseTime("2026-11-27T01:00:20Z")
	s := &Spec{Since: since, Until: until}
	if err := s.Check(true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start(trace.Meta{}); err == nil {
		t.Fatal("absolute window on a trace without start_unix_ns: no error")
	}
	ft, err := s.Start(trace.Meta{StartUnixNs: start.UnixNano()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Duration
		keep bool
	}{{5 * time.Second, false}, {10 * time.Second, true}, {19 * time.Second, true}, {20 * time.Second, false}} {
		ev := trace.Event{TimeNs: int64(c.at), Kind: trace.Fork, PID: 1}
		if got := ft.Creation(&ev, nil); got != c.keep {
			t.Errorf("creation at %v: kept %v, want %v", c.at, got, c.keep)
		}
	}
}

// TestSubtreePidReuse: a pid that leaves the subtree and is reused by a
// process outside it is no longer in the subtree.
func TestSubtreePidReuse(t *testing.T) {
	s := &Spec{Subtree: []int32{10}}
	ft, _ := s.Start(trace.Meta{})
	obs := func(ev trace.Event) { ft.Observe(&ev) }
	obs(trace.Event{PID: 10, Kind: trace.Fork, ChildPID: 11})
	obs(trace.Event{PID: 11, Kind: trace.Fork, ChildPID: 12})
	if !ft.InSubtree(11) || !ft.InSubtree(12) || ft.InSubtree(13) {
		t.Fatal("descendants not followed")
	}
	obs(trace.Event{PID: 12, Kind: trace.Exit})
	obs(trace.Event{PID: 1, Kind: trace.Fork, ChildPID: 12}) // 12 reused by an outsider
	if ft.InSubtree(12) {
		t.Error("reused pid still in the subtree")
	}
	obs(trace.Event{PID: 20, PPID: 11, Kind: trace.Exec}) // known only through ppid
	if !ft.InSubtree(20) {
		t.Error("a child known by its ppid is not in the subtree")
	}
	if !ft.Creation(&trace.Event{PID: 11, Kind: trace.Fork}, nil) || ft.Creation(&trace.Event{PID: 1, Kind: trace.Fork}, nil) {
		t.Error("Creation does not follow the subtree")
	}
}

func TestDescribe(t *testing.T) {
	var nilSpec *Spec
	if nilSpec.Active() || nilSpec.Describe() != nil || (&Spec{}).String() != "none" {
		t.Error("an empty spec is active")
	}
	since, _ := ParseTime("30s")
	s := &Spec{Since: since, Comm: []string{"cc*", "ld"}, Subtree: []int32{7}, Kinds: []trace.Kind{trace.Fork}, MinParentBytes: 64 << 20}
	want := "since 30s; parent or child command cc*|ld; subtree of pid 7; kind fork; parent resident >= 64 MiB"
	if got := s.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
