package plots

import (
	"fmt"
	"strings"

	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

// Kind is a figure kind, the one value that names it, says what it shows
// and draws it. Adding a figure is its own file (the drawing function and
// its data interface), one entry in Kinds, and an example with a golden.
type Kind struct {
	Name  string
	About string
	// PerMachine says the kind is drawn once per machine, into a file
	// each; draw is then called with each machine's index, and otherwise
	// once with -1.
	PerMachine bool
	draw       func(d *Data, m int, st Style) (*Figure, error)
}

// Kinds lists every figure kind, in the order they are drawn.
var Kinds = []Kind{
	{"savings-vs-size", "per-creation saving of vfork-share over fork-cow against parent size, a series per machine", false,
		func(d *Data, _ int, st Style) (*Figure, error) { return SavingsVsSize(d, st) }},
	{"cost-vs-size", "each strategy's cost against parent size, from the model", true,
		func(d *Data, m int, st Style) (*Figure, error) { return CostVsSize(d.Machines()[m], d.Shape(), st) }},
	{"cumulative", "time saved along the trace's timeline, a line per machine", false,
		func(d *Data, _ int, st Style) (*Figure, error) { return Cumulative(d, st) }},
	{"breakdown", "each strategy's total split by step, a panel per machine", false,
		func(d *Data, _ int, st Style) (*Figure, error) { return Breakdown(d, st) }},
	{"machines", "seconds saved over each fork strategy, machines side by side", false,
		func(d *Data, _ int, st Style) (*Figure, error) { return MachineSavings(d, st) }},
	{"size-cdf", "distribution of parent resident sizes, by command", false,
		func(d *Data, _ int, st Style) (*Figure, error) { return SizeCDF(d, st) }},
	{"sensitivity", "how the saving moves when each parameter is halved and doubled", true,
		func(d *Data, m int, st Style) (*Figure, error) { return Sensitivity(d, m, st) }},
	{"timeline", "a bar per process over the trace's time under its parent, coloured by command, creations marked by their saving", true,
		func(d *Data, m int, st Style) (*Figure, error) { return Timeline(d, m, st) }},
}

// KindNames returns the names of the kinds.
func KindNames() []string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = k.Name
	}
	return names
}

// LookupKind returns the kind called name.
func LookupKind(name string) (Kind, error) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, nil
		}
	}
	return Kind{}, fmt.Errorf("unknown figure %q (want one of %s)", name, strings.Join(KindNames(), ", "))
}

// Make draws the figures of kinds from d. A figure that has nothing to
// draw (no eligible creations, only zero-size parents) is not made: its
// error, which wraps ErrNoData, says why, and the others are still made.
func Make(d *Data, kinds []Kind, st Style) (figs []*Figure, skipped []error) {
	add := func(f *Figure, err error) {
		if err != nil {
			skipped = append(skipped, err)
			return
		}
		figs = append(figs, f)
	}
	for _, k := range kinds {
		switch {
		case k.draw == nil:
			skipped = append(skipped, fmt.Errorf("unknown figure %q", k.Name))
		case k.PerMachine:
			for m := range d.Machines() {
				add(k.draw(d, m, st))
			}
		default:
			add(k.draw(d, -1, st))
		}
	}
	return figs, skipped
}

// ProvenanceOf is the provenance of figures drawn from sum: tool, model
// and output versions, each trace's origin, each profile's file, hash and
// overrides; command, if given, is the command line that drew them.
func ProvenanceOf(sum *replay.Summary, command string) Provenance {
	lines := report.Provenance(sum)
	if command != "" {
		lines = append(lines, "command: "+command)
	}
	return Provenance(lines)
}
