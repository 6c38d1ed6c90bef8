package plots

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
)

// Machine is a machine as the figures name and cost it.
type Machine struct {
	Name   string
	Native string // the machine's native fork strategy
	Params *model.Params
}

// MachinesOf returns the figures' view of profiles.
func MachinesOf(profiles []*machines.Profile) []Machine {
	out := make([]Machine, len(profiles))
	for i, p := range profiles {
		out[i] = Machine{Name: p.Name, Native: p.Native, Params: p.ModelParams()}
	}
	return out
}

// Shape is the parent that the model's curves assume, as shares of its
// resident size.
type Shape struct {
	WritableFraction float64 // writable resident / resident
	AnonFraction     float64 // anonymous resident / resident
	MapEntries       int64
	// FromTrace says whether the shape is the trace's (byte-weighted means
	// over its eligible creations) or the default.
	FromTrace bool
}

// DefaultShape is a parent of private anonymous memory with a dozen map
// entries, like synth sweep's.
var DefaultShape = Shape{WritableFraction: 1, AnonFraction: 1, MapEntries: 12}

// Snapshot returns the parent of the shape with resident bytes, as the
// model reads it.
func (s Shape) Snapshot(resident float64) model.Snapshot {
	r := int64(math.Round(resident))
	return model.Snapshot{
		ResidentBytes:         r,
		WritableResidentBytes: int64(math.Round(resident * s.WritableFraction)),
		AnonResidentBytes:     int64(math.Round(resident * s.AnonFraction)),
		MapEntries:            s.MapEntries,
	}
}

func (s Shape) describe() string {
	src := "the default parent (private anonymous memory)"
	if s.FromTrace {
		src = "the trace's average parent"
	}
	return "model curves assume " + src + ": writable resident " + pct(s.WritableFraction) +
		" and anonymous resident " + pct(s.AnonFraction) + " of resident, " + itoa(s.MapEntries) + " map entries"
}

// The data behind each figure comes through a small interface, so that a
// figure can be drawn from a replay (Data) or from numbers of one's own.

// MachineLister lists the machines a figure compares.
type MachineLister interface {
	Machines() []Machine
}

// SavingsSource is the data behind savings-vs-size.
type SavingsSource interface {
	MachineLister
	// Shape is the parent the model's curve assumes.
	Shape() Shape
	// SavingsPoints returns at most max of machine m's creations as
	// (parent resident bytes, saving in ns), evenly subsampled, and how
	// many creations there are in all.
	SavingsPoints(m, max int) (pts plotter.XYs, total int)
}

// CumulativeSource is the data behind cumulative.
type CumulativeSource interface {
	MachineLister
	// Cumulative returns machine m's running total of savings (seconds)
	// against the trace's timeline (seconds), in at most max steps; the
	// last point is the exact total.
	Cumulative(m, max int) plotter.XYs
	// TimeSynthetic reports whether the timeline was made up rather than
	// measured (the axis and a note say so).
	TimeSynthetic() bool
}

// TotalsSource is the data behind breakdown and machines: replay's totals.
type TotalsSource interface {
	MachineLister
	// StrategyTotal returns strategy's total cost on machine m over every
	// eligible creation, in seconds, and its split by step.
	StrategyTotal(m int, strategy string) (total float64, steps map[string]float64)
}

// IntervalSource, when a TotalsSource also satisfies it, puts ranges
// around the savings the machines figure draws.
type IntervalSource interface {
	// SavingInterval returns the range around the saving of vfork-share
	// over strategy on machine m, in seconds, if there is one.
	SavingInterval(m int, strategy string) (low, high float64, ok bool)
	// IntervalDraws is how many draws the ranges come from, for the
	// figure's note.
	IntervalDraws() int
}

// SizesSource is the data behind size-cdf.
type SizesSource interface {
	// ParentSizes returns the parents' resident sizes at their creations,
	// by command, each sorted ascending.
	ParentSizes() []CommandSizes
}

// CommandSizes are the parent sizes of one command.
type CommandSizes struct {
	Comm  string
	Sizes []float64
}

// SensitivitySource is the data behind sensitivity.
type SensitivitySource interface {
	MachineLister
	// Sensitivity returns, for machine m, the total saving (seconds) and
	// how it moves when each cost parameter is halved and doubled.
	Sensitivity(m int) (base float64, swings []Swing)
}

// Swing is the total saving with one parameter halved and doubled.
type Swing struct {
	Param               string
	Value, Low, High    float64 // the parameter's value, halved, doubled (clamped)
	SavedLow, SavedHigh float64 // total saving, seconds
}

