package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/replay"
)

// Generate refuses a value it has no view for, and a format it does not
// know, rather than print nothing.
func TestGenerateRefuses(t *testing.T) {
	var b bytes.Buffer
	if err := Generate(&b, Options{Format: Text}, struct{}{}); err == nil || !strings.Contains(err.Error(), "no output for") {
		t.Errorf("unknown value: %v", err)
	}
	if err := Generate(&b, Options{Format: "yaml"}, &Headline{}); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("unknown format: %v", err)
	}
}

// The headline, which analyze prints as text only, has every format too,
// from its table or its JSON encoding.
func TestHeadlineFormats(t *testing.T) {
	sum := &replay.Summary{Tool: "forkcost test", ModelVersion: "1", Version: "1",
		Machines: []replay.MachineSummary{{Machine: "ppro200", Evaluated: 4, SavedS: 0.0023, SavedOnForksS: 0.001,
			SavedInterval: &replay.Interval{Low: 0.002, High: 0.003, Level: 0.9, Draws: 20}}}}
	h := &Headline{Default: "embedded:x.arrow", Traces: []HeadlineTrace{{Name: "embedded:x.arrow", About: "a test", Summary: sum}}}
	out := map[Format]string{}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := Generate(&b, Options{Format: f}, h); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = b.String()
	}
	if !strings.Contains(out[Text], "    ppro200") || !strings.Contains(out[Text], "analyze replay embedded:x.arrow") {
		t.Errorf("text:\n%s", out[Text])
	}
	var back Headline
	if err := json.Unmarshal([]byte(out[JSON]), &back); err != nil || back.Traces[0].Summary.Machines[0].SavedS != 0.0023 {
		t.Errorf("json: %v\n%s", err, out[JSON])
	}
	if !strings.Contains(out[Markdown], "| embedded:x.arrow | ppro200 | 4 | 2.30 | 2.00 | 3.00 | 1.00 |") {
		t.Errorf("markdown:\n%s", out[Markdown])
	}
	checkLaTeX(t, out[LaTeX], 7)
	var rows []string
	for _, l := range strings.Split(out[CSV], "\n") {
		if !strings.HasPrefix(l, "#") {
			rows = append(rows, l)
		}
	}
	recs, err := csv.NewReader(strings.NewReader(strings.Join(rows, "\n"))).ReadAll()
	if err != nil || len(recs) != 2 || recs[0][3] != "saved, what-if (ms)" || recs[1][3] != "2.30" {
		t.Errorf("csv: %v %q", err, recs)
	}
}

// Rows streams CSV and JSON lines, and gathers a table for the others,
// numbers right-aligned, nulls empty.
func TestRows(t *testing.T) {
	write := func(f Format) string {
		var b bytes.Buffer
		r, err := NewRows(&b, Options{Format: f}, []string{"a test"}, []string{"n", "name", "argv"})
		if err != nil {
			t.Fatal(err)
		}
		r.Write(0, []any{int64(7), "cc", []string{"cc", "-c", "a b.c"}})
		r.Write(1, []any{int32(-1), nil, nil})
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if got, want := write(CSV), "# a test\nn,name,argv\n7,cc,\"[\"\"cc\"\",\"\"-c\"\",\"\"a b.c\"\"]\"\n-1,,\n"; got != want {
		t.Errorf("csv:\n%s\nwant\n%s", got, want)
	}
	if got, want := write(JSON), "{\"argv\":[\"cc\",\"-c\",\"a b.c\"],\"n\":7,\"name\":\"cc\",\"row\":0}\n{\"n\":-1,\"row\":1}\n"; got != want {
		t.Errorf("json:\n%s\nwant\n%s", got, want)
	}
	if got := write(Markdown); !strings.Contains(got, "| n | name | argv |\n|--:|---|---|\n| 7 | cc | [\"cc\",\"-c\",\"a b.c\"] |\n| -1 |  |  |") {
		t.Errorf("markdown:\n%s", got)
	}
}
