package arrowio

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"unsafe"
)

// sparseFile writes a table to its file, skipping over whole pages of zero
// bytes (page-aligned in the file) instead of writing them: the file reads
// back byte for byte the same (a hole reads as zeros), but the zeros cost
// no copy into the page cache and no disk blocks. Most of a trace's bytes
// are such zeros: the buffers of the columns that are null on every row
// of a batch (three quarters or more of an Arrow trace converted from a
// log, whose memory rows set five columns of thirty), and writing them
// was an eighth of a conversion's CPU.
type sparseFile struct {
	f      *os.File
	off    int64 // bytes written or skipped so far
	hole   int64 // zero bytes skipped at the end, not yet in the file
	noSeek bool  // the file cannot seek: zeros are written

	// zero is a buffer known to hold only zeros (Writer.zeros, which
	// stands for the buffers of the columns null on every row of a
	// batch): see zeroWriter.
	zero []byte

	// The file's bytes before started are being written back to the disk
	// (startWriteback); noWriteback: the file cannot say.
	started     int64
	noWriteback bool
}

// writebackEvery is how many bytes are written before their writeback to
// the disk is started. The table is synced before it is renamed into
// place (a crash must not leave a renamed but empty file), and on a disk
// that final sync wrote the whole trace while nothing else ran; started
// along the way, the writes overlap the conversion.
const writebackEvery = 16 << 20

const sparsePage = 4096

var zeroPage [sparsePage]byte

// Write writes p, skipping its page-aligned pages of zeros.
func (s *sparseFile) Write(p []byte) (int, error) {
	base := s.off
	start := 0 // the first byte not yet written or skipped
	for i := 0; i < len(p); {
		k := min(len(p)-i, sparsePage-int((base+int64(i))%sparsePage))
		if k == sparsePage && bytes.Equal(p[i:i+k], zeroPage[:]) {
			if err := s.put(p[start:i]); err != nil {
				return start, err
			}
			s.hole += sparsePage
			i += k
			start = i
			continue
		}
		i += k
	}
	if err := s.put(p[start:]); err != nil {
		return start, err
	}
	s.off = base + int64(len(p))
	if end := s.off - s.hole; !s.noWriteback && end-s.started >= writebackEvery {
		// Only a hint: an error (a pipe, a file system without it)
		// stops the hints, not the writing.
		if startWriteback(s.f, s.started, end-s.started) != nil {
			s.noWriteback = true
		}
		s.started = end
	}
	return len(p), nil
}

// zeroWriter is what a table's format writes to: the pieces of
// sparseFile.zero skip the buffer, and become holes at once, where the
// buffer would copy them and sparseFile would then compare them with
// zeros page by page (both about 2.5% of a build log's conversion,
// scripts/ir-convert). The zeros of a batch's null columns are most of
// its bytes: each is a buffer of 8 KiB to 64 KiB (8192 rows), which the
// buffer, of 64 KiB, took whole.
type zeroWriter struct {
	buf    *bufio.Writer
	sparse *sparseFile
}

func (z *zeroWriter) Write(p []byte) (int, error) {
	if !within(p, z.sparse.zero) {
		return z.buf.Write(p)
	}
	if err := z.buf.Flush(); err != nil { // the bytes before p, in order
		return 0, err
	}
	// A hole reads as zeros, whether or not it covers whole pages.
	z.sparse.hole += int64(len(p))
	z.sparse.off += int64(len(p))
	return len(p), nil
}

// within reports whether p lies within buf (and is not empty).
func within(p, buf []byte) bool {
	if len(p) == 0 || len(buf) == 0 {
		return false
	}
	// Comparing the addresses of two live slices is safe; Go has no
	// other way to ask whether one slice is part of another.
	off := uintptr(unsafe.Pointer(unsafe.SliceData(p))) - uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	return off < uintptr(len(buf)) && uintptr(len(p)) <= uintptr(len(buf))-off
}

// put writes b after the zeros skipped before it.
func (s *sparseFile) put(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if err := s.skip(s.hole); err != nil {
		return err
	}
	s.hole = 0
	_, err := s.f.Write(b)
	return err
}

// skip moves the file's offset n bytes on (a hole), or writes n zeros
// where the file cannot seek.
func (s *sparseFile) skip(n int64) error {
	if n == 0 {
		return nil
	}
	if !s.noSeek {
		if _, err := s.f.Seek(n, io.SeekCurrent); err == nil {
			return nil
		}
		s.noSeek = true
	}
	for n > 0 {
		k := min(n, sparsePage)
		if _, err := s.f.Write(zeroPage[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// Flush puts the zeros skipped at the end into the file (its last byte
// written), so that the file is as long as what was written: a table
// flushed while it is written (FlushEvery) must hold its batches whole.
func (s *sparseFile) Flush() error {
	if s.hole == 0 {
		return nil
	}
	if err := s.skip(s.hole - 1); err != nil {
		return err
	}
	s.hole = 0
	_, err := s.f.Write(zeroPage[:1])
	return err
}
