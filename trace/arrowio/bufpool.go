package arrowio

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// bufferPool is the Arrow allocator of a Writer that was given none. It
// recycles the buffers of written batches: a writer allocates its whole
// output once more in batch buffers, and with Go's allocator that garbage
// made the collector cost a tenth of a strace conversion's CPU. Buffers
// come back zeroed, like Go's, so that the bytes of null slots, and so the
// files, stay the same. The pool holds what one batch or two need.
type bufferPool struct {
	mu   sync.Mutex
	free [64][][]byte // by size class: capacity 1<<class
}

const poolAlign = 64 // Arrow's buffer alignment

var _ memory.Allocator = (*bufferPool)(nil)

func sizeClass(size int) int {
	if size <= poolAlign {
		return 6
	}
	return bits.Len(uint(size - 1))
}

// Allocate returns size zeroed bytes, aligned to 64 bytes, whose capacity
// is their size class (Free finds the class from it).
func (p *bufferPool) Allocate(size int) []byte {
	c := sizeClass(size)
	p.mu.Lock()
	if n := len(p.free[c]); n > 0 {
		b := p.free[c][n-1]
		p.free[c] = p.free[c][:n-1]
		p.mu.Unlock()
		b = b[:size]
		clear(b)
		return b
	}
	p.mu.Unlock()
	capacity := 1 << c
	buf := make([]byte, capacity+poolAlign)
	shift := 0
	if r := int(uintptr(unsafe.Pointer(unsafe.SliceData(buf))) % poolAlign); r != 0 {
		shift = poolAlign - r
	}
	return buf[shift : shift+size : shift+capacity]
}

// Reallocate grows b to size bytes, keeping its contents; the new bytes
// are zero.
func (p *bufferPool) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		old := len(b)
		b = b[:size]
		if size > old {
			clear(b[old:])
		}
		return b
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// Free takes b back, if it looks like one of the pool's: capacity a power
// of two, aligned.
func (p *bufferPool) Free(b []byte) {
	c := cap(b)
	if c < poolAlign || c&(c-1) != 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%poolAlign != 0 {
		return
	}
	cl := bits.Len(uint(c)) - 1
	p.mu.Lock()
	if len(p.free[cl]) < 64 {
		p.free[cl] = append(p.free[cl], b[:0])
	}
	p.mu.Unlock()
}
