package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/proctree"
	"github.com/forkcost/forkcost/replay"
)

// TreeOptions says how TreeText draws a process tree.
type TreeOptions struct {
	Verbose bool // each process's command line after its name
	// Depth, when above 0, shows processes down to that depth (the root
	// is at 0); MinSavedS shows only subtrees that save at least that
	// many seconds. What is left out is one summary line per parent.
	Depth     int
	MinSavedS float64
	// Box draws the tree with box-drawing characters, Color with ANSI
	// colours: both for a terminal only.
	Box, Color bool
}

// Tree is a process tree to print: the tree, the replay it was built in
// (for its provenance and filters), and how its text is drawn.
type Tree struct {
	Tree    *proctree.Tree
	Summary *replay.Summary
	Options TreeOptions
}

func init() {
	register(func(t *Tree) view {
		return view{
			tables: func(Options) []*Table { return []*Table{treeTable(t)} },
			write: map[Format]func(io.Writer, Options) error{
				Text: func(w io.Writer, _ Options) error { return treeText(w, t.Tree, t.Summary, t.Options) },
				JSON: func(w io.Writer, _ Options) error { return treeJSON(w, t.Tree) },
			},
		}
	})
}

// treeTable is the tree as a table: a row per process, depth first, its
// depth, and its subtree's figures (every process: --depth and
// --min-saved shape the text only).
func treeTable(t *Tree) *Table {
	tb := &Table{Label: "tab:forkcost-tree", Provenance: Provenance(t.Summary),
		Caption: fmt.Sprintf("The process tree of %s, with what sharing vfork saves over fork-cow in each process's subtree on %s.", t.Tree.Path, t.Tree.Machine),
		Columns: []Column{{Head: "depth", Num: true}, {Head: "pid", Num: true}, {Head: "process"}, {Head: "created by"}, {Head: "exit"},
			{Head: "creations", Num: true}, {Head: "eligible", Num: true}, {Head: "saved", Unit: "us", Num: true}}}
	var walk func(p *proctree.Process, depth int)
	walk = func(p *proctree.Process, depth int) {
		exit := ""
		switch {
		case p.Signal != 0:
			exit = "signal " + strconv.Itoa(int(p.Signal))
		case p.Exited:
			exit = strconv.Itoa(int(p.ExitStatus))
		}
		comm := p.Comm
		if p.Synthetic() {
			comm = "(trace)"
		}
		tb.Rows = append(tb.Rows, []string{strconv.Itoa(depth), strconv.Itoa(int(p.PID)), comm, p.Kind, exit,
			strconv.FormatInt(p.Creations, 10), strconv.FormatInt(p.Eligible, 10), strconv.FormatFloat(p.SavedNs/1e3, 'f', 1, 64)})
		for _, c := range p.Children {
			walk(c, depth+1)
		}
	}
	walk(t.Tree.Root, 0)
	return tb
}

// ANSI styles of the tree on a terminal.
const (
	ansiBold  = "\033[1m"
	ansiDim   = "\033[2m"
	ansiRed   = "\033[31m"
	ansiReset = "\033[0m"
)

// treeText writes a process tree for a human: one line per process (or run
// of siblings with one command), indented under its parent, its subtree's
// saving, share of the whole, creations and eligible creations in columns
// on the left; then the provenance of sum, the replay the tree was built
// in.
func treeText(w io.Writer, t *proctree.Tree, sum *replay.Summary, opt TreeOptions) error {
	bw := bufio.NewWriter(w)
	root := t.Root
	fmt.Fprintf(bw, "%s: %s, %s (%d eligible for vfork); sharing vfork saves %s on %s\n",
		t.Path, processes(root.Processes), plural(root.Creations, "creation"), root.Eligible, Seconds(root.SavedNs/1e9), t.Machine)
	if f := FilterLine(sum); f != "" {
		fmt.Fprintln(bw, f)
	}
	tw := treeWriter{w: bw, opt: opt, total: root.SavedNs}
	tw.widths(root)
	fmt.Fprintf(bw, "%*s  %*s  %*s  %*s  %s\n", tw.wSaved, "saved", tw.wShare, "share", tw.wCre, "creations", tw.wElig, "eligible", "process")
	tw.group(proctree.Groups([]*proctree.Process{root}, 1)[0], "", "", 0)
	fmt.Fprintln(bw)
	for _, l := range Provenance(sum) {
		fmt.Fprintf(bw, "# %s\n", l)
	}
	return bw.Flush()
}

type treeWriter struct {
	w                           *bufio.Writer
	opt                         TreeOptions
	total                       float64
	wSaved, wShare, wCre, wElig int
}

