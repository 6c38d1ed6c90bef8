package arrowio

import (
	"encoding/binary"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fixedCol is a fixed-width column (integers, booleans, dictionary
// indices) of the batch a Writer is building: values and a validity bitmap
// in two buffers of the writer's allocator, written by row index. Most
// trace rows are memory rows with a dozen null columns, and going through
// array builders (a call, a capacity test and bitmap arithmetic per value,
// nulls included) cost more than the data; here a null costs nothing.
// The buffers are handed to the batch's arrays without a copy. A null is
// nothing at all: a zero bit, counted when the batch is made.
type fixedCol struct {
	typ   arrow.DataType // for dictionary columns, the index type
	width int            // bytes per value; 0 for booleans (one bit)
	cap   int            // rows the buffers hold
	data  []byte
	valid []byte

	i64 []int64 // views of data, by type
	i32 []int32
	u64 []uint64

	// always: every row sets the column (time_ns, pid, kind), so that
	// the rows of one batch overwrite the last one's, and the column has
	// no nulls: its rows are set with set*, which leave the validity
	// bitmap alone (an array without nulls has none).
	always bool
	// dirty and set are the rows of the batch handed over by array with
	// keep, and how many of them were set: clean zeroes them.
	dirty, set int
}

func newFixedCol(typ arrow.DataType) *fixedCol {
	c := &fixedCol{typ: typ}
	switch typ.ID() {
	case arrow.INT64, arrow.UINT64:
		c.width = 8
	case arrow.INT32:
		c.width = 4
	case arrow.BOOL:
		c.width = 0
	default:
		panic("trace: fixedCol of " + typ.String())
	}
	return c
}

func (c *fixedCol) dataBytes(rows int) int {
	if c.width == 0 {
		return (rows + 7) / 8
	}
	return rows * c.width
}

// grow makes the buffers hold rows rows, keeping the first n. New bytes
// are zero: a null or a false costs nothing.
func (c *fixedCol) grow(mem memory.Allocator, zeroed bool, n, rows int) {
	if n == 0 && c.cap == rows {
		return // kept by array: still all zero
	}
	data := mem.Allocate(c.dataBytes(rows))
	valid := mem.Allocate((rows + 7) / 8)
	if !zeroed {
		clear(data)
		clear(valid)
	}
	if c.data != nil {
		copy(data, c.data[:c.dataBytes(n)])
		copy(valid, c.valid[:(n+7)/8])
		mem.Free(c.data)
		mem.Free(c.valid)
	}
	c.data, c.valid, c.cap = data, valid, rows
	switch c.typ.ID() {
	case arrow.INT64:
		c.i64 = arrow.Int64Traits.CastFromBytes(data)
	case arrow.UINT64:
		c.u64 = arrow.Uint64Traits.CastFromBytes(data)
	case arrow.INT32:
		c.i32 = arrow.Int32Traits.CastFromBytes(data)
	}
}

func (c *fixedCol) setValid(i int) { c.valid[i>>3] |= 1 << (i & 7) }

func (c *fixedCol) putI64(i int, v int64) { c.i64[i] = v; c.setValid(i) }

func (c *fixedCol) putI32(i int, v int32) { c.i32[i] = v; c.setValid(i) }

func (c *fixedCol) putU64(i int, v uint64) { c.u64[i] = v; c.setValid(i) }

// setI64 and setI32 set row i of an always column.
func (c *fixedCol) setI64(i int, v int64) { c.i64[i] = v }

func (c *fixedCol) setI32(i int, v int32) { c.i32[i] = v }

func (c *fixedCol) putBool(i int, v bool) {
	if v {
		c.data[i>>3] |= 1 << (i & 7)
	}
	c.setValid(i)
}

func (c *fixedCol) putI32Opt(i int, v int32, ok bool) {
	if ok {
		c.putI32(i, v)
	}
}

func (c *fixedCol) putI64Opt(i int, v int64, ok bool) {
	if ok {
		c.putI64(i, v)
	}
}

// nulls counts the zero bits among the first n of the validity bitmap.
func (c *fixedCol) nulls(n int) int {
	if c.always {
		return 0
	}
	set := 0
	full := n / 8
	for i := 0; i+8 <= full; i += 8 {
		set += bits.OnesCount64(binary.LittleEndian.Uint64(c.valid[i:]))
	}
	for i := full &^ 7; i < full; i++ {
		set += bits.OnesCount8(c.valid[i])
	}
	if r := n % 8; r != 0 {
		set += bits.OnesCount8(c.valid[full] & (1<<r - 1))
	}
	return n - set
}

// array hands the first n rows to a new array and leaves the column empty.
// The buffers go whole (writers write only what the length needs), so that
// they are freed as they were allocated.
//
// A column that no row of the batch set (null on every row, as most
// columns are on memory rows) hands over zeros instead, of the lengths its
// own buffers have, so the file gets the same bytes, and keeps its
// buffers, still all zero, for the next batch: clearing every column's
// buffers for every batch cost more than filling the columns.
//
// With keep, the column lends its buffers to the array instead, and keeps
// them for the next batch once clean has zeroed what the batch set: the
// writer is done with them when the batch is written (Arrow IPC), and
// zeroing the few values set (most columns are null on most rows) costs
// much less than clearing whole new buffers.
func (c *fixedCol) array(mem memory.Allocator, n int, zeros *[]byte, keep bool) arrow.Array {
	nulls := c.nulls(n)
	if nulls == n {
		dn, vn := c.dataBytes(c.cap), (c.cap+7)/8
		if len(*zeros) < max(dn, vn) {
			*zeros = make([]byte, max(dn, vn)) // never written
		}
		z := *zeros
		d := newData(c.typ, n, n, nil, memory.NewBufferBytes(z[:vn]), memory.NewBufferBytes(z[:dn]))
		defer d.Release()
		return array.MakeFromData(d)
	}
	if keep {
		// The other columns are zero beyond the batch's rows (see
		// clean); the writer may write past them (a whole buffer
		// shorter than its padded length), where the rows of the last
		// batch must not show.
		if c.always && n < c.cap {
			clear(c.data[n*c.width:])
		}
		c.dirty, c.set = n, n-nulls
	}
	d := newData(c.typ, n, nulls, nil, validity(mem, keep, c.valid, nulls), lend(mem, keep)(c.data))
	defer d.Release()
	if !keep {
		c.data, c.valid, c.i64, c.i32, c.u64 = nil, nil, nil, nil, nil
		c.cap = 0
	}
	return array.MakeFromData(d)
}

// zero zeroes the value of row i (of a column of 4 or 8 bytes).
func (c *fixedCol) zero(i int) {
	if c.width == 8 {
		binary.LittleEndian.PutUint64(c.data[8*i:], 0)
	} else {
		binary.LittleEndian.PutUint32(c.data[4*i:], 0)
	}
}

// clean zeroes what the batch lent by array set, once it is written.
func (c *fixedCol) clean() {
	n := c.dirty
	if n == 0 {
		return
	}
	vb := (n + 7) / 8
	switch {
	case c.always:
		c.dirty, c.set = 0, 0
		return // the bitmap is not used
	case c.width == 0:
		clear(c.data[:vb])
	case c.set*32 > n:
		// Many values: clearing them all costs less than finding them
		// (a few instructions a value set, one for some 16 bytes).
		clear(c.data[:n*c.width])
	default:
		// A word of the bitmap at a time: most are zero. A value is
		// zeroed with one store, where clear called memclr for each
		// (scripts/ir-convert).
		valid := c.valid[:vb]
		j := 0
		for ; j+8 <= len(valid); j += 8 {
			for v := binary.LittleEndian.Uint64(valid[j:]); v != 0; v &= v - 1 {
				c.zero(j*8 + bits.TrailingZeros64(v))
			}
		}
		for ; j < len(valid); j++ {
			for v := valid[j]; v != 0; v &= v - 1 {
				c.zero(j*8 + bits.TrailingZeros8(v))
			}
		}
	}
	clear(c.valid[:vb])
	c.dirty, c.set = 0, 0
}

// release frees the buffers of an unfinished batch.
func (c *fixedCol) release(mem memory.Allocator) {
	if c.data != nil {
		mem.Free(c.data)
		mem.Free(c.valid)
	}
	c.data, c.valid, c.i64, c.i32, c.u64 = nil, nil, nil, nil, nil
	c.cap = 0
}
