package plots

import (
	"cmp"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TimelineCommands is how many commands the timeline colours; the others
// are grey.
const TimelineCommands = 6

// MinTimelineRow is the thinnest a timeline row may be: a hairline. With
// more processes than rows of this height, consecutive processes (in tree
// order: siblings and their subtrees) share a row.
const MinTimelineRow = vg.Length(1)

// timelineGrey is the fill of the commands not coloured.
var timelineGrey = rgb(0xBB, 0xBB, 0xBB)

// Timeline draws one horizontal bar per process over the trace's time,
// processes in tree order (each under its parent, siblings by start),
// coloured by the command they ran, each costed creation marked on its
// parent's bar by a ring whose area is what vfork-share saves over
// fork-cow there on machine m. When rows would be thinner than
// MinTimelineRow, consecutive processes share a row: it is filled where
// any of them runs, in the colour of the command that runs longest
// there, and rings close together on a row are merged (their savings
// summed). Its CSV has a line per row. Memory is linear in the processes
// and the drawing bounded by the figure's size, not by the trace.
func Timeline(d TimelineSource, m int, st Style) (*Figure, error) {
	const kind = "timeline"
	mach := d.Machines()[m]
	n := d.NumProcesses()
	if n == 0 {
		return nil, noData(kind, "no process seen: the replay did not pass the trace's events to the collector (replay.Config.OnTraceEvent = Collector.Observe)")
	}
	f := &Figure{Kind: kind, Machine: mach.Name,
		Caption: "every process over the trace's time, under its parent, coloured by command; rings mark the creations on the parent's bar, their area what vfork-share saves over fork-cow on " + mach.Name,
		Columns: []string{"row", "processes", "first_pid", "comm", "start_s", "end_s", "lifetime_s", "creations", "saved_s"}}
	f.heightScale = 1.4
	if st.Width > 4.5*vg.Inch {
		f.heightScale = 1.2
	}

	// The processes, in arrays of their own (about 40 bytes each while
	// drawing).
	parent := make([]int32, n)
	start, end := make([]float64, n), make([]float64, n)
	comm := make([]int32, n)
	pids := make([]int32, n)
	commIdx := map[string]int32{}
	var commNames []string
	var lifetime []float64 // per command
	t0, t1 := math.Inf(1), math.Inf(-1)
	for i, p := range d.Processes() {
		parent[i] = int32(p.Parent)
		start[i], end[i] = p.Start, math.Max(p.End, p.Start)
		pids[i] = p.PID
		ci, ok := commIdx[p.Comm]
		if !ok {
			ci = int32(len(commNames))
			commIdx[p.Comm] = ci
			commNames = append(commNames, p.Comm)
			lifetime = append(lifetime, 0)
		}
		comm[i] = ci
		lifetime[ci] += end[i] - start[i]
		t0, t1 = math.Min(t0, start[i]), math.Max(t1, end[i])
	}
	if !(t1 > t0) {
		t1 = t0 + 1e-3
	}
	order := treeOrder(parent, start)

	// Colours: the commands that run longest, then grey.
	byLife := make([]int32, len(commNames))
	for i := range byLife {
		byLife[i] = int32(i)
	}
	slices.SortStableFunc(byLife, func(a, b int32) int {
		return cmp.Or(cmp.Compare(lifetime[b], lifetime[a]), cmp.Compare(commNames[a], commNames[b]))
	})
	colourOf := make([]uint8, len(commNames)) // TimelineCommands: grey
	for i := range colourOf {
		colourOf[i] = TimelineCommands
	}
	for k, ci := range byLife[:min(TimelineCommands, len(byLife))] {
		colourOf[ci] = uint8(k)
	}
	palette := append(slices.Clone(lineColors[:TimelineCommands]), timelineGrey)

	// Rows: as many as fit at MinTimelineRow. The room is the figure's
	// height less the legend and the time axis, roughly.
	w, h := f.size(st)
	room := h - 4*legendRowHeight(st) - 3*st.FontSize - 12
	maxRows := max(1, int(room/MinTimelineRow))
	per := (n + maxRows - 1) / maxRows
	rows := (n + per - 1) / per
	rowOf := make([]int32, n)
	for k, i := range order {
		rowOf[i] = int32(k / per)
	}

	// Time bins of about a point: what a row's fill can show.
	bins := max(16, int(w-4*st.FontSize-10))
	bw := (t1 - t0) / float64(bins)
	tb := &timelineBars{rows: rows, t0: t0, t1: t1, palette: palette}
	if per == 1 {
		for _, i := range order {
			tb.bars = append(tb.bars, timelineBar{row: rowOf[i], x0: start[i], x1: end[i], colour: colourOf[comm[i]]})
		}
	}

	// Marks: the costed creations, summed per row over bins of three
	// points, placed at their saving-weighted mean time.
	mbins := max(8, bins/3)
	mbw := (t1 - t0) / float64(mbins)
	saved := make([]float64, rows*mbins)
	tsum := make([]float64, rows*mbins)
	rowSaved := make([]float64, rows)
	rowCreations := make([]int64, rows)
	var unplaced, nonPositive int64
	for mk := range d.Marks(m) {
		if mk.Parent < 0 || mk.Parent >= n {
			unplaced++
			continue
		}
		r := rowOf[mk.Parent]
		rowCreations[r]++
		rowSaved[r] += mk.SavedNs / 1e9
		if mk.SavedNs <= 0 {
			nonPositive++
			continue
		}
		b := min(mbins-1, max(0, int((mk.Time-t0)/mbw)))
		saved[int(r)*mbins+b] += mk.SavedNs
		tsum[int(r)*mbins+b] += mk.SavedNs * mk.Time
	}
	maxSaved := 0.0
	for k, s := range saved {
		if s > 0 {
			tb.marks = append(tb.marks, timelineMark{row: int32(k / mbins), x: tsum[k] / s, saved: s})
			maxSaved = math.Max(maxSaved, s)
		}
	}
	tb.maxSaved = maxSaved
	tb.maxRadius = 3

	// One row at a time (rows are consecutive in tree order): its fill
	// and its line of CSV.
	acc := make([]float64, bins*len(palette))
	rowLife := make([]float64, len(commNames))
	for r := 0; r < rows; r++ {
		members := order[r*per : min(n, (r+1)*per)]
		clear(acc)
		clear(rowLife)
		rs, re, life := math.Inf(1), math.Inf(-1), 0.0
		for _, i := range members {
			rs, re = math.Min(rs, start[i]), math.Max(re, end[i])
			life += end[i] - start[i]
			rowLife[comm[i]] += end[i] - start[i]
			if per > 1 {
				addLifetime(acc[int(colourOf[comm[i]])*bins:][:bins], (start[i]-t0)/bw, (end[i]-t0)/bw)
			}
		}
		if per > 1 {
			tb.bars = appendRuns(tb.bars, int32(r), acc, bins, len(palette), t0, bw)
		}
		dom := members[0]
		best := -1.0
		for _, i := range members {
			if l := rowLife[comm[i]]; l > best {
				best, dom = l, i
			}
		}
		f.Rows = append(f.Rows, []string{itoa(int64(r)), itoa(int64(len(members))), itoa(int64(pids[members[0]])), commNames[comm[dom]],
			ftoa(rs), ftoa(re), ftoa(life), itoa(rowCreations[r]), ftoa(rowSaved[r])})
	}

	p := st.newPlot()
	machineTitle(st, p, "rings: saving on "+mach.Name)
	xscale, xunit := traceTimeUnit(t1)
	tb.xscale = xscale
	p.X.Label.Text = "Trace time (" + xunit + ")"
	if d.TimeSynthetic() {
		p.X.Label.Text = "Trace time (" + xunit + ", synthetic)"
		f.Notes = append(f.Notes, "the trace's times are synthetic, not measured")
	}
	p.Y.Label.Text = itoa(int64(n)) + " processes, in tree order"
	if per > 1 {
		p.Y.Label.Text = itoa(int64(n)) + " processes in tree order, " + itoa(int64(per)) + " a row"
		f.Notes = append(f.Notes, "rows: "+itoa(int64(per))+" consecutive processes in tree order share a row (a row would otherwise be thinner than "+ftoa(float64(MinTimelineRow))+" pt); a row is filled where any of them runs, in the colour of the command that runs longest there")
	}
	f.Notes = append(f.Notes, "processes in tree order: each under its parent, siblings by start; a process seen first after the trace began is drawn from its start, one whose exit is not in the trace to its end",
		"rings: the costed (eligible) creations on the parent's row, merged within "+ftoa(math.Round(float64(w)/float64(mbins)*10)/10)+" pt, area proportional to the saving summed")
	if unplaced > 0 {
		f.Notes = append(f.Notes, itoa(unplaced)+" costed creations have no parent in the trace's processes and are not drawn")
	}
	if nonPositive > 0 {
		f.Notes = append(f.Notes, itoa(nonPositive)+" costed creations save nothing on "+mach.Name+" and get no ring")
	}
	p.Add(tb)
	p.X.Min, p.X.Max = t0*xscale, t1*xscale
	p.Y.Min, p.Y.Max = -0.5, float64(rows)-0.5
	p.Y.Tick.Marker = plot.ConstantTicks(nil)
	p.Y.Tick.Length = 0
	f.panels = []*plot.Plot{p}

	for k, ci := range byLife[:min(TimelineCommands, len(byLife))] {
		f.legend = append(f.legend, legendEntry{label: commLabel(commNames[ci]), thumbs: []plot.Thumbnailer{boxThumb{fill: palette[k]}}})
	}
	if len(byLife) > TimelineCommands {
		f.legend = append(f.legend, legendEntry{label: "other", thumbs: []plot.Thumbnailer{boxThumb{fill: timelineGrey}}})
	}
	if maxSaved > 0 {
		// Two reference rings: a round saving near the largest, and a
		// tenth of it.
		ref := math.Pow(10, math.Floor(math.Log10(maxSaved/1e9)))
		for _, v := range []float64{ref / 10, ref} {
			sc, unit := timeUnit(v)
			f.legend = append(f.legend, legendEntry{label: "saves " + strconvF(v*sc, -1) + " " + unit, thumbs: []plot.Thumbnailer{ringThumb{r: tb.radius(v * 1e9)}}})
		}
	}
	return f, nil
}

func commLabel(c string) string {
	if c == "" {
		return "(unknown)"
	}
	return c
}

// traceTimeUnit picks the unit of a trace's timeline up to max seconds.
func traceTimeUnit(max float64) (scale float64, unit string) {
	switch {
	case max >= 36000:
		return 1.0 / 3600, "h"
	case max >= 600:
		return 1.0 / 60, "min"
	case max < 1:
		return 1e3, "ms"
	}
	return 1, "s"
}

// treeOrder returns the processes in tree order: roots by start, each
// followed by its children's subtrees, children by start. Parents come
// before their children in the index order (a parent is seen first).
func treeOrder(parent []int32, start []float64) []int32 {
	n := len(parent)
	byStart := make([]int32, n)
	for i := range byStart {
		byStart[i] = int32(i)
	}
	slices.SortStableFunc(byStart, func(a, b int32) int { return cmp.Compare(start[a], start[b]) })
	// Children as linked lists in start order.
	head, tail, next := make([]int32, n), make([]int32, n), make([]int32, n)
	for i := range head {
		head[i], tail[i], next[i] = -1, -1, -1
	}
	var roots []int32
	for _, i := range byStart {
		p := parent[i]
		if p < 0 || int(p) >= n || p == i {
			roots = append(roots, i)
			continue
		}
		if head[p] < 0 {
			head[p] = i
		} else {
			next[tail[p]] = i
		}
		tail[p] = i
	}
	order := make([]int32, 0, n)
	var stack []int32
	for k := len(roots) - 1; k >= 0; k-- {
		stack = append(stack, roots[k])
	}
	var kids []int32
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		order = append(order, i)
		kids = kids[:0]
		for c := head[i]; c >= 0; c = next[c] {
			kids = append(kids, c)
		}
		for k := len(kids) - 1; k >= 0; k-- {
			stack = append(stack, kids[k])
		}
	}
	return order
}

