package arrowio

import (
	"bytes"
	"testing"
	"unsafe"
)

func TestBufferPoolRecyclesZeroedAlignedBuffers(t *testing.T) {
	var p bufferPool
	for _, size := range []int{1, 63, 64, 65, 1000, 4096, 100000} {
		b := p.Allocate(size)
		if len(b) != size {
			t.Fatalf("Allocate(%d): len %d", size, len(b))
		}
		if a := uintptr(unsafe.Pointer(unsafe.SliceData(b))) % poolAlign; a != 0 {
			t.Errorf("Allocate(%d): address %% 64 = %d", size, a)
		}
		for i := range b {
			b[i] = 0xff
		}
		p.Free(b)
		c := p.Allocate(size)
		if unsafe.SliceData(c) != unsafe.SliceData(b) {
			t.Errorf("Allocate(%d) after Free did not reuse the buffer", size)
		}
		if !bytes.Equal(c, make([]byte, size)) {
			t.Errorf("Allocate(%d): a recycled buffer is not zeroed", size)
		}
		// Growing keeps the contents and zeroes the rest.
		c[0] = 7
		d := p.Reallocate(3*size, c)
		if len(d) != 3*size || d[0] != 7 || !bytes.Equal(d[1:], make([]byte, 3*size-1)) {
			t.Errorf("Reallocate(%d): len %d, first byte %d, rest not zero", 3*size, len(d), d[0])
		}
		p.Free(d)
	}
	// A buffer that is not the pool's is ignored.
	p.Free(make([]byte, 100))
	if b := p.Allocate(100); cap(b) != 128 {
		t.Errorf("Allocate(100) capacity %d, want its class 128", cap(b))
	}
}
