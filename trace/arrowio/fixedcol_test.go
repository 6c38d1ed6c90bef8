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

// TestFixedColClean checks that clean leaves a kept column all zero, for
// batches whose rows set few values (cleared one by one, a word of the
// bitmap at a time) or many (cleared whole), of every width, and of
// lengths that end within a word of the bitmap.
func TestFixedColClean(t *testing.T) {
	var zeros []byte
	for _, typ := range []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int32, arrow.FixedWidthTypes.Boolean} {
		for _, n := range []int{1, 63, 64, 65, 300, 1000} {
			for _, every := range []int{1, 3, 7, 9, 61, 200} {
				c := newFixedCol(typ)
				c.grow(memory.DefaultAllocator, true, 0, 1000)
				for i := 0; i < n; i += every {
					switch typ.ID() {
					case arrow.INT64:
						c.putI64(i, -1)
					case arrow.INT32:
						c.putI32(i, -1)
					default:
						c.putBool(i, true)
					}
				}
				c.array(memory.DefaultAllocator, n, &zeros, true).Release()
				c.clean()
				for _, b := range [][]byte{c.data, c.valid} {
					for i, x := range b {
						if x != 0 {
							t.Fatalf("%v, %d rows, every %d set: byte %d is %#x after clean", typ, n, every, i, x)
						}
					}
				}
			}
		}
	}
}
