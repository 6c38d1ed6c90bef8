package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

// runDemo is 'analyze' without arguments: the headline answer on the
// embedded traces, the real recorded build first.
func runDemo(e *env) error {
	fmt.Fprintf(e.stdout, "forkcost: what sharing vfork saves over copy-on-write fork\n")
	var last *replay.Summary
	var figData *plots.Data
	for _, t := range defaulttrace.All {
		sum, col, err := demoReplay(t)
		if err != nil {
			return err
		}
		printHeadline(e, t, sum)
		last = sum
		if t.Name == defaulttrace.Default.Name {
			figData = col.Data(sum)
		}
	}
	m := last.Machines[0]
	if m.SavedInterval != nil {
		fmt.Fprintf(e.stdout, "\n(ranges: 5th to 95th percentile of %d draws over every parameter's plausible range; %d of %s's %d parameters are estimates)\n",
			m.SavedInterval.Draws, m.EstimatedParams, m.Machine, m.Params)
	}
	fmt.Fprintf(e.stdout, "\nNetBSD's claim: sharing vfork \"shaves several seconds off a build of libc on a 200MHz PPro\".\n")
	fmt.Fprintf(e.stdout, "Where it comes from: analyze replay %s; one creation step by step: analyze explain --machine ppro200\n", defaulttrace.Default.Name)
	fmt.Fprintf(e.stdout, "# %s; profiles", report.Provenance(last)[0])
	for _, m := range last.Machines {
		fmt.Fprintf(e.stdout, " %s sha256:%s", m.Machine, m.Profile.Hash)
	}
	fmt.Fprintln(e.stdout)
	// Last: the default trace's figures, and the directory they are in.
	return demoFigures(e, figData)
}

// demoReplay replays one embedded trace on the default machines, with
// intervals, collecting what its figures need.
func demoReplay(t defaulttrace.Trace) (*replay.Summary, *plots.Collector, error) {
	profs, err := machines.Select(nil, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	col := demoCollector(profs)
	r, err := replay.New(replay.Config{Machines: profs, TopCommands: 3, OnEvent: col.OnEvent, Uncertainty: replay.Uncertainty{Draws: 200, Seed: 1}})
	if err != nil {
		return nil, nil, err
	}
	rd, err := t.Open()
	if err != nil {
		return nil, nil, err
	}
	defer rd.Close()
	if err := r.Trace(rd); err != nil {
		return nil, nil, err
	}
	return r.Summary(), col, nil
}

func printHeadline(e *env, t defaulttrace.Trace, sum *replay.Summary) {
	tr := sum.Trace
	fmt.Fprintf(e.stdout, "\n%s: %s\n  %d process creations as recorded: %s; %d eligible for vfork (the child only exec'd or exited first)\n",
		t.Name, t.About, tr.Creations, report.KindCounts(tr.CreationsByKind), tr.Eligible)
	fmt.Fprintf(e.stdout, "  what-if: every eligible creation costed as a copy-on-write fork (as where vfork is fork, e.g. NetBSD 1.3); sharing vfork saves:\n")
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, m := range sum.Machines {
		per := 0.0
		if m.Evaluated > 0 {
			per = m.SavedS / float64(m.Evaluated)
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s%s\t(%s per creation; vs its native %s: %s)\n",
			m.Machine, m.Description, report.Seconds(m.SavedS), report.IntervalText(m.SavedInterval), report.Seconds(per), m.Native, report.Seconds(m.SavedVsNatS))
	}
	tw.Flush()
	if len(sum.Machines) == 0 || sum.Machines[0].ForksEvaluated == 0 {
		fmt.Fprintf(e.stdout, "  as recorded: no eligible creation called fork, so sharing vfork saves nothing on the calls as they were made\n")
		return
	}
	fmt.Fprintf(e.stdout, "  as recorded: on the %d eligible creations that called fork (the others called vfork or posix_spawn), sharing vfork saves:\n", sum.Machines[0].ForksEvaluated)
	tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, m := range sum.Machines {
		fmt.Fprintf(tw, "    %s\tsaves %s\n", m.Machine, report.Seconds(m.SavedOnForksS))
	}
	tw.Flush()
}