func (tw *treeWriter) share(ns float64) string {
	if tw.total == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*ns/tw.total, 'f', 1, 64) + "%"
}

// widths sizes the columns for the root's figures, the largest.
func (tw *treeWriter) widths(root *proctree.Process) {
	tw.wSaved = max(len("-1.00 ms"), len(Seconds(root.SavedNs/1e9))) // Seconds is at most this wide below 1000 s
	tw.wShare = max(len("100.0%"), len(tw.share(root.SavedNs)))
	tw.wCre = max(len("creations"), len(strconv.FormatInt(root.Creations, 10)))
	tw.wElig = max(len("eligible"), len(strconv.FormatInt(root.Eligible, 10)))
}

func (tw *treeWriter) columns(savedNs float64, cre, elig int64) {
	fmt.Fprintf(tw.w, "%*s  %*s  %*d  %*d  ", tw.wSaved, Seconds(savedNs/1e9), tw.wShare, tw.share(savedNs), tw.wCre, cre, tw.wElig, elig)
}

// group writes g's line, prefixed by first, then its children with prefix
// rest.
func (tw *treeWriter) group(g *proctree.Group, first, rest string, depth int) {
	tw.columns(g.SavedNs, g.Creations, g.Eligible)
	tw.w.WriteString(first)
	tw.w.WriteString(tw.label(g))
	tw.w.WriteByte('\n')
	kids := g.Children(proctree.MinRun)
	var shown []*proctree.Group
	var hidden struct {
		lines, procs, cre, elig int64
		saved                   float64
	}
	for _, c := range kids {
		if (tw.opt.Depth > 0 && depth+1 > tw.opt.Depth) || c.SavedNs/1e9 < tw.opt.MinSavedS {
			hidden.lines++
			hidden.procs += c.Processes
			hidden.cre += c.Creations
			hidden.elig += c.Eligible
			hidden.saved += c.SavedNs
			continue
		}
		shown = append(shown, c)
	}
	tee, elbow, pipe, blank := "|- ", "`- ", "|  ", "   "
	if tw.opt.Box {
		tee, elbow, pipe, blank = "├─ ", "└─ ", "│  ", "   "
	}
	for i, c := range shown {
		last := i == len(shown)-1 && hidden.lines == 0
		if last {
			tw.group(c, rest+elbow, rest+blank, depth+1)
		} else {
			tw.group(c, rest+tee, rest+pipe, depth+1)
		}
	}
	if hidden.lines > 0 {
		tw.columns(hidden.saved, hidden.cre, hidden.elig)
		why := fmt.Sprintf("deeper than depth %d", tw.opt.Depth)
		if tw.opt.Depth == 0 || depth+1 <= tw.opt.Depth {
			why = "in subtrees saving less than " + Seconds(tw.opt.MinSavedS)
		}
		tw.w.WriteString(rest + elbow + tw.style(ansiDim, fmt.Sprintf("... %d more %s %s", hidden.procs, plural1(hidden.procs), why)) + "\n")
	}
}

func (tw *treeWriter) style(code, s string) string {
	if !tw.opt.Color {
		return s
	}
	return code + s + ansiReset
}

// label is the process part of a line: command, pid, how it was created,
// how it ended, how long it ran.
func (tw *treeWriter) label(g *proctree.Group) string {
	p := g.Members[0]
	var b strings.Builder
	if p.Synthetic() {
		b.WriteString(tw.style(ansiBold, "(trace)"))
		b.WriteString(" " + processes(int64(len(p.Children))) + " at the top")
		return b.String()
	}
	if g.Single() {
		b.WriteString(tw.style(ansiBold, p.Comm))
		fmt.Fprintf(&b, " [%d]", p.PID)
	} else {
		b.WriteString(tw.style(ansiBold, fmt.Sprintf("%s x %d", p.Comm, len(g.Members))))
	}
	if tw.opt.Verbose && len(p.Argv) > 0 {
		a := QuoteArgv(p.Argv)
		if !g.Single() { // the first one's, shortened: the others differ
			if r := []rune(a); len(r) > 60 {
				a = string(r[:60])
			}
			a += " ..."
		}
		b.WriteString(" " + a)
	}
	var parts []string
	d := DescribeGroup(g)
	if d.Kind != "" {
		parts = append(parts, d.Kind)
	}
	if e := d.Exit; e != "" {
		if d.Failed {
			e = tw.style(ansiRed, e)
		}
		parts = append(parts, e)
	}
	if d.Life != "" {
		parts = append(parts, d.Life)
	}
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	return b.String()
}

// GroupText is how a tree line describes its processes: how they were
// created, how they ended (Failed: any of them with a non-zero status or
// a signal), how long they ran.
type GroupText struct {
	Kind, Exit, Life string
	Failed           bool
}

