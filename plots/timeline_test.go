package plots_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/forkcost/forkcost/plots"
)

// The timeline's CSV accounts for every process and every costed
// creation, and its savings add up to replay's.
func TestTimelineMatchesReplay(t *testing.T) {
	d := smallData()
	for m, ms := range d.Summary().Machines {
		f, err := plots.Timeline(d, m, st)
		if err != nil {
			t.Fatal(err)
		}
		_, recs := readCSV(t, f)
		var procs, creations int64
		var saved float64
		for _, r := range recs[1:] {
			n, _ := strconv.ParseInt(r[1], 10, 64)
			c, _ := strconv.ParseInt(r[7], 10, 64)
			s, _ := strconv.ParseFloat(r[8], 64)
			procs += n
			creations += c
			saved += s
		}
		if procs != int64(d.NumProcesses()) || creations != int64(d.Creations()) {
			t.Errorf("%s: the CSV has %d processes and %d creations, want %d and %d", ms.Machine, procs, creations, d.NumProcesses(), d.Creations())
		}
		if math.Abs(saved-ms.SavedS) > 1e-9*ms.SavedS {
			t.Errorf("%s: the CSV's savings add up to %v s, replay's to %v s", ms.Machine, saved, ms.SavedS)
		}
	}
	// Across a page there is room for more rows: fewer processes share one.
	one, _ := plots.Timeline(d, 0, st)
	two, _ := plots.Timeline(d, 0, plots.Paper(plots.DoubleColumn))
	if len(two.Rows) < len(one.Rows) {
		t.Errorf("%d rows at 7 in, %d at 3.3 in", len(two.Rows), len(one.Rows))
	}
}
