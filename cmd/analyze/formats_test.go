package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/report"
)

// TestEveryCommandEveryFormat runs each command that prints with each of
// report.Formats and checks that the output is that format: CSV that
// reads back with the same number of fields a line, JSON that decodes,
// a markdown table, a booktabs table, and text that is none of those.
func TestEveryCommandEveryFormat(t *testing.T) {
	meas := synthMeasurements(t)
	recorded, err := filepath.Abs(filepath.Join("..", "..", "testdata", "recorded", "make-j2-ebpf.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	inTempDir(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	commands := [][]string{
		{"replay", "--mc-draws", "20", "small.arrow"},
		{"compare", "small.arrow", "small.arrow"},
		{"explain", "--machine", "zen4"},
		{"machines"},
		{"machines", "show", "ppro200"},
		{"machines", "diff", "ppro200", "zen4", "small.arrow"},
		{"calibrate", "--from", meas, "-o", filepath.Join(t.TempDir(), "host.toml")},
		{"validate", "--measurements", meas},
		{"validate", "--trace", recorded, "--machine", "zen4"},
		{"tree", "small.arrow"},
		{"dump", "--limit", "5", "small.arrow"},
	}
	for _, args := range commands {
		for _, f := range report.Formats {
			name := strings.Join(args[:min(len(args), 2)], " ") + " --format " + string(f)
			out, errs, code := runCLI(t, append(args, "--format", string(f))...)
			if code != 0 {
				t.Errorf("%s: exit %d: %s", name, code, errs)
				continue
			}
			if err := checkFormat(f, out); err != "" {
				t.Errorf("%s: %s:\n%s", name, err, out[:min(len(out), 600)])
			}
		}
	}
}

// checkFormat says what is wrong with out as format f, or "".
func checkFormat(f report.Format, out string) string {
	if strings.TrimSpace(out) == "" {
		return "no output"
	}
	switch f {
	case report.CSV:
		// One or more blocks, each '#' lines, a header and its rows.
		for _, block := range strings.Split(out, "\n\n") {
			var lines []string
			for _, l := range strings.Split(block, "\n") {
				if !strings.HasPrefix(l, "#") {
					lines = append(lines, l)
				}
			}
			r := csv.NewReader(strings.NewReader(strings.Join(lines, "\n")))
			recs, err := r.ReadAll()
			if err != nil {
				return "not CSV: " + err.Error()
			}
			if len(recs) < 2 {
				return "CSV without rows"
			}
		}
	case report.JSON:
		// One value, or JSON lines.
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var v any
			if err := dec.Decode(&v); err != nil {
				return "not JSON: " + err.Error()
			}
		}
	case report.Markdown:
		if !regexp.MustCompile(`(?m)^\|(-|:| )+\|`).MatchString(out) {
			return "no markdown table"
		}
	case report.LaTeX:
		if !strings.Contains(out, `\toprule`) || !strings.Contains(out, `\bottomrule`) {
			return "no booktabs table"
		}
	case report.Text:
		if strings.Contains(out, `\toprule`) || strings.Contains(out, "|---") || strings.HasPrefix(out, "{") {
			return "not plain text"
		}
	}
	return ""
}