// DescribeGroup describes a tree line's processes, for the text tree and
// the HTML report alike.
func DescribeGroup(g *proctree.Group) GroupText {
	d := GroupText{Kind: kinds(g), Life: lifetime(g)}
	d.Exit, d.Failed = exits(g)
	return d
}

func kinds(g *proctree.Group) string {
	var ks []string
	for _, p := range g.Members {
		k := p.Kind
		if k == "" {
			k = "seen without its creation"
		}
		if !slices.Contains(ks, k) {
			ks = append(ks, k)
		}
	}
	return strings.Join(ks, "/")
}

// exits says how the group's processes ended, and whether any failed.
func exits(g *proctree.Group) (string, bool) {
	if g.Single() {
		p := g.Members[0]
		switch {
		case p.Signal != 0:
			return fmt.Sprintf("killed by signal %d", p.Signal), true
		case p.Exited:
			return fmt.Sprintf("exit %d", p.ExitStatus), p.ExitStatus != 0
		case p.Ended:
			return "exited", false
		}
		return "no exit traced", false
	}
	var ok, failed, killed, open int
	for _, p := range g.Members {
		switch {
		case p.Signal != 0:
			killed++
		case p.Exited && p.ExitStatus != 0:
			failed++
		case p.Ended:
			ok++
		default:
			open++
		}
	}
	if ok == len(g.Members) {
		return "all exit 0", false
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{ok, "exit 0"}, {failed, "failed"}, {killed, "killed"}, {open, "no exit traced"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return strings.Join(parts, ", "), failed+killed > 0
}

func lifetime(g *proctree.Group) string {
	var sum float64
	n := 0
	for _, p := range g.Members {
		if p.Ended {
			sum += float64(p.EndNs-p.StartNs) / 1e9
			n++
		}
	}
	switch {
	case n == 0:
		return ""
	case g.Single():
		return Seconds(sum)
	}
	return Seconds(sum) + " in all"
}

func processes(n int64) string { return strconv.FormatInt(n, 10) + " " + plural1(n) }

func plural1(n int64) string {
	if n == 1 {
		return "process"
	}
	return "processes"
}

// QuoteArgv joins argv as a shell would read it back.
func QuoteArgv(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			q[i] = a
		} else {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

// treeJSON writes a process tree as one nested object per process:
//
//	{"pid": N, "comm": S, "argv": [...], "kind": S, "exit_status": N,
//	 "start_s": X, "end_s": X, "creations": N, "eligible": N,
//	 "saved_s": X, "children": [...]}
//
// creations, eligible and saved_s cover the subtree. kind is "" when the
// creation is not in the trace (and for the synthetic root, pid 0, that
// holds several top processes); exit_status is negative, minus the signal,
// for a process killed by one, and null, like end_s, when its exit is not
// in the trace. Times are seconds from the trace's start. It is written
// as it is walked, without a copy of the tree.
func treeJSON(w io.Writer, t *proctree.Tree) error {
	bw := bufio.NewWriter(w)
	writeProcJSON(bw, t.Root, "")
	bw.WriteByte('\n')
	return bw.Flush()
}

func writeProcJSON(w *bufio.Writer, p *proctree.Process, indent string) {
	in := indent + "  "
	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	fmt.Fprintf(w, "{\n%s\"pid\": %d,\n%s\"comm\": %s,\n%s\"argv\": [", in, p.PID, in, str(p.Comm), in)
	for i, a := range p.Argv {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteString(str(a))
	}
	fmt.Fprintf(w, "],\n%s\"kind\": %s,\n", in, str(p.Kind))
	status, end := "null", "null"
	switch {
	case p.Signal != 0:
		status = strconv.Itoa(-int(p.Signal))
	case p.Exited:
		status = strconv.Itoa(int(p.ExitStatus))
	}
	if p.Ended {
		end = num(float64(p.EndNs) / 1e9)
	}
	fmt.Fprintf(w, "%s\"exit_status\": %s,\n%s\"start_s\": %s,\n%s\"end_s\": %s,\n", in, status, in, num(float64(p.StartNs)/1e9), in, end)
	fmt.Fprintf(w, "%s\"creations\": %d,\n%s\"eligible\": %d,\n%s\"saved_s\": %s,\n%s\"children\": [", in, p.Creations, in, p.Eligible, in, num(p.SavedNs/1e9), in)
	for i, c := range p.Children {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n" + in + "  ")
		writeProcJSON(w, c, in+"  ")
	}
	if len(p.Children) > 0 {
		w.WriteString("\n" + in)
	}
	fmt.Fprintf(w, "]\n%s}", indent)
}
