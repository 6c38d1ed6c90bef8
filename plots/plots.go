package plots

import (
	"fmt"
	"strings"

	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

// Kind is a figure kind: its name, what it shows, and whether it is drawn
// once per machine.
type Kind struct {
	Name       string
	About      string
	PerMachine bool
}

// Kinds lists every figure kind, in the order they are drawn.
var Kinds = []Kind{
	{"savings-vs-size", "per-creation saving of vfork-share over fork-cow against parent size, a series per machine", false},
	{"cost-vs-size", "each strategy's cost against parent size, from the model", true},
	{"cumulative", "time saved along the trace's timeline, a line per machine", false},
	{"breakdown", "each strategy's total split by step, a panel per machine", false},
	{"machines", "seconds saved over each fork strategy, machines side by side", false},
	{"size-cdf", "distribution of parent resident sizes, by command", false},
	{"sensitivity", "how the saving moves when each parameter is halved and doubled", true},
	{"timeline", "a bar per process over the trace's time under its parent, coloured by command, creations marked by their saving", true},
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
		switch k.Name {
		case "savings-vs-size":
			add(SavingsVsSize(d, st))
		case "cost-vs-size":
			for _, m := range d.Machines() {
				add(CostVsSize(m, d.Shape(), st))
			}
		case "cumulative":
			add(Cumulative(d, st))
		case "breakdown":
			add(Breakdown(d, st))
		case "machines":
			add(MachineSavings(d, st))
		case "size-cdf":
			add(SizeCDF(d, st))
		case "sensitivity":
			for m := range d.Machines() {
				add(Sensitivity(d, m, st))
			}
		case "timeline":
			for m := range d.Machines() {
				add(Timeline(d, m, st))
			}
		default:
			skipped = append(skipped, fmt.Errorf("unknown figure %q", k.Name))
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
