package plots_test

import (
	"bytes"
	"testing"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/replay"
)

// TestMergeIsSequential: three traces, each collected on its own and
// merged in order, draw the same figures (timeline included) as one
// collector fed all three in turn.
func TestMergeIsSequential(t *testing.T) {
	profs, err := machines.Select([]string{"ppro200", "zen4"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ms := plots.MachinesOf(profs)
	const n = 3
	// feed replays the small build with r.
	feed := func(r *replay.Replayer) {
		rd, err := smallBuild()
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		if err := r.Trace(rd); err != nil {
			t.Fatal(err)
		}
	}
	newReplayer := func(col *plots.Collector) *replay.Replayer {
		r, err := replay.New(replay.Config{Machines: profs, OnEvent: col.OnEvent, OnTraceEvent: col.Observe})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// In turn: one collector, one replayer.
	seq := plots.NewCollector(ms, true)
	r := newReplayer(seq)
	for i := 0; i < n; i++ {
		feed(r)
	}
	sum := r.Summary()
	// Apart, then merged.
	all := plots.NewCollector(ms, true)
	for i := 0; i < n; i++ {
		col := plots.NewCollector(ms, true)
		feed(newReplayer(col))
		all.Merge(col, i)
	}
	st := plots.Paper(plots.SingleColumn)
	a, _ := plots.Make(seq.Data(sum), plots.Kinds, st)
	b, _ := plots.Make(all.Data(sum), plots.Kinds, st)
	if len(a) != len(b) || len(a) < len(plots.Kinds) {
		t.Fatalf("%d figures in turn, %d merged", len(a), len(b))
	}
	for i := range a {
		var x, y bytes.Buffer
		if err := a[i].WriteCSV(&x, nil); err != nil {
			t.Fatal(err)
		}
		b[i].WriteCSV(&y, nil)
		if !bytes.Equal(x.Bytes(), y.Bytes()) {
			t.Errorf("%s: the merged data differ from the data collected in turn", a[i].Name())
		}
	}
}
