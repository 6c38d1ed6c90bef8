package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkLaTeX checks what a compiler would trip on: unbalanced braces
// (escaped ones aside), unmatched environments, rows with the wrong
// number of cells, and unescaped special characters in the body.
func checkLaTeX(t *testing.T, src string, cols int) {
	t.Helper()
	unescaped := strings.NewReplacer(`\{`, "", `\}`, "", `\%`, "", `\&`, "", `\_`, "", `\#`, "", `\$`, "").Replace(src)
	depth := 0
	for i, line := range strings.Split(unescaped, "\n") {
		if strings.HasPrefix(line, "%") {
			continue
		}
		for _, r := range line {
			switch r {
			case '{':
				depth++
			case '}':
				depth--
			}
			if depth < 0 {
				t.Fatalf("line %d: '}' without '{'", i+1)
			}
		}
		if strings.ContainsAny(strings.NewReplacer(`$\pm$`, "", `$\mu$`, "", `$-$`, "", `$\sim$`, "", `$<$`, "", `$>$`, "", `$\geq$`, "").Replace(line), "%#_&$") &&
			!strings.HasPrefix(strings.TrimSpace(line), `\begin`) && !strings.Contains(line, `\\`) {
			t.Errorf("line %d: unescaped special character: %s", i+1, line)
		}
	}
	if depth != 0 {
		t.Errorf("braces unbalanced by %d", depth)
	}
	// One table: a float around a tabular, or a long table; stacked
	// headers nest tabulars of their own.
	outer := strings.Count(src, `\begin{tabular}{`) + strings.Count(src, `\begin{xtabular}{`) + strings.Count(src, `\begin{longtable}{`)
	if outer != 1 {
		t.Errorf("%d tables, want 1", outer)
	}
	for _, env := range []string{"table", "table*", "tabular", "xtabular", "longtable"} {
		if o, c := strings.Count(src, `\begin{`+env+`}`), strings.Count(src, `\end{`+env+`}`); o != c {
			t.Errorf("environment %s opened %d times, closed %d", env, o, c)
		}
	}
	for _, rule := range []string{`\toprule`, `\midrule`, `\bottomrule`} {
		if strings.Count(src, rule) < 1 {
			t.Errorf("no %s", rule)
		}
	}
	in := false
	for _, line := range strings.Split(src, "\n") {
		switch {
		case strings.Contains(line, `\begin{xtabular}`), strings.Contains(line, `\toprule`):
			in = true
		case strings.Contains(line, `\bottomrule`), strings.Contains(line, `\end{xtabular}`):
			in = false
		case strings.Contains(line, `\multicolumn`):
		case in && strings.HasSuffix(line, `\\`):
			cells := strings.Count(strings.ReplaceAll(line, `\&`, ""), "&") + 1
			if cells != cols {
				t.Errorf("row with %d cells, want %d: %s", cells, cols, line)
			}
		}
	}
}

