package proctree_test

import (
	"testing"

	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/proctree"
	"github.com/forkcost/forkcost/replay"
)

// BenchmarkReplay replays the recorded dietlibc build on ppro200, alone
// (the baseline) and with the tree built beside it: the ratio of the two
// is what 'analyze tree' adds to a replay.
func BenchmarkReplay(b *testing.B) {
	profs, err := machines.Select([]string{"ppro200"}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, withTree := range []bool{false, true} {
		name := "alone"
		if withTree {
			name = "tree"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				cfg := replay.Config{Machines: profs}
				var tb *proctree.Builder
				if withTree {
					tb = proctree.NewBuilder(0, true)
					tb.Attach(&cfg)
				}
				r, err := replay.New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				rd, err := defaulttrace.Recorded.Open()
				if err != nil {
					b.Fatal(err)
				}
				if err := r.Trace(rd); err != nil {
					b.Fatal(err)
				}
				rd.Close()
				if tb != nil {
					tb.Finish("", "ppro200")
				}
			}
		})
	}
}
