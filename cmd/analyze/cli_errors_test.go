package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace/arrowio"
)

// oneLineUsage reports whether stderr is a usage error as the CLI prints
// them: the error on one line, then a one-line pointer to --help, and not
// the help itself.
func oneLineUsage(stderr string) bool {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	return len(lines) == 2 && strings.HasPrefix(lines[0], "analyze") &&
		regexp.MustCompile(`^Run 'analyze( [a-z]+)? --help' for (usage|the commands)\.$`).MatchString(lines[1])
}

// TestCLIDiagnoses runs each misdiagnosis a newcomer met (issues #15 and
// #17) and checks the exit status, that stderr says the right thing (and
// not the wrong one), and, for a failure, that stdout is empty.
func TestCLIDiagnoses(t *testing.T) {
	zen4, err := os.ReadFile("../../machines/profiles/zen4.toml")
	if err != nil {
		t.Fatal(err)
	}
	inTempDir(t)
	os.WriteFile("random.bin", []byte("\x00\x9f\x13binary\x01\x02 junk that is no trace at all \x07"), 0o644)
	os.WriteFile("empty.log", nil, 0o644)
	os.WriteFile("notes.txt", []byte("hello, this is not a log\n"), 0o644)
	if _, _, code := runCLI(t, "replay", "--mc-draws", "0", "-o", "events.arrow", "small.arrow"); code != 0 {
		t.Fatal("replay -o failed")
	}
	type check struct {
		args    []string
		code    int
		want    []string // in stderr
		not     []string // not in stderr
		stdout  string   // in stdout ("" : stdout must be empty when code != 0)
		oneLine bool     // a usage error: one line and the pointer
	}
	// Parquet is opt-in (-tags parquet): without it, asking for it says how.
	toParquet := check{args: []string{"convert", "small.arrow", "-o", "small.parquet"}, code: 0, want: []string{"re-encoded from small.arrow"}}
	if !arrowio.HasFormat("parquet") {
		toParquet.code, toParquet.oneLine = 2, true
		toParquet.want = []string{"-o small.parquet: this build has no Parquet support", "go build -tags parquet ./cmd/analyze"}
	}
	cases := []check{
		{args: []string{"replay", "--machine", "PPRO200", "small.arrow"}, code: 2, want: []string{`unknown machine "PPRO200" (did you mean "ppro200"?)`}, oneLine: true},
		{args: []string{"replay", "--set", "ppro200.soft_falt_ns=1", "small.arrow"}, code: 2, want: []string{`did you mean "soft_fault_ns"?`}, oneLine: true},
		{args: []string{"replay", "--set", "zen.soft_fault_ns=1", "small.arrow"}, code: 2, want: []string{`did you mean "zen4"?`}, oneLine: true},
		{args: []string{"repaly", "small.arrow"}, code: 2, want: []string{`unknown command "repaly" (did you mean "replay"?)`}, oneLine: true},
		{args: []string{"replay", "--machin", "zen4", "small.arrow"}, code: 2, want: []string{"did you mean --machine?"}, oneLine: true},
		{args: []string{"replay", "--nope", "small.arrow"}, code: 2, not: []string{"did you mean"}, oneLine: true},
		{args: []string{"replay", "--machine-file", "nosuch.toml", "small.arrow"}, code: 1, want: []string{"nosuch.toml", "no such file"}},
		{args: []string{"explain", "--machine-file", "nosuch.toml"}, code: 1, want: []string{"nosuch.toml"}},
		{args: []string{"replay", "random.bin"}, code: 1, want: []string{"random.bin: binary data, but not a trace"}, not: []string{"looks like text", "random.bin: random.bin"}},
		{args: []string{"replay", "empty.log"}, code: 1, want: []string{"empty.log: the file is empty"}, not: []string{"do not parse"}},
		{args: []string{"convert", "empty.log"}, code: 1, want: []string{"empty.log: the file is empty"}, not: []string{"do not parse"}},
		{args: []string{"convert", "random.bin", "-o", "x.arrow"}, code: 1, want: []string{"binary data, not a text log"}},
		{args: []string{"replay", "notes.txt"}, code: 1, want: []string{"notes.txt: text, not a trace"}, not: []string{"notes.txt: notes.txt"}},
		{args: []string{"replay", "missing.arrow"}, code: 1, want: []string{"missing.arrow: no such file or directory"}, not: []string{"open missing.arrow", "could not be replayed"}},
		{args: []string{"replay", "--comm", "nothing-matches", "small.arrow"}, code: 0, want: []string{"warning: the filters kept none of the 7 creations"}, stdout: "0 process creations"},
		{args: []string{"machines", "--format", "json"}, code: 0, stdout: `"name": "ppro200"`},
		{args: []string{"machines", "--format", "latex"}, code: 0, stdout: `\toprule`},
		{args: []string{"machines", "--format", "yaml"}, code: 2, want: []string{"want one of text, csv, json, markdown, latex"}, oneLine: true},
		{args: []string{"replay", "--wide", "small.arrow"}, code: 2, want: []string{"--wide: only with --format latex"}, oneLine: true},
		{args: []string{"dump", "events.arrow"}, code: 0, stdout: "machine,fork_copy_ns"},
		{args: []string{"dump", "--kind", "fork", "events.arrow"}, code: 2, want: []string{"per-event costs, not a trace"}, oneLine: true},
		toParquet,
		{args: []string{"convert", "small.arrow", "-o", "small.arrow"}, code: 2, want: []string{"the output is the input"}, oneLine: true},
		{args: []string{"machines", "show", "ppro200"}, code: 0, stdout: "4600000", not: []string{"e+06"}},
		{args: []string{"explain"}, code: 0, stdout: "defaults used for: virt-mib, writable-mib,"},
		{args: []string{"explain", "--resident-mib", "0"}, code: 0, stdout: "0.00 MiB resident"},
		{args: []string{"explain", "--resident-mib", "4096"}, code: 0, stdout: "2048.00 MiB writable resident"},
		{args: []string{"explain", "--resident-mib", "5", "--virt-mib", "4"}, code: 2, want: []string{"--resident-mib 5 is larger than --virt-mib 4"}, oneLine: true},
		{args: []string{"explain", "--writable-resident-mib", "3", "--resident-mib", "2"}, code: 2, want: []string{"larger than --resident-mib 2"}, oneLine: true},
		{args: []string{"explain", "--trace", "small.arrow", "--row", "0"}, code: 1, want: []string{"not a process creation"}},
		{args: []string{"dump", "missing.arrow"}, code: 1, want: []string{"analyze: missing.arrow: no such file or directory"}},
		{args: []string{"report", "-o", "x.html", "missing.arrow"}, code: 1, want: []string{"analyze: missing.arrow: no such file or directory"}},
		{args: []string{"tree", "--comm", "nothing-matches", "small.arrow"}, code: 0, want: []string{"warning: the filters kept none"}, stdout: "make"},
		{args: []string{"dump", "myp.toml"}, code: 1, want: []string{"a machine profile (myp)", "machines show myp --machine-file myp.toml"}},
		{args: []string{"synth", "libc-buld"}, code: 2, want: []string{`did you mean "libc-build"?`}, oneLine: true},
		{args: []string{"replay", "--format", "jsn", "small.arrow"}, code: 2, want: []string{`did you mean "json"?`}, oneLine: true},
		{args: []string{"replay", "-o", "events.csv", "small.arrow"}, code: 2, want: []string{"must end in .arrow or .parquet"}, oneLine: true},
		{args: []string{"synth", "sweep", "-o", "x.txt"}, code: 2, want: []string{"must end in .arrow or .parquet"}, oneLine: true},
		{args: []string{"explain", "--trace", "small.arrow", "--row", "3", "--resident-mib", "2"}, code: 2, want: []string{"has its own sizes"}, oneLine: true},
	}
	{
		myp := strings.Replace(string(zen4), `name = "zen4"`, `name = "myp"`, 1)
		os.WriteFile("myp.toml", []byte(myp), 0o644)
		host := strings.Replace(string(zen4), `name = "zen4"`, `name = "host"`, 1)
		os.WriteFile("host.toml", []byte(host), 0o644)
		cases = append(cases,
			check{args: []string{"explain", "--machine", "myp", "--machine-file", "myp.toml"}, code: 0, stdout: "machine myp"},
			check{args: []string{"explain", "--machine-file", "myp.toml", "--machine", "myp"}, code: 0, stdout: "machine myp"},
			check{args: []string{"explain", "--machine", "host", "--machine-file", "host.toml"}, code: 0, stdout: "machine host"},
			check{args: []string{"replay", "--machine", "myp", "--machine-file", "myp.toml", "--mc-draws", "0", "small.arrow"}, code: 0, stdout: "myp:"},
			check{args: []string{"machines", "show", "myp", "--machine-file", "myp.toml"}, code: 0, stdout: "myp:"},
		)
	}
	if !arrowio.HasFormat("parquet") {
		cases = append(cases, check{args: []string{"replay", "--out", "ds", "small.arrow"}, code: 2, want: []string{"--out ds: this build has no Parquet support"}, oneLine: true})
	}
	for _, c := range cases {
		out, errs, code := runCLI(t, c.args...)
		name := strings.Join(c.args, " ")
		if code != c.code {
			t.Errorf("analyze %s: exit %d, want %d; stderr %q", name, code, c.code, errs)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("analyze %s: stderr %q lacks %q", name, errs, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(errs, w) || strings.Contains(out, w) {
				t.Errorf("analyze %s: output says %q: %q", name, w, errs+out)
			}
		}
		if c.oneLine && !oneLineUsage(errs) {
			t.Errorf("analyze %s: stderr is not one line and a pointer to --help: %q", name, errs)
		}
		if c.code == 1 && len(strings.Split(strings.TrimSpace(errs), "\n")) != 1 {
			t.Errorf("analyze %s: a failure in more than one line: %q", name, errs)
		}
		if c.code != 0 && out != "" {
			t.Errorf("analyze %s: exit %d but stdout %q", name, code, firstLines(out))
		}
		if c.stdout != "" && !strings.Contains(out, c.stdout) {
			t.Errorf("analyze %s: stdout lacks %q: %q", name, c.stdout, firstLines(out))
		}
	}
	// The re-encoded trace dumps as the original does.
	a, _, _ := runCLI(t, "dump", "small.arrow")
	p, _, _ := runCLI(t, "dump", "small.parquet")
	if arrowio.HasFormat("parquet") && (a == "" || a != p) {
		t.Errorf("dump of the re-encoded .parquet differs from the .arrow's:\n%s\n%s", firstLines(a), firstLines(p))
	}
	// explain --trace costs a recorded creation as replay does.
	js, errs, code := runCLI(t, "explain", "--format", "json", "--trace", "small.arrow", "--pid", "101")
	var ex struct {
		Creation map[string]any   `json:"creation"`
		Snapshot map[string]int64 `json:"snapshot"`
	}
	if code != 0 || json.Unmarshal([]byte(js), &ex) != nil || ex.Creation["child_pid"] != float64(101) || ex.Snapshot["resident_bytes"] == 0 {
		t.Errorf("explain --trace --pid 101: exit %d %s: %s", code, errs, js)
	}
}

// TestHelpColumns checks that every subcommand's flag descriptions start
// in one column, with or without a value placeholder.
func TestHelpColumns(t *testing.T) {
	for _, c := range commands {
		out, _, code := runCLI(t, c.name, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", c.name, code)
		}
		_, flags, _ := strings.Cut(out, "\nflags:\n")
		flags, _, _ = strings.Cut(flags, "\n\n")
		col := -1
		for _, l := range strings.Split(flags, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "-") {
				continue
			}
			dash := strings.Index(l, "-")
			i := strings.Index(l[dash:], "  ") // the gap before the description
			if i < 0 {
				t.Errorf("%s --help: no description: %q", c.name, l)
				continue
			}
			i += dash
			for i+1 < len(l) && l[i+1] == ' ' {
				i++
			}
			if col < 0 {
				col = i
			} else if i != col {
				t.Errorf("%s --help: descriptions start in columns %d and %d:\n%s", c.name, col, i, flags)
				break
			}
		}
	}
}
