package main

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace/arrowio"
)

// TestDocExamples runs every "$ analyze ..." line of the package comment
// (the manual) in a directory holding build.arrow, so that the manual's
// examples cannot rot.
func TestDocExamples(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	var examples [][]string
	for _, line := range strings.Split(f.Doc.Text(), "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "$ analyze"); ok {
			examples = append(examples, strings.Fields(rest))
		}
	}
	if len(examples) < 10 {
		t.Fatalf("found %d examples in the manual", len(examples))
	}
	inTempDir(t)
	buildTrace(t, "small", ".")
	if err := copyFile("small.arrow", "build.arrow"); err != nil {
		t.Fatal(err)
	}
	for _, args := range examples {
		_, errs, code := runCLI(t, args...)
		if code == 2 && !arrowio.HasFormat("parquet") && strings.Contains(errs, "no Parquet support") && strings.Contains(errs, "-tags parquet") {
			continue // a Parquet example, in a build without it: said so (.ci/run runs the tests with -tags parquet too)
		}
		if code != 0 {
			t.Errorf("analyze %s: exit %d: %s", strings.Join(args, " "), code, firstLines(errs))
		}
	}
}
