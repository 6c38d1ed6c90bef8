package arrowio

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestFixedColNulls checks the null count taken from the validity bitmap
// against a count bit by bit, for every length up to a few words.
func TestFixedColNulls(t *testing.T) {
	c := newFixedCol(arrow.PrimitiveTypes.Int64)
	c.grow(memory.DefaultAllocator, true, 0, 300)
	for i := 0; i < 300; i++ {
		if (i*7)%5 < 2 || i%31 == 0 {
			c.putI64(i, int64(i))
		}
	}
	for n := 0; n <= 300; n++ {
		want := 0
		for i := 0; i < n; i++ {
			if c.valid[i>>3]&(1<<(i&7)) == 0 {
				want++
			}
		}
		if got := c.nulls(n); got != want {
			t.Fatalf("nulls(%d) = %d, want %d", n, got, want)
		}
	}
}
