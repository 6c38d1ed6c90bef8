// Package htmlreport writes forkcost's one-page report: a single HTML file
// that opens from the file system in a browser, with nothing fetched from
// anywhere (styles, script and figures inline), in the manner of pprof's
// web view. It shows the headline with its intervals, the machines table,
// an interactive process tree per trace (expand, collapse, search by
// command, sort by saving), the timeline, and the paper figures as inline
// SVG, each with its provenance.
//
// It only presents: the numbers come from replay's summaries, the trees
// from proctree and the figures from plots, all made by the caller (cmd
// analyze report) in one replay of the traces.
package htmlreport

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/proctree"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

//go:embed report.html.tmpl report.css report.js
var files embed.FS

var page = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"seconds":  report.Seconds,
	"interval": report.IntervalText,
	"mul100":   func(v float64) float64 { return 100 * v },
}).ParseFS(files, "report.html.tmpl"))

// Trace is one replayed trace: its own summary and process tree.
type Trace struct {
	Summary *replay.Summary
	Tree    *proctree.Tree
}

// Input is everything the report shows.
type Input struct {
	Title   string
	Command string          // the command line that made the report
	Summary *replay.Summary // all traces together
	Traces  []Trace         // in input order
	Figures []Figure        // the timeline first, then the paper figures
}

// Figure is a figure with the style to draw it in.
type Figure struct {
	*plots.Figure
	Style plots.Style
}

// Write renders the report.
func Write(w io.Writer, in *Input) error {
	css, err := files.ReadFile("report.css")
	if err != nil {
		return err
	}
	js, err := files.ReadFile("report.js")
	if err != nil {
		return err
	}
	prov := plots.ProvenanceOf(in.Summary, in.Command)
	v := view{
		Title:      in.Title,
		CSS:        template.CSS(css),
		JS:         template.JS(js),
		Summary:    in.Summary,
		Table:      report.ReplayTable(in.Summary),
		Provenance: prov,
		Several:    len(in.Traces) > 1,
	}
	if len(in.Summary.Machines) > 0 {
		v.FirstMachine = in.Summary.Machines[0].Machine
	}
	for _, t := range in.Traces {
		v.Traces = append(v.Traces, traceView{Summary: t.Summary, Path: t.Tree.Path})
		v.Trees = append(v.Trees, treeData{Path: t.Tree.Path, Machine: t.Tree.Machine, Root: groupNode(proctree.Groups([]*proctree.Process{t.Tree.Root}, 1)[0], t.Tree.Root.SavedNs)})
	}
	for _, f := range in.Figures {
		var b bytes.Buffer
		if err := f.Render(&b, "svg", f.Style, prov); err != nil {
			return fmt.Errorf("figure %s: %w", f.Name(), err)
		}
		fv := figureView{Name: f.Name(), Caption: f.Caption, Notes: f.Notes, SVG: template.HTML(inlineSVG(b.Bytes()))}
		if f.Kind == "timeline" {
			v.Timeline = append(v.Timeline, fv)
		} else {
			v.Figures = append(v.Figures, fv)
		}
	}
	return page.Execute(w, v)
}

type view struct {
	Title      string
	CSS        template.CSS
	JS         template.JS
	Summary    *replay.Summary
	Traces     []traceView
	Several    bool
	Table      *report.Table
	Trees      []treeData
	Timeline   []figureView
	Figures    []figureView
	Provenance plots.Provenance
	// FirstMachine is the machine the trees' savings are on.
	FirstMachine string
}

type traceView struct {
	Path    string
	Summary *replay.Summary
}

type figureView struct {
	Name, Caption string
	Notes         []string
	SVG           template.HTML
}

type treeData struct {
	Path    string    `json:"path"`
	Machine string    `json:"machine"`
	Root    *treeNode `json:"root"`
}

// treeNode is one line of the interactive tree: a process, or siblings of
// one command shown as one (as 'analyze tree' groups them). Short keys
// keep the embedded data small.
type treeNode struct {
	Comm      string      `json:"c"`
	Count     int         `json:"n"`           // processes the line stands for
	PID       int32       `json:"p,omitempty"` // a single process's
	Kind      string      `json:"k"`
	Exit      string      `json:"x"`
	Failed    bool        `json:"f,omitempty"`
	Life      string      `json:"l"`
	Argv      string      `json:"a,omitempty"`
	SavedS    float64     `json:"s"`
	Share     float64     `json:"sh"` // of the whole trace's saving, 0 to 1
	Creations int64       `json:"cr"`
	Eligible  int64       `json:"el"`
	Children  []*treeNode `json:"ch,omitempty"`
}

// groupNode turns a tree line and the lines below it (grouped as the
// text tree groups them) into the view's data.
func groupNode(g *proctree.Group, total float64) *treeNode {
	p := g.Members[0]
	n := &treeNode{Comm: p.Comm, Count: len(g.Members), SavedS: g.SavedNs / 1e9, Creations: g.Creations, Eligible: g.Eligible}
	if total != 0 {
		n.Share = g.SavedNs / total
	}
	if g.Single() {
		n.PID = p.PID
	}
	d := report.DescribeGroup(g)
	n.Kind, n.Exit, n.Failed, n.Life = d.Kind, d.Exit, d.Failed, d.Life
	if len(p.Argv) > 0 {
		a := report.QuoteArgv(p.Argv)
		if r := []rune(a); len(r) > 300 {
			a = string(r[:300]) + " ..."
		}
		n.Argv = a
	}
	for _, c := range g.Children(proctree.MinRun) {
		n.Children = append(n.Children, groupNode(c, total))
	}
	return n
}

var (
	svgProlog = regexp.MustCompile(`(?s)^.*?(<svg\b)`)
	svgNS     = regexp.MustCompile(`\s+xmlns(:xlink)?="[^"]*"`)
	svgSize   = regexp.MustCompile(`^<svg width="([0-9.]+)pt" height="([0-9.]+)pt"`)
)

// screenScale is how much larger than print a figure is shown: a column's
// 8 pt text at 3.3 inches reads as 13 px text on a screen.
const screenScale = 1.6

func px(pt string) string {
	v, err := strconv.ParseFloat(pt, 64)
	if err != nil {
		return pt + "pt"
	}
	return strconv.FormatFloat(v*4/3*screenScale, 'f', 0, 64)
}

// inlineSVG makes a figure's SVG file fit inside HTML: no XML prolog or
// comment before <svg>, no namespace declarations (HTML's parser puts
// inline SVG in its namespace), no id that several figures would share,
// and a size for a screen (screenScale) that shrinks with the page.
func inlineSVG(svg []byte) string {
	s := svgProlog.ReplaceAllString(string(svg), "$1")
	s = svgNS.ReplaceAllString(s, "")
	s = strings.Replace(s, ` id="forkcost-provenance"`, ` class="forkcost-provenance"`, 1)
	if m := svgSize.FindStringSubmatch(s); m != nil {
		s = `<svg width="` + px(m[1]) + `" height="` + px(m[2]) + `"` + s[len(m[0]):]
	}
	s = strings.Replace(s, "<svg ", `<svg class="figure" `, 1)
	return s
}
