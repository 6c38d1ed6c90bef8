//go:build ignore

// Command rewrite-arrowio rewrites references to what moved from package
// trace to package trace/arrowio (the Arrow IPC reader and writer, the
// table formats, salvage): trace.Open becomes arrowio.Open, and the
// imports follow. For a branch written before the move:
//
//	go run scripts/rewrite-arrowio.go [DIR]
//
// It edits only the selectors and the import lines of the files it
// changes, then gofmts them; it is idempotent.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const (
	tracePath   = "github.com/forkcost/forkcost/trace"
	arrowioPath = "github.com/forkcost/forkcost/trace/arrowio"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	moved := movedNames(filepath.Join(root, "trace", "arrowio"))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		return rewrite(path, moved)
	})
	if err != nil {
		log.Fatal(err)
	}
}

// movedNames returns the exported package-level names of package arrowio.
func movedNames(dir string) map[string]bool {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		log.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for name, obj := range f.Scope.Objects {
				if ast.IsExported(name) && obj.Kind != ast.Bad {
					names[name] = true
				}
			}
		}
	}
	if len(names) == 0 {
		log.Fatalf("%s: no exported names", dir)
	}
	return names
}

type edit struct {
	start, end int
	text       string
}

func rewrite(path string, moved map[string]bool) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return err
	}
	var spec *ast.ImportSpec
	hasArrowio := false
	for _, s := range f.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		switch p {
		case tracePath:
			spec = s
		case arrowioPath:
			hasArrowio = true
		}
	}
	if spec == nil {
		return nil
	}
	local := "trace"
	if spec.Name != nil {
		local = spec.Name.Name
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	var edits []edit
	stillUsed := false
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok || id.Name != local || id.Obj != nil {
			return true
		}
		if moved[sel.Sel.Name] {
			edits = append(edits, edit{off(id.Pos()), off(id.End()), "arrowio"})
		} else {
			stillUsed = true
		}
		return true
	})
	if len(edits) == 0 {
		return nil
	}
	if !hasArrowio {
		if stillUsed {
			// A line of its own after the trace import.
			end := off(spec.End())
			if gen := importDecl(f, spec); gen != nil && !gen.Lparen.IsValid() {
				edits = append(edits, edit{off(gen.Pos()), off(gen.End()),
					fmt.Sprintf("import (\n\t%s\n\t%q\n)", string(src[off(spec.Pos()):end]), arrowioPath)})
			} else {
				edits = append(edits, edit{end, end, fmt.Sprintf("\n\t%q", arrowioPath)})
			}
		} else {
			start := off(spec.Pos())
			if spec.Name != nil && spec.Name.Name == "trace" {
				start = off(spec.Path.Pos())
			}
			edits = append(edits, edit{start, off(spec.End()), strconv.Quote(arrowioPath)})
		}
	} else if !stillUsed {
		gen := importDecl(f, spec)
		if gen != nil && !gen.Lparen.IsValid() {
			edits = append(edits, edit{off(gen.Pos()), off(gen.End()), ""})
		} else {
			edits = append(edits, edit{off(spec.Pos()), off(spec.End()), ""})
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := src
	for _, e := range edits {
		out = append(out[:e.start:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	formatted, err := format.Source(out)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if bytes.Equal(formatted, src) {
		return nil
	}
	fmt.Println(path)
	return os.WriteFile(path, formatted, 0o644)
}

func importDecl(f *ast.File, spec *ast.ImportSpec) *ast.GenDecl {
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			for _, s := range g.Specs {
				if s == spec {
					return g
				}
			}
		}
	}
	return nil
}
