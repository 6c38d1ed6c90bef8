package replay

import (
	"math/rand/v2"
	"testing"

	"github.com/forkcost/forkcost/model"
)

// TestReservoirMerge: merging samples of 1,000 and 3,000 creations into
// 100 places takes about a quarter from the first; into an empty
// reservoir, a sample is taken whole and in order.
func TestReservoirMerge(t *testing.T) {
	mk := func(seed uint64, n int, tag int64) *reservoir {
		r := &reservoir{rng: rand.New(rand.NewPCG(seed, 1)), cap: 100}
		for i := 0; i < n; i++ {
			r.add(model.Input{Snapshot: model.Snapshot{MapEntries: tag}})
		}
		return r
	}
	fromFirst := 0
	const rounds = 200
	for k := 0; k < rounds; k++ {
		a, b := mk(uint64(k), 1000, 1), mk(uint64(k+1000), 3000, 2)
		a.merge(b)
		if len(a.in) != 100 || a.seen != 4000 {
			t.Fatalf("merged: %d kept of %d seen", len(a.in), a.seen)
		}
		for _, in := range a.in {
			if in.Snapshot.MapEntries == 1 {
				fromFirst++
			}
		}
	}
	if share := float64(fromFirst) / (100 * rounds); share < 0.23 || share > 0.27 {
		t.Errorf("share from the first sample %.3f, want about 0.25", share)
	}
	empty := &reservoir{rng: rand.New(rand.NewPCG(1, 1)), cap: 100}
	b := mk(5, 50, 3)
	empty.merge(b)
	if empty.seen != 50 || len(empty.in) != 50 {
		t.Errorf("into an empty reservoir: %d kept of %d", len(empty.in), empty.seen)
	}
	small := mk(6, 30, 1)
	small.merge(mk(7, 40, 2))
	if small.seen != 70 || len(small.in) != 70 {
		t.Errorf("two small samples: %d kept of %d, want all 70", len(small.in), small.seen)
	}
}
