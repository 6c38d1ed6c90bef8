package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// replayJSON runs replay --format json with args on the small trace.
func replayJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, errs, code := runCLI(t, append(append([]string{"replay", "--format", "json"}, args...), "small.arrow")...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReplayFilters checks each filter on the small trace, whose seven
// creations are: fork@1ms make(100)->101 (child execs sh; eligible),
// spawn@4ms sh(101)->102 (child execs cc), vfork@5ms cc(102)->103 (child
// execs cc1), fork@10ms make->104 (child mmaps: not eligible), fork@11ms
// make->105 (child dies: eligible), clone@12.5ms make->107 (child forks:
// not eligible), fork@12.6ms 107->108 (trace ends: not eligible).
func TestReplayFilters(t *testing.T) {
	inTempDir(t)
	for _, c := range []struct {
		args                []string
		creations, eligible float64
		filters             string
	}{
		{nil, 7, 4, ""},
		{[]string{"--since", "5ms"}, 5, 2, "since 5ms"},
		{[]string{"--until", "5ms"}, 2, 2, "until 5ms"},
		// The fork at 1 ms is eligible because its child exec'd at 3 ms,
		// outside the window: eligibility is decided on the whole trace.
		{[]string{"--until", "2ms"}, 1, 1, "until 2ms"},
		// Kept by its parent's command (make) and eligible through its
		// child's exec row, whose command (sh) --comm make would not keep.
		{[]string{"--comm", "make", "--until", "2ms"}, 1, 1, "until 2ms|parent or child command make"},
		{[]string{"--since", "4ms", "--until", "10ms"}, 2, 2, "since 4ms|until 10ms"},
		{[]string{"--comm", "cc*"}, 2, 2, "parent or child command cc*"}, // vfork by cc; spawn whose child exec'd cc
		{[]string{"--comm", "sh"}, 2, 2, "parent or child command sh"},   // fork whose child exec'd sh; spawn by sh
		{[]string{"--comm", "cc1", "--comm", "nothing"}, 1, 1, "parent or child command cc1|nothing"},
		{[]string{"--subtree", "101"}, 2, 2, "subtree of pid 101"}, // the spawn by 101 and the vfork by 102
		{[]string{"--subtree", "107"}, 1, 0, "subtree of pid 107"}, // the fork by 107
		{[]string{"--subtree", "100"}, 7, 4, "subtree of pid 100"}, // everything
		{[]string{"--kind", "fork"}, 4, 2, "kind fork"},
		{[]string{"--kind", "spawn,vfork"}, 2, 2, "kind spawn,vfork"},
		{[]string{"--min-parent-mib", "2"}, 5, 2, "parent resident >= 2 MiB"},     // make's creations (2 MiB)
		{[]string{"--min-parent-mib", "1.5"}, 6, 3, "parent resident >= 1.5 MiB"}, // and cc's vfork (1.5 MiB)
		{[]string{"--kind", "fork", "--since", "2ms", "--comm", "make"}, 3, 1, "since 2ms|parent or child command make|kind fork"},
	} {
		s := replayJSON(t, c.args...)
		tr := s["trace"].(map[string]any)
		if tr["creations"] != c.creations || tr["eligible"] != c.eligible {
			t.Errorf("%v: %v creations, %v eligible; want %v, %v", c.args, tr["creations"], tr["eligible"], c.creations, c.eligible)
		}
		if tr["creations_before_filters"] != 7.0 || tr["eligible_before_filters"] != 4.0 {
			t.Errorf("%v: before filters %v, %v; want 7, 4", c.args, tr["creations_before_filters"], tr["eligible_before_filters"])
		}
		var got []string
		for _, f := range s["filters"].([]any) {
			got = append(got, f.(string))
		}
		if strings.Join(got, "|") != c.filters {
			t.Errorf("%v: filters %q, want %q", c.args, got, c.filters)
		}
		// Every machine costs exactly the eligible creations kept.
		for _, m := range s["machines"].([]any) {
			if ev := m.(map[string]any)["evaluated"]; ev != c.eligible {
				t.Errorf("%v: machine evaluated %v, want %v", c.args, ev, c.eligible)
			}
		}
	}
}

// TestFiltersSaidInEveryFormat: the text header, the CSV and markdown
// comments and the LaTeX caption name the filters.
func TestFiltersSaidInEveryFormat(t *testing.T) {
	inTempDir(t)
	for _, f := range []string{"text", "csv", "markdown", "latex"} {
		out, errs, code := runCLI(t, "replay", "--format", f, "--kind", "fork", "--since", "2ms", "small.arrow")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errs)
		}
		if !strings.Contains(out, "since 2ms; kind fork") {
			t.Errorf("%s output does not name the filters:\n%s", f, out)
		}
	}
	out, _, _ := runCLI(t, "replay", "--format", "csv", "--kind", "fork", "small.arrow")
	if !strings.Contains(out, "# filters: kind fork (kept 4 of 7 creations, 2 of 4 eligible)") {
		t.Errorf("CSV comment missing:\n%s", out)
	}
}

func TestFilterUsageErrors(t *testing.T) {
	inTempDir(t)
	for _, args := range [][]string{
		{"--kind", "exec"},
		{"--kind", "bogus"},
		{"--comm", "[x"},
		{"--since", "yesterday"},
		{"--since", "-5s"},
		{"--since", "10ms", "--until", "5ms"},
		{"--min-parent-mib", "-1"},
	} {
		_, errs, code := runCLI(t, append(append([]string{"replay"}, args...), "small.arrow")...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
	// An absolute time needs the trace's start: the trace is reported as
	// failed, the exit status is 1.
	_, errs, code := runCLI(t, "replay", "--since", "2026-11-27T01:00:00Z", "small.arrow")
	if code != 1 || !strings.Contains(errs, "start_unix_ns") {
		t.Errorf("absolute time on a trace without a start: exit %d, %s", code, errs)
	}
}

func TestDumpFilters(t *testing.T) {
	inTempDir(t)
	for _, c := range []struct {
		args []string
		rows int
	}{
		{nil, 21},
		{[]string{"--subtree", "101"}, 9}, // 101 from its exec_failed on, 102 and 103
		{[]string{"--comm", "cc*"}, 5},
		{[]string{"--since", "12ms"}, 5},
		{[]string{"--kind", "fork", "--until", "11ms"}, 2},
		{[]string{"--min-parent-mib", "1.9"}, 5},
	} {
		out, errs, code := runCLI(t, append(append([]string{"dump", "--format", "jsonl"}, c.args...), "small.arrow")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		if n := strings.Count(out, "\n"); n != c.rows {
			t.Errorf("%v: %d rows, want %d:\n%s", c.args, n, c.rows, out)
		}
	}
	out, _, _ := runCLI(t, "dump", "--comm", "sh", "small.arrow")
	if !strings.Contains(out, "# filters: parent or child command sh") && !strings.Contains(out, "# filters: comm sh") {
		t.Errorf("dump CSV does not say which filters were applied:\n%s", out)
	}
}