func TestLaTeXEscapesAndStructure(t *testing.T) {
	tab := &Table{
		Caption:    "Savings_total & more: 50% of #1 {x} ~ $5 < 6",
		Label:      "tab:x",
		Provenance: []string{`trace C:\builds\a_b.arrow`, "profile ^hash"},
		Columns:    []Column{{Head: "comm"}, {Head: "saved", Unit: "us", Num: true}, {Head: "note", Width: `0.3\linewidth`}},
		Rows: [][]string{
			{"cc_1 & ld", "-12.5", "50% ± 2"},
			{"make#2", "3.0", "{braces} µs ≥ –"},
		},
		Notes: []string{"p < 0.05 ~ significant"},
	}
	var b bytes.Buffer
	if err := tab.WriteLaTeX(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	checkLaTeX(t, out, 3)
	for _, want := range []string{`saved ($\mu$s)`, `$-$12.5`, `cc\_1 \& ld`, `50\% $\pm$ 2`, `\{braces\}`, "% provenance: trace C:\\builds\\a_b.arrow\n", `p{0.3\linewidth}`, `\begin{table}`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if i := strings.Index(out, `\caption`); strings.Contains(out[i:], "builds") || strings.Contains(out[i:], "hash") {
		t.Errorf("provenance outside the comments:\n%s", out)
	}
}

// TestLaTeXLayouts checks the choices that make a table fit a paper: a
// table* when wide, a long table as xtabular (one column) or longtable
// (wide), a Below column as a paragraph under its row, stacked headers and
// long names wrapped. scripts/latex-check compiles them for real.
func TestLaTeXLayouts(t *testing.T) {
	mk := func(rows int, wide bool) *Table {
		tab := &Table{Caption: "c", Wide: wide, Columns: []Column{{Head: "name"}, {Head: "saved on real forks", Unit: "ms", Num: true}, {Head: "source", Width: `0.3\linewidth`, Below: true}}}
		for i := 0; i < rows; i++ {
			tab.Rows = append(tab.Rows, []string{fmt.Sprintf("ppro200[tlb_flush_ns=%d,soft_fault_ns=5000]", i), "1.5", "a source"})
		}
		return tab
	}
	for _, c := range []struct {
		rows      int
		wide      bool
		want, not []string
	}{
		{3, false, []string{`\begin{table}`, `\multicolumn{2}{@{\quad}p{`, `{\footnotesize\raggedright source: a source\par}`, `\begin{tabular}[b]{@{}r@{}}saved on\\ real forks\\ (ms)\end{tabular}`, `p{0.22\linewidth}r}`, `soft\_\allowbreak{}fault`}, []string{"table*", "xtab"}},
		{3, true, []string{`\begin{table*}`, `{lrp{0.3\linewidth}}`}, []string{`\multicolumn`, "xtab"}},
		{60, false, []string{"needs \\usepackage{booktabs,xtab}", `\begin{xtabular}`, `\tablehead{`}, []string{`\begin{table}`}},
		{60, true, []string{"needs \\usepackage{booktabs,longtable}", `\begin{longtable}`, `\endhead`, "one-column mode"}, []string{`\begin{table*}`}},
	} {
		var b bytes.Buffer
		if err := mk(c.rows, c.wide).WriteLaTeX(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("rows %d wide %v: missing %q in:\n%s", c.rows, c.wide, w, out)
			}
		}
		for _, w := range c.not {
			if strings.Contains(out, w) {
				t.Errorf("rows %d wide %v: unexpected %q in:\n%s", c.rows, c.wide, w, out)
			}
		}
	}
}

func TestMarkdownEscapesPipes(t *testing.T) {
	tab := &Table{Columns: []Column{{Head: "a|b"}, {Head: "n", Num: true}}, Rows: [][]string{{"x|y", "1"}}, Provenance: []string{"a -- b"}}
	var b bytes.Buffer
	tab.WriteMarkdown(&b)
	out := b.String()
	if !strings.Contains(out, `| a\|b | n |`) || !strings.Contains(out, `| x\|y | 1 |`) || !strings.Contains(out, "|---|--:|") || strings.Contains(out, "a -- b") {
		t.Errorf("markdown:\n%s", out)
	}
}

func TestFixedDecimals(t *testing.T) {
	unit, cells := scaleSeconds([]float64{0.145, 0.0119, 0})
	if unit != "ms" || strings.Join(cells, " ") != "145.0 11.9 0.0" {
		t.Errorf("%s %v", unit, cells)
	}
	unit, cells = scaleSeconds([]float64{2.147, 0.153})
	if unit != "s" || strings.Join(cells, " ") != "2.147 0.153" {
		t.Errorf("%s %v", unit, cells)
	}
}

// TestGoldenLaTeX checks the CLI's golden LaTeX tables the same way.
func TestGoldenLaTeX(t *testing.T) {
	files, _ := filepath.Glob("../cmd/analyze/testdata/*.latex")
	if len(files) < 4 {
		t.Fatalf("golden LaTeX files: %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		env := `\begin{tabular}{`
		if strings.Contains(src, `\begin{xtabular}{`) {
			env = `\begin{xtabular}{`
		}
		i := strings.Index(src, env)
		if i < 0 {
			t.Fatalf("%s: no tabular", f)
		}
		spec := src[i+len(env):]
		spec = spec[:strings.Index(spec, "\n")]
		cols := 0
		depth := 0
		for _, r := range spec {
			switch {
			case r == '{':
				depth++
			case r == '}':
				depth--
			case depth == 0 && (r == 'l' || r == 'r' || r == 'p'):
				cols++
			}
		}
		t.Run(filepath.Base(f), func(t *testing.T) { checkLaTeX(t, src, cols) })
	}
}
