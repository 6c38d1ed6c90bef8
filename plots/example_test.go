package plots_test

import (
	"fmt"

	"github.com/forkcost/forkcost/plots"
)

// The examples draw each figure of a small fixed trace (a libc build of 12
// sources) on ppro200 and zen4 into testdata/FIGURE.svg; TestGolden
// compares them with testdata/FIGURE_golden.svg.

var st = plots.Paper(plots.SingleColumn)

func ExampleSavingsVsSize() {
	d := smallData()
	writeSVG(must(plots.SavingsVsSize(d, st)), d)
}

func ExampleCostVsSize() {
	d := smallData()
	for _, m := range d.Machines() {
		writeSVG(must(plots.CostVsSize(m, d.Shape(), st)), d)
	}
}

func ExampleCumulative() {
	d := smallData()
	writeSVG(must(plots.Cumulative(d, st)), d)
}

func ExampleBreakdown() {
	d := smallData()
	writeSVG(must(plots.Breakdown(d, st)), d)
}

func ExampleMachineSavings() {
	d := smallData()
	writeSVG(must(plots.MachineSavings(d, st)), d)
}

func ExampleSizeCDF() {
	d := smallData()
	writeSVG(must(plots.SizeCDF(d, st)), d)
}

func ExampleSensitivity() {
	d := smallData()
	for m := range d.Machines() {
		writeSVG(must(plots.Sensitivity(d, m, st)), d)
	}
}

func ExampleTimeline() {
	d := smallData()
	for m := range d.Machines() {
		writeSVG(must(plots.Timeline(d, m, st)), d)
	}
}

// Make draws every figure; a figure with nothing to draw comes back as an
// error that says why.
func ExampleMake() {
	d := smallData()
	figs, skipped := plots.Make(d, plots.Kinds, st)
	for _, f := range figs {
		fmt.Println(f.Name())
	}
	fmt.Println(len(skipped), "skipped")
	// Output:
	// savings-vs-size
	// cost-vs-size-ppro200
	// cost-vs-size-zen4
	// cumulative
	// breakdown
	// machines
	// size-cdf
	// sensitivity-ppro200
	// sensitivity-zen4
	// timeline-ppro200
	// timeline-zen4
	// 0 skipped
}
