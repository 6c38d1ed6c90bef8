package arrowio

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// stringCol is a string column set on most rows (comm) of the batch a
// Writer is building: offsets, bytes and validity in buffers of the
// writer's allocator, written by row index and handed to the batch's
// array without a copy, like fixedCol. arrow's StringBuilder cost a
// reservation, an offset append, a byte append and a bitmap update, each
// through a builder, on every row: a quarter of the writer's time on a
// log of memory rows.
//
// The file must get the bytes a StringBuilder gave it: the IPC writer
// writes the offsets and bytes the rows use whatever the buffers' lengths,
// but a validity bitmap shorter than its padded length goes whole, so the
// bitmap is as long as the builder's (its capacity rounded up to a power
// of two, in bytes).
type stringCol struct {
	cap   int // rows the offsets hold
	offs  []int32
	off   []byte // offs' bytes: cap+1 offsets, offs[0] = 0
	data  []byte // the bytes of the rows, then free space
	used  int    // bytes of data used
	valid []byte
	nulls int
	// hint is the data bytes of the last batch: the next one's first
	// allocation.
	hint  int
	dirty bool // lent to an array by array with keep
}

// bitmapBytes is the length of a StringBuilder's validity bitmap when it
// was reserved for rows rows.
func bitmapBytes(rows int) int {
	return int(bitutil.CeilByte(bitutil.NextPowerOf2(rows)) / 8)
}

// grow makes the column hold rows rows, keeping the first n.
func (c *stringCol) grow(mem memory.Allocator, zeroed bool, n, rows int) {
	off := mem.Allocate((rows + 1) * arrow.Int32SizeBytes)
	valid := mem.Allocate(bitmapBytes(rows))
	if !zeroed {
		clear(valid)
	}
	if c.off != nil {
		copy(off, c.off[:(n+1)*arrow.Int32SizeBytes])
		copy(valid, c.valid[:(n+7)/8])
		mem.Free(c.off)
		mem.Free(c.valid)
	} else {
		off[0], off[1], off[2], off[3] = 0, 0, 0, 0
	}
	c.off, c.valid, c.cap = off, valid, rows
	c.offs = arrow.Int32Traits.CastFromBytes(off)
	if c.data == nil {
		c.data = mem.Allocate(max(c.hint, rows*8, 64))
	}
}

// put sets row i, the next one, to s; "" is a null.
func (c *stringCol) put(mem memory.Allocator, i int, s string) {
	if s == "" {
		c.nulls++
	} else {
		if c.used+len(s) > len(c.data) {
			c.growData(mem, len(s))
		}
		copy(c.data[c.used:], s)
		c.used += len(s)
		c.valid[i>>3] |= 1 << (i & 7)
	}
	c.offs[i+1] = int32(c.used)
}

func (c *stringCol) growData(mem memory.Allocator, more int) {
	d := mem.Allocate(max(2*len(c.data), c.used+more))
	copy(d, c.data[:c.used])
	mem.Free(c.data)
	c.data = d
}

// array hands the first n rows to a new array and leaves the column empty.
// The buffers go whole, so that they are freed as they were allocated.
// With keep, they are lent, and kept for the next batch (see fixedCol's).
func (c *stringCol) array(mem memory.Allocator, n int, keep bool) arrow.Array {
	if keep {
		var valid *memory.Buffer
		if c.nulls > 0 {
			valid = memory.NewBufferBytes(c.valid)
		}
		d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{valid, memory.NewBufferBytes(c.off), memory.NewBufferBytes(c.data)}, nil, c.nulls, 0)
		a := array.MakeFromData(d)
		d.Release()
		c.dirty = true
		return a
	}
	var valid *memory.Buffer
	if c.nulls > 0 {
		valid = memory.NewBufferWithAllocator(c.valid, mem)
	} else {
		mem.Free(c.valid)
	}
	off := memory.NewBufferWithAllocator(c.off, mem)
	data := memory.NewBufferWithAllocator(c.data, mem)
	d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{valid, off, data}, nil, c.nulls, 0)
	for _, b := range []*memory.Buffer{valid, off, data} {
		if b != nil {
			b.Release()
		}
	}
	a := array.MakeFromData(d)
	d.Release()
	c.hint = c.used
	c.release(nil)
	return a
}

// clean empties the column once the batch array lent is written. The
// offsets are all rewritten by the next batch, and the writer writes no
// byte beyond them.
func (c *stringCol) clean() {
	if !c.dirty {
		return
	}
	clear(c.valid)
	c.used, c.nulls, c.dirty = 0, 0, false
}

// release frees the buffers (mem nil: they were handed over).
func (c *stringCol) release(mem memory.Allocator) {
	if mem != nil && c.off != nil {
		mem.Free(c.off)
		mem.Free(c.valid)
		mem.Free(c.data)
	}
	c.off, c.offs, c.valid, c.data = nil, nil, nil, nil
	c.cap, c.used, c.nulls, c.dirty = 0, 0, 0, false
}