// Collector gathers what the figures need while replay streams a trace:
// pass its OnEvent as replay.Config.OnEvent. Per eligible creation it keeps
// the time, parent command and resident size, and the saving on each
// machine (about 24 + 8 bytes per machine); for sensitivity, a count per
// distinct page-count snapshot on each machine.
type Collector struct {
	machines    []Machine
	sensitivity bool

	times    []int64
	inputs   []int32
	comms    []int32
	resident []int64
	saved    []float64 // creation i, machine m at i*len(machines)+m

	commIdx   map[string]int32
	commNames []string

	// procs, kept when Observe sees the traces' events, is every process's
	// lifetime, for the timeline; parents is each creation's parent in it.
	procs   *processLog
	parents []int32

	sumRes, sumWr, sumAnon, sumEntries float64

	// distinct counts the creations per distinct snapshot (its Source
	// cleared) and parent's measured writes. The model sees nothing else
	// of a creation, so re-evaluating these is the same as replaying the
	// trace again, for any parameter.
	distinct map[snapKey]int64
}

// snapKey is a distinct creation for the sensitivity figure: the row's
// whole snapshot, not only what the model reads of it, so that creations
// are grouped, and their savings summed, as they always were.
type snapKey struct {
	snap       trace.Snapshot
	writeBytes int64
	hasWrites  bool
}

func (k *snapKey) input() model.Input {
	return model.Input{Snapshot: replay.ModelSnapshot(&k.snap), ParentWriteBytes: k.writeBytes, HasParentWrites: k.hasWrites}
}

// NewCollector returns a collector for the machines replay is given. With
// sensitivity it also keeps what the sensitivity figure re-evaluates.
func NewCollector(ms []Machine, sensitivity bool) *Collector {
	c := &Collector{machines: ms, sensitivity: sensitivity, commIdx: map[string]int32{}}
	if sensitivity {
		c.distinct = map[snapKey]int64{}
	}
	return c
}

// OnEvent records one eligible creation's cost on one machine.
func (c *Collector) OnEvent(ec *replay.EventCost) error {
	cr := ec.Creation
	if ec.Machine == 0 {
		c.times = append(c.times, cr.TimeNs)
		c.inputs = append(c.inputs, int32(ec.Input))
		c.comms = append(c.comms, c.intern(cr.Comm))
		if c.procs != nil {
			c.parents = append(c.parents, c.procs.parentOf(ec.Input, ec.Row))
		}
		s := &cr.Snapshot
		c.resident = append(c.resident, s.ResidentBytes)
		c.sumRes += float64(s.ResidentBytes)
		c.sumWr += float64(s.WritableResidentBytes)
		c.sumAnon += float64(s.AnonResidentBytes)
		c.sumEntries += float64(s.MapEntries)
		if c.sensitivity {
			k := snapKey{snap: *s}
			if ec.Model != nil {
				k.writeBytes, k.hasWrites = ec.Model.ParentWriteBytes, ec.Model.HasParentWrites
			}
			k.snap.Source = ""
			c.distinct[k]++
		}
	}
	c.saved = append(c.saved, ec.SavedNs)
	return nil
}

// Data returns the figures' data: what the collector gathered, with
// replay's summary of the same traces.
func (c *Collector) Data(sum *replay.Summary) *Data {
	d := &Data{c: c, sum: sum, shape: DefaultShape}
	n := len(c.times)
	if n > 0 && c.sumRes > 0 {
		d.shape = Shape{
			WritableFraction: c.sumWr / c.sumRes,
			AnonFraction:     c.sumAnon / c.sumRes,
			MapEntries:       int64(math.Round(c.sumEntries / float64(n))),
			FromTrace:        true,
		}
	}
	return d
}

// Data is everything the figures draw from one replay. It satisfies every
// figure's source interface.
type Data struct {
	c     *Collector
	sum   *replay.Summary
	shape Shape
	order []int32 // creations in timeline order, made on first use
}

// Summary is replay's summary of the traces.
func (d *Data) Summary() *replay.Summary { return d.sum }

// TimeSynthetic reports whether any trace's times were made up rather than
// measured.
func (d *Data) TimeSynthetic() bool {
	if d.sum == nil {
		return false
	}
	for _, in := range d.sum.Trace.Inputs {
		if in.TimeSynthetic {
			return true
		}
	}
	return false
}

// Creations is the number of eligible creations with sizes.
func (d *Data) Creations() int { return len(d.c.times) }

