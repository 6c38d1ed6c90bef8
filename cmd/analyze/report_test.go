package main

import (
	"encoding/json"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReportHTML: the report is one self-contained page: every section,
// the tree data (whose roots are replay's figures), every figure as inline
// SVG with its provenance, and no address outside the page: no src or href
// but in-page anchors, no url() but in-page references, no http(s) at all.
func TestReportHTML(t *testing.T) {
	inTempDir(t)
	out, errs, code := runCLI(t, "report", "--mc-draws", "20", "-o", "r.html", "embedded:dietlibc-build.arrow", "small.arrow")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "wrote r.html: 2 traces") {
		t.Errorf("stdout: %s", out)
	}
	data, err := os.ReadFile("r.html")
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	if len(data) > 3<<20 {
		t.Errorf("the report is %d bytes: more than a few MB", len(data))
	}
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(page), "</html>") {
		t.Errorf("not one HTML document")
	}
	for _, id := range []string{"headline", "machines", "tree", "timeline", "figures", "provenance", "search", "sort", "expand-all", "collapse-all"} {
		if !strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("no element with id %q", id)
		}
	}
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)https?:`),
		regexp.MustCompile(`(?i)\b(src|href|action|poster|data)\s*=\s*["']?[^"'#\s>]`),
		regexp.MustCompile(`(?i)url\(\s*["']?[^#"'\s]`),
		regexp.MustCompile(`(?i)@import|<link\b|<iframe\b|<img\b|<object\b|<embed\b`),
		regexp.MustCompile(`(?i)<script[^>]*\bsrc\b`),
	} {
		if m := bad.FindAllString(page, 3); m != nil {
			t.Errorf("the page refers outside itself (%v): %q", bad, m)
		}
	}
	// Every figure inline, the timeline among them, each with a caption
	// and its provenance in the SVG's metadata.
	svgs := strings.Count(page, `<svg class="figure"`)
	if svgs < 10 || strings.Count(page, "<figure ") != svgs || strings.Count(page, `<metadata class="forkcost-provenance">`) != svgs {
		t.Errorf("%d inline SVGs, %d figures, %d provenance blocks", svgs, strings.Count(page, "<figure "), strings.Count(page, `<metadata class="forkcost-provenance">`))
	}
	for _, f := range []string{"timeline-ppro200", "machines", "cumulative", "savings-vs-size"} {
		if !strings.Contains(page, `id="fig-`+f+`"`) {
			t.Errorf("figure %s missing", f)
		}
	}
	// The tree data: one tree per trace, whose roots are replay's.
	m := regexp.MustCompile(`(?s)<script id="tree-data" type="application/json">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no tree data")
	}
	var trees []struct {
		Path string
		Root struct {
			Creations int64   `json:"cr"`
			Eligible  int64   `json:"el"`
			SavedS    float64 `json:"s"`
			Children  []any   `json:"ch"`
		}
	}
	if err := json.Unmarshal([]byte(m[1]), &trees); err != nil {
		t.Fatalf("tree data: %v", err)
	}
	if len(trees) != 2 || trees[0].Path != "embedded:dietlibc-build.arrow" || trees[1].Path != "small.arrow" {
		t.Fatalf("trees %+v", trees)
	}
	rout, _, _ := runCLI(t, "replay", "--format", "json", "--machine", "ppro200", "--mc-draws", "0", "small.arrow")
	var rep struct {
		Trace    struct{ Creations, Eligible int64 }
		Machines []struct {
			SavedS float64 `json:"saved_s"`
		}
	}
	json.Unmarshal([]byte(rout), &rep)
	if r := trees[1].Root; r.Creations != rep.Trace.Creations || r.Eligible != rep.Trace.Eligible || math.Abs(r.SavedS-rep.Machines[0].SavedS) > 1e-12 || len(r.Children) == 0 {
		t.Errorf("small.arrow's tree root %+v, replay %+v", r, rep)
	}
	if !strings.Contains(m[1], `"c":"gcc","n":1048,`) {
		t.Errorf("the recorded build's 1048 gcc are not one line of its tree")
	}
	// Usage errors.
	for _, args := range [][]string{{"report", "small.arrow"}, {"report", "-o", "x.html"}} {
		if _, errs, code := runCLI(t, args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
	if ents, _ := os.ReadDir("."); len(ents) > 0 {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".r.html") {
				t.Errorf("temporary file left: %s", e.Name())
			}
		}
	}
}
