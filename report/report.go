package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
)

// Seconds formats a duration in seconds with a unit a reader takes in at a
// glance: 6.31 s, 612 ms, 48.2 us; zero is 0, which needs no unit (a "0 s"
// in a column of microseconds reads as a unit change).
func Seconds(s float64) string {
	a := math.Abs(s)
	switch {
	case a == 0:
		return "0"
	case a >= 1:
		return strconv.FormatFloat(s, 'f', 2, 64) + " s"
	case a >= 1e-3:
		return sig3(s*1e3) + " ms"
	case a >= 1e-6:
		return sig3(s*1e6) + " us"
	default:
		return sig3(s*1e9) + " ns"
	}
}

func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// IntervalText is " (low to high)" for an interval, or "" without one.
func IntervalText(iv *replay.Interval) string {
	if iv == nil {
		return ""
	}
	return " (" + Seconds(iv.Low) + " to " + Seconds(iv.High) + ")"
}

func init() {
	register(func(s *replay.Summary) view {
		return view{
			tables: func(o Options) []*Table { return []*Table{ReplayTable(s, o.Wide)} },
			write: map[Format]func(io.Writer, Options) error{
				Text:     func(w io.Writer, _ Options) error { return summaryText(w, s) },
				CSV:      func(w io.Writer, _ Options) error { return summaryCSV(w, s) },
				Markdown: func(w io.Writer, _ Options) error { return summaryMarkdown(w, s) },
			},
		}
	})
}

// Provenance is the lines every text output starts with.
func Provenance(s *replay.Summary) []string {
	lines := []string{fmt.Sprintf("%s, model %s, output format %s", s.Tool, s.ModelVersion, s.Version)}
	if f := FilterLine(s); f != "" {
		lines = append(lines, f)
	}
	for _, in := range s.Trace.Inputs {
		l := fmt.Sprintf("trace %s: %s", in.Path, in.Origin)
		if in.Source != "" {
			l += fmt.Sprintf(" (source %s, %s)", in.Source, in.SourceOS)
		}
		if in.TimeSynthetic {
			l += " [synthetic times]"
		}
		if in.Incomplete != "" {
			l += " [INCOMPLETE: " + in.Incomplete + "]"
		}
		lines = append(lines, l)
	}
	for _, f := range s.Trace.Failed {
		lines = append(lines, fmt.Sprintf("FAILED trace %s, left out: %s", f.Path, f.Error))
	}
	for _, m := range s.Machines {
		l := fmt.Sprintf("machine %s: profile %s sha256:%s", m.Machine, m.Profile.File, m.Profile.Hash)
		if len(m.Overrides) > 0 {
			l += " overrides " + overrides(m.Overrides)
		}
		lines = append(lines, l)
	}
	return lines
}

func overrides(o map[string]float64) string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + plainNum(o[k])
	}
	return strings.Join(parts, ",")
}

func strategyNames() []string {
	var n []string
	for _, s := range model.Strategies() {
		n = append(n, s.Name)
	}
	return n
}

// FilterLine says which filters were applied and how many creations they
// kept; "" when none was.
func FilterLine(s *replay.Summary) string {
	if len(s.Filters) == 0 {
		return ""
	}
	t := s.Trace
	return fmt.Sprintf("filters: %s (kept %d of %d creations, %d of %d eligible)", strings.Join(s.Filters, "; "),
		t.Creations, t.CreationsBeforeFilters, t.Eligible, t.EligibleBeforeFilters)
}