// Machines implements MachineLister.
func (d *Data) Machines() []Machine { return d.c.machines }

// Shape implements SavingsSource.
func (d *Data) Shape() Shape { return d.shape }

// ZeroSize counts the creations whose parent had no resident pages.
func (d *Data) ZeroSize() int {
	n := 0
	for _, r := range d.c.resident {
		if r <= 0 {
			n++
		}
	}
	return n
}

// SavingsPoints implements SavingsSource: every k-th creation in trace
// order, k the smallest stride that keeps at most max.
func (d *Data) SavingsPoints(m, max int) (plotter.XYs, int) {
	n := len(d.c.times)
	stride := 1
	if max > 0 && n > max {
		stride = (n + max - 1) / max
	}
	M := len(d.c.machines)
	pts := make(plotter.XYs, 0, n/stride+1)
	for i := 0; i < n; i += stride {
		pts = append(pts, plotter.XY{X: float64(d.c.resident[i]), Y: d.c.saved[i*M+m]})
	}
	return pts, n
}

// timeline returns the creations in order of time, traces one after the
// other, and each creation's time on the joined timeline (seconds).
func (d *Data) timeline() []int32 {
	if d.order != nil {
		return d.order
	}
	n := len(d.c.times)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	c := d.c
	slices.SortStableFunc(order, func(a, b int32) int {
		if x := cmp.Compare(c.inputs[a], c.inputs[b]); x != 0 {
			return x
		}
		return cmp.Compare(c.times[a], c.times[b])
	})
	d.order = order
	return order
}

// joinedTimes returns, per input, the offset that puts it after the
// previous ones on one timeline: each trace starts at its first eligible
// creation, and follows the one before after that one's duration.
func (d *Data) joinedTimes() (first map[int32]int64, offset map[int32]float64) {
	first = map[int32]int64{}
	for i, in := range d.c.inputs {
		if t, ok := first[in]; !ok || d.c.times[i] < t {
			first[in] = d.c.times[i]
		}
	}
	offset = map[int32]float64{}
	var off float64
	if d.sum != nil {
		for k, in := range d.sum.Trace.Inputs {
			offset[int32(k)] = off
			off += in.WallS
		}
	}
	return first, offset
}

// Cumulative implements CumulativeSource.
func (d *Data) Cumulative(m, max int) plotter.XYs {
	order := d.timeline()
	n := len(order)
	if n == 0 {
		return nil
	}
	first, offset := d.joinedTimes()
	M := len(d.c.machines)
	x := func(i int32) float64 {
		in := d.c.inputs[i]
		return offset[in] + float64(d.c.times[i]-first[in])/1e9
	}
	t0, t1 := x(order[0]), x(order[n-1])
	// Keep the last point of each of max equal time buckets: exact running
	// totals, fewer of them.
	pts := make(plotter.XYs, 0, min(n, max)+1)
	pts = append(pts, plotter.XY{X: t0, Y: 0})
	var sum float64
	lastBucket := -1
	for k, i := range order {
		sum += d.c.saved[int(i)*M+m]
		t := x(i)
		b := 0
		if t1 > t0 {
			b = int(float64(max-1) * (t - t0) / (t1 - t0))
		}
		if b == lastBucket && k != n-1 {
			pts[len(pts)-1] = plotter.XY{X: t, Y: sum / 1e9}
			continue
		}
		lastBucket = b
		pts = append(pts, plotter.XY{X: t, Y: sum / 1e9})
	}
	return pts
}

// StrategyTotal implements TotalsSource from replay's summary.
func (d *Data) StrategyTotal(m int, strategy string) (float64, map[string]float64) {
	st := d.sum.Machines[m].Strategies[strategy]
	return st.TotalS, st.Steps
}

// SavingInterval implements IntervalSource from replay's Monte Carlo
// intervals: the saving over fork-cow and over the machine's native fork.
func (d *Data) SavingInterval(m int, strategy string) (float64, float64, bool) {
	ms := d.sum.Machines[m]
	var iv *replay.Interval
	switch strategy {
	case model.ForkCOW:
		iv = ms.SavedInterval
	case ms.Native:
		iv = ms.SavedVsNatInterval
	}
	if iv == nil {
		return 0, 0, false
	}
	return iv.Low, iv.High, true
}

// IntervalDraws is the number of Monte Carlo draws behind the intervals.
func (d *Data) IntervalDraws() int {
	for _, m := range d.sum.Machines {
		if m.SavedInterval != nil {
			return m.SavedInterval.Draws
		}
	}
	return 0
}

