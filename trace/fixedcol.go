package trace

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fixedCol is a fixed-width column (integers, booleans, dictionary
// indices) of the batch a Writer is building: values and a validity bitmap
// in two buffers of the writer's allocator, written by row index. Most
// trace rows are memory rows with a dozen null columns, and going through
// array builders (a call, a capacity test and bitmap arithmetic per value,
// nulls included) cost more than the data; here a null costs a counter.
// The buffers are handed to the batch's arrays without a copy.
type fixedCol struct {
	typ   arrow.DataType // for dictionary columns, the index type
	width int            // bytes per value; 0 for booleans (one bit)
	cap   int            // rows the buffers hold
	data  []byte
	valid []byte
	nulls int

	i64 []int64 // views of data, by type
	i32 []int32
	u64 []uint64
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

func (c *fixedCol) putBool(i int, v bool) {
	if v {
		c.data[i>>3] |= 1 << (i & 7)
	}
	c.setValid(i)
}

func (c *fixedCol) putI32Opt(i int, v int32, ok bool) {
	if ok {
		c.putI32(i, v)
	} else {
		c.nulls++
	}
}

func (c *fixedCol) putI64Opt(i int, v int64, ok bool) {
	if ok {
		c.putI64(i, v)
	} else {
		c.nulls++
	}
}

// array hands the first n rows to a new array and leaves the column empty.
// The buffers go whole (writers write only what the length needs), so that
// they are freed as they were allocated.
func (c *fixedCol) array(mem memory.Allocator, n int) arrow.Array {
	var valid *memory.Buffer
	if c.nulls > 0 {
		valid = memory.NewBufferWithAllocator(c.valid, mem)
	} else {
		mem.Free(c.valid)
	}
	data := memory.NewBufferWithAllocator(c.data, mem)
	d := array.NewData(c.typ, n, []*memory.Buffer{valid, data}, nil, c.nulls, 0)
	if valid != nil {
		valid.Release()
	}
	data.Release()
	a := array.MakeFromData(d)
	d.Release()
	c.data, c.valid, c.i64, c.i32, c.u64 = nil, nil, nil, nil, nil
	c.cap, c.nulls = 0, 0
	return a
}

// release frees the buffers of an unfinished batch.
func (c *fixedCol) release(mem memory.Allocator) {
	if c.data != nil {
		mem.Free(c.data)
		mem.Free(c.valid)
	}
	c.data, c.valid, c.i64, c.i32, c.u64 = nil, nil, nil, nil, nil
	c.cap, c.nulls = 0, 0
}
