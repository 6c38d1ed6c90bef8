package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/forkcost/forkcost/replay"
)

// Headline is what 'analyze' without arguments prints: the answer on each
// embedded trace, the real recorded build first.
type Headline struct {
	Traces []HeadlineTrace `json:"traces"`
	// Default is the trace the "where it comes from" line names.
	Default string `json:"default"`
}

// HeadlineTrace is one trace of the headline: its name, what it is, and
// its replay.
type HeadlineTrace struct {
	Name    string          `json:"name"`
	About   string          `json:"about"`
	Summary *replay.Summary `json:"summary"`
}

func init() {
	register(func(h *Headline) view {
		return view{
			tables: func(Options) []*Table { return []*Table{headlineTable(h)} },
			write: map[Format]func(io.Writer, Options) error{
				Text: func(w io.Writer, _ Options) error { return headlineText(w, h) },
			},
		}
	})
}

func headlineText(w io.Writer, h *Headline) error {
	fmt.Fprintf(w, "forkcost: what sharing vfork saves over copy-on-write fork\n")
	for _, t := range h.Traces {
		headlineTrace(w, t)
	}
	if len(h.Traces) == 0 {
		return nil
	}
	last := h.Traces[len(h.Traces)-1].Summary
	if len(last.Machines) > 0 {
		if m := last.Machines[0]; m.SavedInterval != nil {
			fmt.Fprintf(w, "\n(ranges: 5th to 95th percentile of %d draws over every parameter's plausible range; %d of %s's %d parameters are estimates)\n",
				m.SavedInterval.Draws, m.EstimatedParams, m.Machine, m.Params)
		}
	}
	fmt.Fprintf(w, "\nNetBSD's claim: sharing vfork \"shaves several seconds off a build of libc on a 200MHz PPro\".\n")
	fmt.Fprintf(w, "Where it comes from: analyze replay %s; one creation step by step: analyze explain --machine ppro200\n", h.Default)
	fmt.Fprintf(w, "# %s; profiles", Provenance(last)[0])
	for _, m := range last.Machines {
		fmt.Fprintf(w, " %s sha256:%s", m.Machine, m.Profile.Hash)
	}
	_, err := fmt.Fprintln(w)
	return err
}

func headlineTrace(w io.Writer, t HeadlineTrace) {
	sum := t.Summary
	tr := sum.Trace
	fmt.Fprintf(w, "\n%s: %s\n  %d process creations as recorded: %s; %d eligible for vfork (the child only exec'd or exited first)\n",
		t.Name, t.About, tr.Creations, KindCounts(tr.CreationsByKind), tr.Eligible)
	fmt.Fprintf(w, "  what-if: every eligible creation costed as a copy-on-write fork (as where vfork is fork, e.g. NetBSD 1.3); sharing vfork saves:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, m := range sum.Machines {
		fmt.Fprintf(tw, "    %s\t%s\t%s%s\t(%s per creation; vs its native %s: %s)\n",
			m.Machine, m.Description, Seconds(m.SavedS), IntervalText(m.SavedInterval), Seconds(perCreation(&m)), m.Native, Seconds(m.SavedVsNatS))
	}
	tw.Flush()
	if len(sum.Machines) == 0 || sum.Machines[0].ForksEvaluated == 0 {
		fmt.Fprintf(w, "  as recorded: no eligible creation called fork, so sharing vfork saves nothing on the calls as they were made\n")
		return
	}
	fmt.Fprintf(w, "  as recorded: on the %d eligible creations that called fork (the others called vfork or posix_spawn), sharing vfork saves:\n", sum.Machines[0].ForksEvaluated)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, m := range sum.Machines {
		fmt.Fprintf(tw, "    %s\tsaves %s\n", m.Machine, Seconds(m.SavedOnForksS))
	}
	tw.Flush()
}

func perCreation(m *replay.MachineSummary) float64 {
	if m.Evaluated == 0 {
		return 0
	}
	return m.SavedS / float64(m.Evaluated)
}

// headlineTable is the headline as one table: a row per trace and machine.
func headlineTable(h *Headline) *Table {
	t := &Table{Label: "tab:forkcost-headline", Wide: true,
		Caption: "What sharing vfork saves over copy-on-write fork on each embedded trace: what-if, every eligible creation costed as a copy-on-write fork (with the 90% interval over the parameters' ranges), and on the creations that really forked.",
		Columns: []Column{{Head: "trace"}, {Head: "machine"}, {Head: "eligible", Num: true}}}
	var saved, low, high, real []float64
	for _, tr := range h.Traces {
		t.Provenance = append(t.Provenance, Provenance(tr.Summary)...)
		for _, m := range tr.Summary.Machines {
			t.Rows = append(t.Rows, []string{tr.Name, m.Machine, fmt.Sprint(m.Evaluated)})
			lo, hi := m.SavedS, m.SavedS
			if iv := m.SavedInterval; iv != nil {
				lo, hi = iv.Low, iv.High
			}
			saved, low, high, real = append(saved, m.SavedS), append(low, lo), append(high, hi), append(real, m.SavedOnForksS)
		}
	}
	for _, c := range []struct {
		head string
		vals []float64
	}{{"saved, what-if", saved}, {"low", low}, {"high", high}, {"saved on real forks", real}} {
		unit, cells := scaleSeconds(c.vals)
		t.Columns = append(t.Columns, Column{Head: c.head, Unit: unit, Num: true})
		for i := range t.Rows {
			t.Rows[i] = append(t.Rows[i], cells[i])
		}
	}
	return t
}