// ParentSizes implements SizesSource.
func (d *Data) ParentSizes() []CommandSizes {
	by := make([][]float64, len(d.c.commNames))
	for i, ci := range d.c.comms {
		by[ci] = append(by[ci], float64(d.c.resident[i]))
	}
	out := make([]CommandSizes, 0, len(by))
	for i, s := range by {
		if len(s) == 0 {
			continue // a command only the timeline saw run, never a parent
		}
		slices.Sort(s)
		out = append(out, CommandSizes{Comm: d.c.commNames[i], Sizes: s})
	}
	return out
}

// SensitivityParams are the parameters the sensitivity figure varies:
// every one but the flags (tlb_tagged), which are not halved or doubled.
func SensitivityParams() []model.ParamSpec {
	var out []model.ParamSpec
	for _, s := range model.ParamSpecs() {
		if s.Unit != "flag" {
			out = append(out, s)
		}
	}
	return out
}

// variants returns a parameter's value halved and doubled, kept valid: a
// fraction at most 1, a page size a whole number of bytes no smaller than
// 512, a CPU count a whole number no smaller than 1.
func variants(spec model.ParamSpec, v float64) (low, high float64) {
	low, high = v/2, v*2
	switch {
	case spec.Unit == "fraction":
		high = math.Min(high, 1)
	case spec.Name == "page_size":
		low = math.Max(math.Floor(low), 512)
	case spec.Unit == "cpus":
		low = math.Max(math.Floor(low), 1)
	}
	return low, high
}

// Sensitivity implements SensitivitySource: each parameter halved and
// doubled, every distinct snapshot of the traces re-evaluated with the
// model, no trace read again.
func (d *Data) Sensitivity(m int) (float64, []Swing) {
	if d.c.distinct == nil {
		return 0, nil
	}
	base := *d.c.machines[m].Params
	counts := d.c.distinct
	keys := make([]snapKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	// A fixed order, so that the sums, and the figure, are reproducible.
	slices.SortFunc(keys, func(x, y snapKey) int {
		a, b := &x.snap, &y.snap
		return cmp.Or(cmp.Compare(a.ResidentBytes, b.ResidentBytes), cmp.Compare(a.WritableResidentBytes, b.WritableResidentBytes),
			cmp.Compare(a.AnonResidentBytes, b.AnonResidentBytes), cmp.Compare(a.HugeResidentBytes, b.HugeResidentBytes),
			cmp.Compare(a.MapEntries, b.MapEntries), cmp.Compare(a.ParentThreads, b.ParentThreads),
			cmp.Compare(a.VirtBytes, b.VirtBytes), cmp.Compare(a.WritableBytes, b.WritableBytes),
			cmp.Compare(a.PageTableBytes, b.PageTableBytes), cmp.Compare(a.PageSize, b.PageSize),
			cmp.Compare(x.writeBytes, y.writeBytes), boolCmp(x.hasWrites, y.hasWrites))
	})
	// Only the two strategies of the saving are costed: the same sums, in
	// the same order, as model.Evaluate's totals.
	cowI, _ := model.StrategyIndex(model.ForkCOW)
	vfI, _ := model.StrategyIndex(model.VForkShare)
	cow, vf := &model.Strategies()[cowI], &model.Strategies()[vfI]
	inputs := make([]model.Input, len(keys))
	for i := range keys {
		inputs[i] = keys[i].input()
	}
	total := func(p *model.Params) float64 {
		var s float64
		for i := range inputs {
			in := &inputs[i]
			saved := model.SequenceCost(p, in, cow, model.ForkExecWait) - model.SequenceCost(p, in, vf, model.ForkExecWait)
			s += float64(counts[keys[i]]) * saved
		}
		return s / 1e9
	}
	b := total(&base)
	var swings []Swing
	for _, spec := range SensitivityParams() {
		v, _ := base.Get(spec.Name)
		sw := Swing{Param: spec.Name, Value: v}
		sw.Low, sw.High = variants(spec, v)
		for _, side := range []struct {
			v   float64
			out *float64
		}{{sw.Low, &sw.SavedLow}, {sw.High, &sw.SavedHigh}} {
			p := base
			if side.v == v {
				*side.out = b
				continue
			}
			if err := p.Set(spec.Name, side.v); err != nil {
				*side.out = b
				continue
			}
			*side.out = total(&p)
		}
		swings = append(swings, sw)
	}
	return b, swings
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
