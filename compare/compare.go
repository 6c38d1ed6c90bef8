// Package compare sets two sides of traces against each other in the
// manner of benchstat: each side is one trace or several runs of the same
// build; for every quantity (creations, eligible creations, the parents'
// mean resident size, and per machine the saving of sharing vfork) it
// gives each side's per-trace median and spread, the relative difference,
// and, when both sides have several traces, a Mann-Whitney U test of
// whether the difference is larger than the run-to-run spread.
//
// The pipeline: replay (package replay) produces one Summary per trace;
// Build turns the two lists of summaries into rows of numbers and tests
// (package stats); package report renders the rows. Nothing here reads
// files or formats text.
package compare

import (
	"math"

	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/stats"
)

// DefaultAlpha is the significance level unless told otherwise.
const DefaultAlpha = 0.05

// Side is one side of the comparison: the arguments that named it and the
// summary of each of its traces that replayed.
type Side struct {
	Label  string            `json:"label"` // "A" or "B"
	Args   []string          `json:"args"`
	Paths  []string          `json:"traces"`
	Failed int               `json:"failed"`
	Traces []*replay.Summary `json:"-"`
}

// Quantity says what a row measures and so how it is shown.
type Quantity string

const (
	Count   Quantity = "count"
	MiB     Quantity = "MiB"
	Seconds Quantity = "s"
)

// Row is one quantity on both sides.
type Row struct {
	Metric   string       `json:"metric"`
	Machine  string       `json:"machine,omitempty"`
	Quantity Quantity     `json:"unit"`
	A        stats.Sample `json:"a"`
	B        stats.Sample `json:"b"`
	AValues  []float64    `json:"a_values"`
	BValues  []float64    `json:"b_values"`
	// Delta is (median B - median A) / median A; nil when A's median is 0.
	Delta *float64 `json:"delta"`
	// Test is nil unless both sides have at least two traces.
	Test *stats.UTest `json:"test,omitempty"`
	// Significant: the test's p is below Alpha (false without a test).
	Significant bool `json:"significant"`
}

// MachineRef identifies a machine profile used on both sides.
type MachineRef struct {
	Name    string            `json:"machine"`
	Profile replay.ProfileRef `json:"profile"`
	Native  string            `json:"native"`
}

// Result is the comparison.
type Result struct {
	Tool         string       `json:"tool"`
	ModelVersion string       `json:"model_version"`
	A            Side         `json:"a"`
	B            Side         `json:"b"`
	Filters      []string     `json:"filters"`
	Machines     []MachineRef `json:"machines"`
	Alpha        float64      `json:"alpha"`
	// Test names the test and the rule, for the reader of the output.
	Test string `json:"test"`
	Rows []Row  `json:"rows"`
}

// TestRule is the statement of the test compare applies.
const TestRule = "two-sided Mann-Whitney U test on the per-trace values (exact without ties, normal approximation otherwise); a difference is significant when p < alpha"

// Build compares a and b. Every summary must come from the same machines
// in the same order. Filters are those applied to both sides.
func Build(a, b Side, alpha float64, filters []string) *Result {
	res := &Result{A: a, B: b, Alpha: alpha, Test: TestRule, Filters: filters}
	if res.Filters == nil {
		res.Filters = []string{}
	}
	var any *replay.Summary
	if len(a.Traces) > 0 {
		any = a.Traces[0]
	} else if len(b.Traces) > 0 {
		any = b.Traces[0]
	}
	if any == nil {
		return res
	}
	res.Tool, res.ModelVersion = any.Tool, any.ModelVersion
	for _, m := range any.Machines {
		res.Machines = append(res.Machines, MachineRef{Name: m.Machine, Profile: m.Profile, Native: m.Native})
	}
	add := func(metric, machine string, q Quantity, get func(*replay.Summary) float64) {
		r := Row{Metric: metric, Machine: machine, Quantity: q, AValues: values(a.Traces, get), BValues: values(b.Traces, get)}
		r.A, r.B = stats.Summarize(r.AValues), stats.Summarize(r.BValues)
		if r.A.Median != 0 {
			d := (r.B.Median - r.A.Median) / math.Abs(r.A.Median)
			r.Delta = &d
		}
		if r.A.N >= 2 && r.B.N >= 2 {
			t := stats.MannWhitneyU(r.AValues, r.BValues)
			r.Test = &t
			r.Significant = t.P < alpha
		}
		res.Rows = append(res.Rows, r)
	}
	add("creations", "", Count, func(s *replay.Summary) float64 { return float64(s.Trace.Creations) })
	add("eligible creations", "", Count, func(s *replay.Summary) float64 { return float64(s.Trace.Eligible) })
	add("mean parent resident", "", MiB, func(s *replay.Summary) float64 {
		n := s.Trace.Eligible - s.Trace.EligibleWithoutSnapshot
		if n <= 0 {
			return 0
		}
		return float64(s.Trace.EligibleResidentBytes) / float64(n) / (1 << 20)
	})
	for i, m := range res.Machines {
		add("fork-cow total", m.Name, Seconds, func(s *replay.Summary) float64 { return s.Machines[i].Strategies[model.ForkCOW].TotalS })
		add("saved vs fork-cow", m.Name, Seconds, func(s *replay.Summary) float64 { return s.Machines[i].SavedS })
		add("saved vs native ("+m.Native+")", m.Name, Seconds, func(s *replay.Summary) float64 { return s.Machines[i].SavedVsNatS })
	}
	return res
}

func values(ss []*replay.Summary, get func(*replay.Summary) float64) []float64 {
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = get(s)
	}
	return v
}