// summaryText writes the summary for a human at a terminal.
func summaryText(w io.Writer, s *replay.Summary) error {
	t := s.Trace
	fmt.Fprintf(w, "%d trace(s), %d events over %s of trace time; %d process creations, %d eligible for vfork\n",
		len(t.Inputs), t.Events, Seconds(t.WallS), t.Creations, t.Eligible)
	for _, l := range CreationLines(s) {
		fmt.Fprintln(w, l)
	}
	if f := FilterLine(s); f != "" {
		fmt.Fprintln(w, f)
	}
	if len(t.Failed) > 0 {
		fmt.Fprintf(w, "warning: %d traces could not be replayed and are left out (listed on stderr)\n", len(t.Failed))
	}
	if t.EligibleWithoutSnapshot > 0 {
		fmt.Fprintf(w, "warning: %d eligible creations have no address-space sizes and are left out of every cost\n", t.EligibleWithoutSnapshot)
	}
	for _, m := range s.Machines {
		fmt.Fprintf(w, "\n%s: %s (native fork: %s)\n", m.Machine, m.Description, m.Native)
		if m.Native == model.ForkCOW {
			fmt.Fprintf(w, "  what-if, every eligible creation a fork: sharing vfork saves %s%s over fork-cow, its native fork (%s)\n",
				Seconds(m.SavedS), IntervalText(m.SavedInterval), plural(m.Evaluated, "creation"))
		} else {
			fmt.Fprintf(w, "  what-if, every eligible creation a fork: sharing vfork saves %s%s over fork-cow, %s%s over %s, its native fork (%s)\n",
				Seconds(m.SavedS), IntervalText(m.SavedInterval), Seconds(m.SavedVsNatS), IntervalText(m.SavedVsNatInterval), m.Native, plural(m.Evaluated, "creation"))
		}
		fmt.Fprintf(w, "  %s\n", RealForksPhrase(&m))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "  strategy\ttotal\tper creation\t\n")
		for _, name := range strategyNames() {
			st := m.Strategies[name]
			per := 0.0
			if m.Evaluated > 0 {
				per = st.TotalS / float64(m.Evaluated)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t\n", name, Seconds(st.TotalS), Seconds(per))
		}
		tw.Flush()
		fmt.Fprintf(w, "  where fork-cow spends more than vfork-share:\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "  step\tfork-cow\tvfork-share\tsaved\t\n")
		cow, vf := m.Strategies[model.ForkCOW], m.Strategies[model.VForkShare]
		for _, step := range model.StepNames() {
			c, v := cow.Steps[step], vf.Steps[step]
			if c == v {
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", step, Seconds(c), Seconds(v), Seconds(c-v))
		}
		tw.Flush()
		if len(m.TopCommands) > 0 {
			fmt.Fprintf(w, "  parent commands with the largest saving:\n")
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			for _, c := range m.TopCommands {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t\n", c.Comm, plural(c.Creations, "creation"), Seconds(c.SavedS))
			}
			tw.Flush()
		}
		fmt.Fprintf(w, "  %.0f%% of the saving rests on estimated sizes; %d of %d cost parameters are estimates\n",
			100*m.EstimatedFraction, m.EstimatedParams, m.Params)
		if iv := m.SavedInterval; iv != nil {
			fmt.Fprintf(w, "  intervals: %.0f%% of %d draws over the parameter ranges, each costed on %d sampled creations\n", 100*iv.Level, iv.Draws, iv.Sample)
		}
	}
	fmt.Fprintln(w)
	for _, l := range Provenance(s) {
		fmt.Fprintf(w, "# %s\n", l)
	}
	return nil
}

// KindCounts lists creations by kind: "4 fork, 1 vfork, 1 spawn, 1 clone".
func KindCounts(k map[string]int64) string {
	var parts []string
	for _, name := range []string{"fork", "vfork", "spawn", "clone"} {
		parts = append(parts, fmt.Sprintf("%d %s", k[name], name))
	}
	return strings.Join(parts, ", ")
}

// CreationLines says how the counted creations were really made: one line
// for the total and, for several traces, one per trace. It comes before
// any saving, so that a reader knows how much of it is a what-if.
func CreationLines(s *replay.Summary) []string {
	t := s.Trace
	what := "creations as recorded"
	if len(s.Filters) > 0 {
		what += " (after filters)"
	}
	lines := []string{fmt.Sprintf("%s: %s", what, KindCounts(t.CreationsByKind))}
	if len(t.Inputs) > 1 {
		for _, in := range t.Inputs {
			lines = append(lines, fmt.Sprintf("  %s: %s", in.Path, KindCounts(in.CreationsByKind)))
		}
	}
	return lines
}

// RealForksPhrase is the saving on the creations that really forked, the
// part of the headline that is not a what-if.
func RealForksPhrase(m *replay.MachineSummary) string {
	if m.ForksEvaluated == 0 {
		return "as recorded: no eligible creation called fork, so sharing vfork saves nothing on the calls as they were made"
	}
	return fmt.Sprintf("as recorded: on the %s that called fork, sharing vfork saves %s over fork-cow",
		plural(m.ForksEvaluated, "eligible creation"), Seconds(m.SavedOnForksS))
}

// summaryCSV writes one row per machine, strategy and step (step "total" for the
// strategy's total), after '#' provenance lines.
func summaryCSV(w io.Writer, s *replay.Summary) error {
	for _, l := range Provenance(s) {
		fmt.Fprintf(w, "# %s\n", l)
	}
	for _, l := range CreationLines(s) {
		fmt.Fprintf(w, "# %s\n", strings.TrimSpace(l))
	}
	fmt.Fprintf(w, "# saved_s is a what-if (every eligible creation as a copy-on-write fork); saved_on_forks_s is the saving on the creations that really forked\n")
	cw := csv.NewWriter(w)
	cw.Write([]string{"machine", "native", "strategy", "step", "seconds", "saved_s", "saved_low_s", "saved_high_s", "saved_vs_native_s", "eligible", "saved_on_forks_s", "forks"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for _, m := range s.Machines {
		lo, hi := "", ""
		if iv := m.SavedInterval; iv != nil {
			lo, hi = f(iv.Low), f(iv.High)
		}
		for _, name := range strategyNames() {
			st := m.Strategies[name]
			i, _ := model.StrategyIndex(name)
			cw.Write([]string{m.Machine, m.Native, name, "total", f(st.TotalS), f(m.SavedS), lo, hi, f(m.SavedVsNatS), strconv.FormatInt(m.Evaluated, 10), f(m.SavedOnForksS), strconv.FormatInt(m.ForksEvaluated, 10)})
			for _, step := range model.Strategies()[i].Steps {
				cw.Write([]string{m.Machine, m.Native, name, step.Name, f(st.Steps[step.Name]), f(m.SavedS), lo, hi, f(m.SavedVsNatS), strconv.FormatInt(m.Evaluated, 10), f(m.SavedOnForksS), strconv.FormatInt(m.ForksEvaluated, 10)})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// summaryMarkdown writes tables for a README or a report.
func summaryMarkdown(w io.Writer, s *replay.Summary) error {
	if f := FilterLine(s); f != "" {
		fmt.Fprintf(w, "*%s*\n\n", strings.ToUpper(f[:1])+f[1:])
	}
	for i, l := range CreationLines(s) {
		if i == 0 {
			fmt.Fprintf(w, "%s\n\n", mdEscape(strings.ToUpper(l[:1])+l[1:]))
		} else {
			fmt.Fprintf(w, "- %s\n", mdEscape(strings.TrimSpace(l)))
		}
	}
	if len(s.Trace.Inputs) > 1 {
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "| machine | native fork | eligible creations | fork-cow | vfork-share | what-if: saved vs fork-cow | what-if: saved vs native | saved on real forks |\n")
	fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|--:|--:|\n")
	for _, m := range s.Machines {
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s%s | %s%s | %s (%s) |\n", m.Machine, m.Native, m.Evaluated,
			Seconds(m.Strategies[model.ForkCOW].TotalS), Seconds(m.Strategies[model.VForkShare].TotalS),
			Seconds(m.SavedS), IntervalText(m.SavedInterval), Seconds(m.SavedVsNatS), IntervalText(m.SavedVsNatInterval),
			Seconds(m.SavedOnForksS), plural(m.ForksEvaluated, "fork"))
	}
	fmt.Fprintf(w, "\n*What-if: had every eligible creation been a copy-on-write fork. Saved on real forks: the eligible creations that were forks as recorded.*\n")
	fmt.Fprintf(w, "\n| step |")
	for _, m := range s.Machines {
		fmt.Fprintf(w, " %s saved |", m.Machine)
	}
	fmt.Fprintf(w, "\n|---|")
	for range s.Machines {
		fmt.Fprintf(w, "--:|")
	}
	fmt.Fprintln(w)
	for _, step := range model.StepNames() {
		row := "| " + step + " |"
		any := false
		for _, m := range s.Machines {
			d := m.Strategies[model.ForkCOW].Steps[step] - m.Strategies[model.VForkShare].Steps[step]
			any = any || d != 0
			row += " " + Seconds(d) + " |"
		}
		if any {
			fmt.Fprintln(w, row)
		}
	}
	fmt.Fprintln(w)
	for _, l := range Provenance(s) {
		fmt.Fprintf(w, "<!-- %s -->\n", l)
	}
	return nil
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatInt(n, 10) + " " + word + "s"
}
