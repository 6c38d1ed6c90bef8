package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

// runDemo is 'analyze' without arguments: the headline answer on the
// embedded default trace.
func runDemo(e *env) error {
	profs, err := machines.Select(nil, nil, nil)
	if err != nil {
		return err
	}
	r, err := replay.New(replay.Config{Machines: profs, TopCommands: 3, Uncertainty: replay.Uncertainty{Draws: 200, Seed: 1}})
	if err != nil {
		return err
	}
	rd, err := defaulttrace.Open()
	if err != nil {
		return err
	}
	defer rd.Close()
	if err := r.Trace(rd); err != nil {
		return err
	}
	sum := r.Summary()
	in := sum.Trace.Inputs[0]
	fmt.Fprintf(e.stdout, "forkcost: what sharing vfork saves over copy-on-write fork\n\n")
	fmt.Fprintf(e.stdout, "trace: %s (%s)\n       %d process creations, %d of them eligible for vfork (the child only exec'd or exited first)\n\n",
		in.Path, in.Origin, sum.Trace.Creations, sum.Trace.Eligible)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, m := range sum.Machines {
		per := 0.0
		if m.Evaluated > 0 {
			per = m.SavedS / float64(m.Evaluated)
		}
		fmt.Fprintf(tw, "  %s\t%s\tsaves %s%s\t(%s per creation; vs its native %s: %s)\n",
			m.Machine, m.Description, report.Seconds(m.SavedS), report.IntervalText(m.SavedInterval), report.Seconds(per), m.Native, report.Seconds(m.SavedVsNatS))
	}
	tw.Flush()
	if len(sum.Machines) > 0 && sum.Machines[0].SavedInterval != nil {
		m := sum.Machines[0]
		fmt.Fprintf(e.stdout, "\n(ranges: 5th to 95th percentile of %d draws over every parameter's plausible range; %d of %s's %d parameters are estimates)\n",
			m.SavedInterval.Draws, m.EstimatedParams, m.Machine, m.Params)
	}
	fmt.Fprintf(e.stdout, "\nNetBSD's claim: sharing vfork \"shaves several seconds off a build of libc on a 200MHz PPro\".\n")
	fmt.Fprintf(e.stdout, "Where it comes from: analyze replay --format text TRACE; one creation step by step: analyze explain --machine ppro200\n")
	fmt.Fprintf(e.stdout, "# %s; profiles", report.Provenance(sum)[0])
	for _, m := range sum.Machines {
		fmt.Fprintf(e.stdout, " %s sha256:%s", m.Machine, m.Profile.Hash)
	}
	fmt.Fprintln(e.stdout)
	return nil
}