// addLifetime adds a lifetime from bin position a to b (fractional bins)
// to acc: the share of each bin it covers. A lifetime of no length still
// counts a little, so that every process shows.
func addLifetime(acc []float64, a, b float64) {
	nb := len(acc)
	a = math.Max(0, math.Min(a, float64(nb)-1e-9))
	b = math.Max(a+1e-6, math.Min(b, float64(nb)))
	i0, i1 := int(a), min(nb-1, int(b))
	if i0 == i1 {
		acc[i0] += b - a
		return
	}
	acc[i0] += float64(i0+1) - a
	for i := i0 + 1; i < i1; i++ {
		acc[i]++
	}
	acc[i1] += b - float64(i1)
}

// appendRuns appends row r's fill: each bin where anything runs, in the
// colour with the most time there, neighbouring bins of one colour as one
// bar.
func appendRuns(bars []timelineBar, r int32, acc []float64, bins, colours int, t0, bw float64) []timelineBar {
	open := -1
	var colour uint8
	for b := 0; b <= bins; b++ {
		c, best := -1, 0.0
		if b < bins {
			for k := 0; k < colours; k++ {
				if v := acc[k*bins+b]; v > best {
					c, best = k, v
				}
			}
		}
		if open >= 0 && (c < 0 || uint8(c) != colour) {
			bars = append(bars, timelineBar{row: r, x0: t0 + float64(open)*bw, x1: t0 + float64(b)*bw, colour: colour})
			open = -1
		}
		if c >= 0 && open < 0 {
			open, colour = b, uint8(c)
		}
	}
	return bars
}

