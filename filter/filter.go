// Package filter selects the process creations an analysis costs: a time
// window, parent or child command globs, a process subtree, creation kinds
// and a minimum parent size. replay, plot and dump share it.
//
// The model: a Spec is what the user asked for, checked once. For each trace
// Spec.Start returns a Trace, the per-trace state (absolute times resolved
// against the trace's start, the members of the subtree). The caller feeds
// every event of the trace to Trace.Observe, unfiltered, so that subtree
// membership (and, in replay, the eligibility tracker) see the whole
// stream; then asks Trace.Creation whether a creation counts, or
// Trace.Row whether a row is printed. Filtering never changes which
// creations are eligible, only which of them are counted and costed.
//
// State per trace is bounded by the processes of the subtree (one map entry
// per pid in it), never by the trace length.
package filter

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/forkcost/forkcost/trace"
)

// Time is one end of a time window: an offset from the trace's start
// (time_ns 0) or an absolute time, resolved per trace through its
// forkcost.start_unix_ns metadata.
type Time struct {
	Set   bool
	Abs   bool
	RelNs int64     // when !Abs
	At    time.Time // when Abs
	Text  string    // as given
}

// ParseTime reads "30s", "1m30s", "1500ms", "0" (relative to the trace
// start) or an RFC 3339 time such as 2026-11-27T01:30:00Z (absolute).
func ParseTime(s string) (Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Time{}, nil
	}
	if s == "0" {
		return Time{Set: true, Text: s}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return Time{}, fmt.Errorf("%q: a time relative to the trace start must not be negative", s)
		}
		return Time{Set: true, RelNs: int64(d), Text: s}, nil
	}
	if at, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Time{Set: true, Abs: true, At: at, Text: s}, nil
	}
	return Time{}, fmt.Errorf("%q: want a duration from the trace start (30s, 2m, 1500ms) or an RFC 3339 time (2026-11-27T01:30:00Z)", s)
}

// Spec is a set of filters. The zero Spec keeps everything.
type Spec struct {
	Since, Until Time
	// Comm globs (path.Match syntax: * ? [...]) match the parent's command
	// or the command the child exec'd (its exec row's comm or the base name
	// of its exec path).
	Comm []string
	// Subtree keeps creations made by these processes or their descendants.
	Subtree []int32
	// Kinds keeps events of these kinds (creation kinds in replay).
	Kinds []trace.Kind
	// MinParentBytes keeps creations whose parent had at least this many
	// resident bytes; creations without sizes are dropped when it is set.
	MinParentBytes int64
	// Rows says the filters select rows of every kind (dump), not
	// creations; it changes only how Describe words them.
	Rows bool
}

// Active reports whether any filter is set.
func (s *Spec) Active() bool {
	return s != nil && (s.Since.Set || s.Until.Set || len(s.Comm) > 0 || len(s.Subtree) > 0 || len(s.Kinds) > 0 || s.MinParentBytes > 0)
}

// Check validates the globs, the window and, with creationsOnly, that every
// kind is a process creation.
func (s *Spec) Check(creationsOnly bool) error {
	for _, g := range s.Comm {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("--comm %q: bad glob: %v", g, err)
		}
	}
	for _, k := range s.Kinds {
		if creationsOnly && !k.IsCreation() {
			return fmt.Errorf("--kind %s: not a process creation (want fork, vfork, spawn or clone)", k)
		}
	}
	if s.Since.Set && s.Until.Set && s.Since.Abs == s.Until.Abs {
		if (!s.Since.Abs && s.Until.RelNs <= s.Since.RelNs) || (s.Since.Abs && !s.Until.At.After(s.Since.At)) {
			return fmt.Errorf("--until %s is not after --since %s", s.Until.Text, s.Since.Text)
		}
	}
	if s.MinParentBytes < 0 {
		return fmt.Errorf("--min-parent-mib must not be negative")
	}
	return nil
}

// Describe lists the filters applied, one phrase each, in a fixed order;
// nil when none is.
func (s *Spec) Describe() []string {
	if !s.Active() {
		return nil
	}
	var d []string
	if s.Since.Set {
		d = append(d, "since "+s.Since.Text)
	}
	if s.Until.Set {
		d = append(d, "until "+s.Until.Text)
	}
	if len(s.Comm) > 0 {
		if s.Rows {
			d = append(d, "comm "+strings.Join(s.Comm, "|"))
		} else {
			d = append(d, "parent or child command "+strings.Join(s.Comm, "|"))
		}
	}
	if len(s.Subtree) > 0 {
		p := make([]string, len(s.Subtree))
		for i, pid := range s.Subtree {
			p[i] = strconv.Itoa(int(pid))
		}
		d = append(d, "subtree of pid "+strings.Join(p, ","))
	}
	if len(s.Kinds) > 0 {
		k := make([]string, len(s.Kinds))
		for i, kind := range s.Kinds {
			k[i] = string(kind)
		}
		d = append(d, "kind "+strings.Join(k, ","))
	}
	if s.MinParentBytes > 0 {
		what := "parent resident >= "
		if s.Rows {
			what = "resident >= "
		}
		d = append(d, what+strconv.FormatFloat(float64(s.MinParentBytes)/(1<<20), 'g', -1, 64)+" MiB")
	}
	return d
}

// String is Describe joined with "; ", or "none".
func (s *Spec) String() string {
	d := s.Describe()
	if len(d) == 0 {
		return "none"
	}
	return strings.Join(d, "; ")
}

