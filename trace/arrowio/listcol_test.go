package arrowio

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestListColPut puts lists of every size, from none to more values than
// the column holds at first and longer than its bytes, between rows left
// null, and checks that the array made reads them back, for a column
// kept from batch to batch (keep) and for one handed over.
func TestListColPut(t *testing.T) {
	for _, keep := range []bool{false, true} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		c := listCol{typ: arrow.ListOf(arrow.BinaryTypes.String)}
		r := rand.New(rand.NewPCG(1, 2))
		for batch := 0; batch < 3; batch++ {
			const rows = 200
			c.grow(mem, false, 0, rows)
			want := make([][]string, rows)
			for i := range want {
				if r.IntN(3) == 0 {
					continue // null
				}
				vs := make([]string, r.IntN(1+[]int{3, 40, 600}[r.IntN(3)]))
				for j := range vs {
					vs[j] = strings.Repeat(string(rune('a'+r.IntN(26))), r.IntN([]int{8, 300}[r.IntN(2)]))
				}
				want[i] = vs
				c.put(mem, i, vs)
			}
			arr := c.array(mem, rows, keep).(*array.List)
			vals := arr.ListValues().(*array.String)
			for i, vs := range want {
				if arr.IsNull(i) != (vs == nil) {
					t.Fatalf("keep %v, batch %d, row %d: null %v, want %v", keep, batch, i, arr.IsNull(i), vs == nil)
				}
				start, end := arr.ValueOffsets(i)
				var got []string
				for j := start; j < end; j++ {
					got = append(got, vals.Value(int(j)))
				}
				if vs != nil && !slices.Equal(got, vs) {
					t.Fatalf("keep %v, batch %d, row %d: %d values, want %d, or different ones", keep, batch, i, len(got), len(vs))
				}
			}
			arr.Release()
			if keep {
				c.clean()
			}
		}
		c.release(mem)
		mem.AssertSize(t, 0)
	}
}

// TestFillOffs: fillOffs sets what a loop over every offset sets, and
// nothing around it, short runs and long (doubling copies) alike.
func TestFillOffs(t *testing.T) {
	for _, n := range []int{0, 1, 2, 63, 64, 65, 127, 128, 129, 1000, 8191} {
		got := make([]int32, n+2)
		want := make([]int32, n+2)
		for j := range got {
			got[j], want[j] = -1, -1
		}
		fillOffs(got[1:n+1], 7)
		for j := 1; j <= n; j++ {
			want[j] = 7
		}
		if !slices.Equal(got, want) {
			t.Errorf("fillOffs of %d offsets: %v, want %v", n, got, want)
		}
	}
}
