package arrowio

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// stringCol is a string column of the batch a Writer is building (comm,
// exec_path, and argv's values): offsets, bytes and validity in buffers of
// the writer's allocator, written by row index and handed to the batch's
// array without a copy, like fixedCol. arrow's builders cost a
// reservation, an offset append, a byte append and a bitmap update, each
// through a builder, on every row: for comm, a quarter of the writer's
// time on a log of memory rows. A row left out (exec_path on all but exec
// rows) is a null, whose offset is filled in when a later row is put or
// the batch is made: a memory row costs exec_path nothing.
//
// The file must get the bytes arrow's builders gave it: the IPC writer
// writes the offsets and bytes the rows use whatever the buffers' lengths,
// but a validity bitmap shorter than its padded length goes whole, so the
// bitmap is as long as the builder's was (see bitmapBytes).
type stringCol struct {
	cap   int // rows the offsets hold
	offs  []int32
	off   []byte // offs' bytes: cap+1 offsets, offs[0] = 0
	data  []byte // the bytes of the rows, then free space
	used  int    // bytes of data used
	valid []byte // nil for a list's values, which are never null
	nulls int
	next  int // rows whose offsets are set
	// hint is the data bytes of the last batch: the next one's first
	// allocation.
	hint  int
	dirty bool // lent to an array by array with keep
}

// bitmapBytes is the length of a StringBuilder's validity bitmap when it
// was reserved for rows rows (grow reserved the rows of the batch ahead,
// and the capacity of a builder is a power of two).
func bitmapBytes(rows int) int {
	return int(bitutil.CeilByte(bitutil.NextPowerOf2(rows)) / 8)
}

// grow makes the column hold rows rows, keeping the first n, with a
// validity bitmap of bitmap bytes (none if 0).
func (c *stringCol) grow(mem memory.Allocator, zeroed bool, n, rows, bitmap int) {
	off := mem.Allocate((rows + 1) * arrow.Int32SizeBytes)
	var valid []byte
	if bitmap > 0 {
		valid = mem.Allocate(bitmap)
		if !zeroed {
			clear(valid)
		}
	}
	if c.off != nil {
		copy(off, c.off[:(n+1)*arrow.Int32SizeBytes])
		mem.Free(c.off)
		if c.valid != nil {
			copy(valid, c.valid[:(n+7)/8])
			mem.Free(c.valid)
		}
	} else {
		off[0], off[1], off[2], off[3] = 0, 0, 0, 0
	}
	c.off, c.valid, c.cap = off, valid, rows
	c.offs = arrow.Int32Traits.CastFromBytes(off)
	if c.data == nil {
		c.data = mem.Allocate(max(c.hint, rows*8, 64))
	}
}

// put sets row i to s, and the rows since the last one put to null. ""
// is a null, but for a list's values.
func (c *stringCol) put(mem memory.Allocator, i int, s string) {
	if c.next < i {
		c.fill(i)
	}
	if s == "" && c.valid != nil {
		c.nulls++
	} else {
		if c.used+len(s) > len(c.data) {
			c.growData(mem, len(s))
		}
		copy(c.data[c.used:], s)
		c.used += len(s)
		if c.valid != nil {
			c.valid[i>>3] |= 1 << (i & 7)
		}
	}
	c.offs[i+1] = int32(c.used)
	c.next = i + 1
}

// fill makes the rows from next to n nulls.
func (c *stringCol) fill(n int) {
	if n > c.next {
		fillOffs(c.offs[c.next+1:n+1], int32(c.used))
	}
	c.nulls += n - c.next
	c.next = n
}

func (c *stringCol) growData(mem memory.Allocator, more int) {
	d := mem.Allocate(max(2*len(c.data), c.used+more))
	copy(d, c.data[:c.used])
	mem.Free(c.data)
	c.data = d
}

// arrayData hands the first n rows to new array data and leaves the
// column empty. The buffers go whole, so that they are freed as they were
// allocated. With keep, they are lent, and kept for the next batch (see
// fixedCol's).
func (c *stringCol) arrayData(mem memory.Allocator, n int, keep bool) arrow.ArrayData {
	c.fill(n)
	buf := lend(mem, keep)
	d := newData(arrow.BinaryTypes.String, n, c.nulls, nil,
		validity(mem, keep, c.valid, c.nulls), buf(c.off), buf(c.data))
	if keep {
		c.dirty = true
	} else {
		c.hint = c.used
		c.release(nil)
	}
	return d
}

// lend returns what makes a column's buffer an array's: lent with keep,
// handed over (freed with the array) without.
func lend(mem memory.Allocator, keep bool) func([]byte) *memory.Buffer {
	if keep {
		return memory.NewBufferBytes
	}
	return func(b []byte) *memory.Buffer { return memory.NewBufferWithAllocator(b, mem) }
}

// validity is the validity buffer of an array with nulls nulls (none if
// 0: then a bitmap not kept is freed).
func validity(mem memory.Allocator, keep bool, valid []byte, nulls int) *memory.Buffer {
	switch {
	case nulls > 0:
		return lend(mem, keep)(valid)
	case valid != nil && !keep:
		mem.Free(valid)
	}
	return nil
}