type timelineBar struct {
	row    int32
	x0, x1 float64 // seconds
	colour uint8
}

type timelineMark struct {
	row   int32
	x     float64 // seconds
	saved float64 // ns
}

// timelineBars draws the rows and rings: row 0 on top.
type timelineBars struct {
	rows      int
	t0, t1    float64
	xscale    float64
	bars      []timelineBar
	marks     []timelineMark
	palette   []color.Color
	maxSaved  float64
	maxRadius vg.Length
}

// radius gives a ring's radius for a saving in ns: area proportional to
// the saving.
func (t *timelineBars) radius(saved float64) vg.Length {
	if t.maxSaved <= 0 {
		return 0
	}
	return vg.Length(math.Max(0.4, float64(t.maxRadius)*math.Sqrt(saved/t.maxSaved)))
}

var ringStyle = draw.LineStyle{Color: color.Black, Width: 0.35}

func (t *timelineBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pitch := trY(0) - trY(1)
	if pitch < 0 {
		pitch = -pitch
	}
	half := pitch / 2
	if pitch > 3 {
		half = pitch * 0.4 // a gap between rows that can afford one
	}
	y := func(row int32) vg.Length { return trY(float64(t.rows - 1 - int(row))) }
	for _, b := range t.bars {
		x0, x1 := trX(b.x0*t.xscale), trX(b.x1*t.xscale)
		if x1-x0 < 0.6 {
			x1 = x0 + 0.6
		}
		yc := y(b.row)
		r := vg.Rectangle{Min: vg.Point{X: x0, Y: yc - half}, Max: vg.Point{X: x1, Y: yc + half}}
		c.SetColor(t.palette[b.colour])
		c.Fill(r.Path())
	}
	for _, m := range t.marks {
		c.StrokeLines(ringStyle, ring(vg.Point{X: trX(m.x * t.xscale), Y: y(m.row)}, t.radius(m.saved)))
	}
}

// ring is a circle as a polyline (a path gonum draws alike in every
// format).
func ring(at vg.Point, r vg.Length) []vg.Point {
	const n = 16
	pts := make([]vg.Point, n+1)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / n
		pts[i] = vg.Point{X: at.X + r*vg.Length(math.Cos(a)), Y: at.Y + r*vg.Length(math.Sin(a))}
	}
	return pts
}

func (t *timelineBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	return t.t0 * t.xscale, t.t1 * t.xscale, -0.5, float64(t.rows) - 0.5
}

// ringThumb is the legend's ring of a given radius.
type ringThumb struct{ r vg.Length }

func (t ringThumb) Thumbnail(c *draw.Canvas) {
	c.StrokeLines(ringStyle, ring(c.Center(), t.r))
}
