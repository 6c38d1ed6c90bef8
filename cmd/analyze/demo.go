package main

import (
	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/report"
)

// runDemo is 'analyze' without arguments: the headline answer on the
// embedded traces, the real recorded build first.
func runDemo(e *env) error {
	h := &report.Headline{Default: defaulttrace.Default.Name}
	var figData *plots.Data
	for _, t := range defaulttrace.All {
		sum, col, err := demoReplay(t)
		if err != nil {
			return err
		}
		h.Traces = append(h.Traces, report.HeadlineTrace{Name: t.Name, About: t.About, Summary: sum})
		if t.Name == defaulttrace.Default.Name {
			figData = col.Data(sum)
		}
	}
	if err := report.Generate(e.stdout, report.Options{Format: report.Text}, h); err != nil {
		return err
	}
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