// newData makes array data of bufs and releases them (the data holds
// them).
func newData(typ arrow.DataType, n, nulls int, children []arrow.ArrayData, bufs ...*memory.Buffer) *array.Data {
	d := array.NewData(typ, n, bufs, children, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	return d
}

// array is arrayData's array.
func (c *stringCol) array(mem memory.Allocator, n int, keep bool) arrow.Array {
	d := c.arrayData(mem, n, keep)
	defer d.Release()
	return array.MakeFromData(d)
}

// clean empties the column once the batch array lent is written. The
// offsets are all rewritten by the next batch, and the writer writes no
// byte beyond them.
func (c *stringCol) clean() {
	if !c.dirty {
		return
	}
	clear(c.valid)
	c.used, c.nulls, c.next, c.dirty = 0, 0, 0, false
}

// release frees the buffers (mem nil: they were handed over).
func (c *stringCol) release(mem memory.Allocator) {
	if mem != nil && c.off != nil {
		mem.Free(c.off)
		if c.valid != nil {
			mem.Free(c.valid)
		}
		mem.Free(c.data)
	}
	c.off, c.offs, c.valid, c.data = nil, nil, nil, nil
	c.cap, c.used, c.nulls, c.next, c.dirty = 0, 0, 0, 0, false
}

// listCol is a list-of-strings column (argv), null on most rows, built
// like stringCol: list offsets and validity by row, the strings in a
// stringCol of their own.
type listCol struct {
	typ   arrow.DataType
	cap   int
	offs  []int32
	off   []byte
	valid []byte
	nulls int
	next  int
	vals  stringCol
	dirty bool
}

// listBitmapBytes is bitmapBytes for a ListBuilder, whose capacity is at
// least 32 rows.
func listBitmapBytes(rows int) int {
	return int(bitutil.CeilByte(max(bitutil.NextPowerOf2(rows), 32)) / 8)
}

func (c *listCol) grow(mem memory.Allocator, zeroed bool, n, rows int) {
	off := mem.Allocate((rows + 1) * arrow.Int32SizeBytes)
	valid := mem.Allocate(listBitmapBytes(rows))
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
	if c.vals.off == nil {
		c.vals.grow(mem, zeroed, 0, max(c.vals.cap, 256), 0)
	}
}

// put sets row i to the list vs (nil is a null: not put).
func (c *listCol) put(mem memory.Allocator, i int, vs []string) {
	if c.next < i {
		c.fill(i)
	}
	// The values, put in bulk: room is made for them all at once, and
	// they are copied without stringCol.put's tests (never null, none
	// skipped), which cost more than the copy of an argument.
	v := &c.vals
	k, n := v.next, 0
	if k+len(vs) > v.cap {
		v.grow(mem, true, k, max(2*k, k+len(vs)), 0)
	}
	for _, s := range vs {
		n += len(s)
	}
	if v.used+n > len(v.data) {
		v.growData(mem, n)
	}
	d, u := v.data, v.used
	offs := v.offs[k+1 : k+1+len(vs)]
	for j, s := range vs {
		copy(d[u:], s)
		u += len(s)
		offs[j] = int32(u)
	}
	v.used, v.next = u, k+len(vs)
	c.offs[i+1] = int32(v.next)
	c.valid[i>>3] |= 1 << (i & 7)
	c.next = i + 1
}

func (c *listCol) fill(n int) {
	if n > c.next {
		fillOffs(c.offs[c.next+1:n+1], int32(c.vals.next))
	}
	c.nulls += n - c.next
	c.next = n
}

// array is stringCol.array's.
func (c *listCol) array(mem memory.Allocator, n int, keep bool) arrow.Array {
	c.fill(n)
	vcap := c.vals.cap
	values := c.vals.arrayData(mem, c.vals.next, keep)
	defer values.Release()
	d := newData(c.typ, n, c.nulls, []arrow.ArrayData{values},
		validity(mem, keep, c.valid, c.nulls), lend(mem, keep)(c.off))
	defer d.Release()
	if keep {
		c.dirty = true
	} else {
		c.off, c.offs, c.valid = nil, nil, nil
		c.cap, c.nulls, c.next = 0, 0, 0
		c.vals.cap = vcap // the next batch's first size
	}
	return array.MakeFromData(d)
}

func (c *listCol) clean() {
	if !c.dirty {
		return
	}
	clear(c.valid)
	c.vals.clean()
	c.nulls, c.next, c.dirty = 0, 0, false
}

func (c *listCol) release(mem memory.Allocator) {
	if c.off != nil {
		mem.Free(c.off)
		mem.Free(c.valid)
	}
	c.vals.release(mem)
	c.off, c.offs, c.valid = nil, nil, nil
	c.cap, c.nulls, c.next, c.dirty = 0, 0, 0, false
}

// fillOffs sets every offset of o, the null rows' between two values, to
// end. Most rows have no path and no argv, so there are thousands of
// them in a batch: over a slice, without a bounds check for each, and a
// long run by doubling copies.
func fillOffs(o []int32, end int32) {
	if len(o) < 64 {
		for j := range o {
			o[j] = end
		}
		return
	}
	for j := range o[:64] {
		o[j] = end
	}
	for k := 64; k < len(o); k *= 2 {
		copy(o[k:], o[:k])
	}
}