// Trace is a Spec applied to one trace.
type Trace struct {
	spec         *Spec
	since, until int64 // time_ns bounds: [since, until)
	hasUntil     bool
	kinds        map[trace.Kind]bool
	roots        map[int32]bool
	sub          map[int32]bool // nil: no subtree filter
}

// Start applies the spec to a trace with this metadata. An absolute time
// needs the trace's forkcost.start_unix_ns. A nil or inactive Spec gives a
// Trace that keeps everything.
func (s *Spec) Start(meta trace.Meta) (*Trace, error) {
	t := &Trace{spec: s}
	if !s.Active() {
		return t, nil
	}
	resolve := func(flag string, tm Time) (int64, error) {
		if !tm.Abs {
			return tm.RelNs, nil
		}
		if meta.StartUnixNs == 0 {
			return 0, fmt.Errorf("--%s %s is an absolute time but the trace has no %s metadata: give a time relative to its start instead (e.g. 30s)", flag, tm.Text, trace.MetaStartUnixNs)
		}
		return tm.At.UnixNano() - meta.StartUnixNs, nil
	}
	var err error
	if s.Since.Set {
		if t.since, err = resolve("since", s.Since); err != nil {
			return nil, err
		}
	} else {
		t.since = -1 << 63
	}
	if s.Until.Set {
		if t.until, err = resolve("until", s.Until); err != nil {
			return nil, err
		}
		t.hasUntil = true
	}
	if len(s.Kinds) > 0 {
		t.kinds = map[trace.Kind]bool{}
		for _, k := range s.Kinds {
			t.kinds[k] = true
		}
	}
	if len(s.Subtree) > 0 {
		t.roots = map[int32]bool{}
		t.sub = map[int32]bool{}
		for _, p := range s.Subtree {
			t.roots[p] = true
			t.sub[p] = true
		}
	}
	return t, nil
}

// Observe follows the process tree; call it for every event of the trace,
// in order, after any eligibility tracker has seen the event.
func (t *Trace) Observe(ev *trace.Event) {
	if t.sub == nil {
		return
	}
	if ev.Kind.IsCreation() && ev.ChildPID != 0 {
		if t.sub[ev.PID] {
			t.sub[ev.ChildPID] = true
		} else if !t.roots[ev.ChildPID] {
			delete(t.sub, ev.ChildPID) // a pid reused outside the subtree
		}
	}
	if ev.PPID != 0 && !t.sub[ev.PID] && t.sub[ev.PPID] {
		t.sub[ev.PID] = true
	}
}

// InSubtree reports whether pid is in the subtree (always true without a
// subtree filter).
func (t *Trace) InSubtree(pid int32) bool { return t.sub == nil || t.sub[pid] }

func (t *Trace) inWindow(ns int64) bool {
	return ns >= t.since && (!t.hasUntil || ns < t.until)
}

func (t *Trace) commMatches(names ...string) bool {
	for _, g := range t.spec.Comm {
		for _, n := range names {
			if n == "" {
				continue
			}
			if ok, _ := path.Match(g, n); ok {
				return true
			}
		}
	}
	return false
}

// Creation reports whether creation c counts. childExec is the child's exec
// row when the child's first action was a successful exec (nil otherwise):
// its command is the child command --comm also matches.
func (t *Trace) Creation(c *trace.Event, childExec *trace.Event) bool {
	if t.spec == nil || !t.spec.Active() {
		return true
	}
	if !t.inWindow(c.TimeNs) {
		return false
	}
	if t.kinds != nil && !t.kinds[c.Kind] {
		return false
	}
	if t.spec.MinParentBytes > 0 && (!c.HasSnapshot || c.Snapshot.ResidentBytes < t.spec.MinParentBytes) {
		return false
	}
	if t.sub != nil && !t.sub[c.PID] {
		return false
	}
	if len(t.spec.Comm) > 0 {
		names := []string{c.Comm}
		if childExec != nil {
			names = append(names, childExec.Comm, baseName(childExec.ExecPath))
		}
		if !t.commMatches(names...) {
			return false
		}
	}
	return true
}

// ChildMayMatch reports whether creation c passes every filter but --comm,
// which it fails on the parent's command alone: a child that has not
// exec'd yet may still match it.
func (t *Trace) ChildMayMatch(c *trace.Event) bool {
	if t.spec == nil || len(t.spec.Comm) == 0 || t.commMatches(c.Comm) {
		return false
	}
	comm := t.spec.Comm
	t.spec.Comm = nil
	ok := t.Creation(c, nil)
	t.spec.Comm = comm
	return ok
}

// Row reports whether a row is printed by dump: its time is in the window,
// its kind is chosen, its process is in the subtree, its comm or exec
// path's base name matches, and, with a minimum parent size, it has sizes
// at least that large. Call Observe on the row first.
func (t *Trace) Row(ev *trace.Event) bool {
	if t.spec == nil || !t.spec.Active() {
		return true
	}
	if !t.inWindow(ev.TimeNs) {
		return false
	}
	if t.kinds != nil && !t.kinds[ev.Kind] {
		return false
	}
	if t.spec.MinParentBytes > 0 && (!ev.HasSnapshot || ev.Snapshot.ResidentBytes < t.spec.MinParentBytes) {
		return false
	}
	if t.sub != nil && !t.sub[ev.PID] {
		return false
	}
	if len(t.spec.Comm) > 0 && !t.commMatches(ev.Comm, baseName(ev.ExecPath)) {
		return false
	}
	return true
}

func baseName(p string) string {
	if p == "" {
		return ""
	}
	return path.Base(p)
}
