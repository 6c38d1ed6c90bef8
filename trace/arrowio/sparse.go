package arrowio

import (
	"errors"
	"io"
	"os"
	"syscall"
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
//
// It is also the table writer's buffer. The Arrow writer hands it a
// batch as a run of pieces: small ones (message headers, lengths,
// padding, validity bitmaps) are staged in memory of its own; a large
// one (a column's values) is written where it lies, with the staged
// bytes before it, by one vectored write at its offset in the file
// (pwritev), before Write returns. A bufio.Writer in front copied most
// of every column once more: a batch's column buffers are as large as
// its buffer, and the bytes buffered before each made it copy them
// rather than write them through (2% of a conversion's CPU).
type sparseFile struct {
	f     *os.File
	off   int64  // bytes written, skipped or staged so far
	stage []byte // small pieces not yet written: the bytes before off
	end   int64  // the end of the bytes written to the file
	// written counts the bytes written, zeros in holes not included.
	written int64
	runs    []run // what Write writes before it returns
	iov     [][]byte
	// noSeek: the file cannot be written at an offset (a pipe): it is
	// written in order, the zeros too.
	noSeek bool
	// zero is a buffer known to hold only zeros (Writer.zeros, which
	// stands for the buffers of the columns null on every row of a
	// batch): the pages of a piece within it are skipped without
	// looking at them.
	zero []byte

	// The file's bytes before started are being written back to the disk
	// (startWriteback); noWriteback: the file cannot say.
	started     int64
	noWriteback bool
}

// A run is bytes to write at an offset of the file.
type run struct {
	b  []byte
	at int64
}

// writebackEvery is how many bytes are written before their writeback to
// the disk is started. The table is synced before it is renamed into
// place (a crash must not leave a renamed but empty file), and on a disk
// that final sync wrote the whole trace while nothing else ran; started
// along the way, the writes overlap the conversion.
const writebackEvery = 16 << 20

const (
	sparsePage = 4096
	// stageSize is the most bytes staged; a piece of a page or more is
	// written where it lies.
	stageSize = 64 << 10
)

var zeroPage [sparsePage]byte

// Write writes p, skipping its page-aligned pages of zeros. The staged
// bytes start on a page (the file's first, or one that Write cut at), so
// that a page is looked at whole whether its bytes came in one piece or
// in many: Write writes up to the last page boundary, and stages what
// follows it.
func (s *sparseFile) Write(p []byte) (int, error) {
	n := len(p)
	if n < sparsePage && len(s.stage)+n <= stageSize {
		s.stage = append(s.stage, p...)
		s.off += int64(n)
		return n, nil
	}
	start := s.off - int64(len(s.stage))
	cut := (s.off + int64(n)) &^ (sparsePage - 1)
	var err error
	if cut <= s.off {
		// A small piece that overflows the stage: the stage's whole
		// pages are written.
		k := int(cut - start)
		s.add(s.stage[:k], start)
		err = s.write()
		s.stage = append(s.stage[:copy(s.stage, s.stage[k:])], p...)
	} else {
		// The stage's last page is completed from p; then p up to
		// cut is written where it lies.
		h := int(-s.off & (sparsePage - 1))
		s.stage = append(s.stage, p[:h]...)
		m := int(cut - s.off)
		s.add(s.stage, start)
		if !within(p, s.zero) {
			s.add(p[h:m], s.off+int64(h))
		}
		err = s.write()
		s.stage = append(s.stage[:0], p[m:]...)
	}
	s.off += int64(n)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// add adds b, at offset at of the file, to the runs to write, but for its
// page-aligned pages of zeros.
func (s *sparseFile) add(b []byte, at int64) {
	start := 0 // the first byte of b not yet added or skipped
	for i := 0; i < len(b); {
		k := min(len(b)-i, sparsePage-int((at+int64(i))%sparsePage))
		if k == sparsePage && string(b[i:i+k]) == string(zeroPage[:]) {
			if i > start {
				s.runs = append(s.runs, run{b[start:i], at + int64(start)})
			}
			i += k
			start = i
			continue
		}
		i += k
	}
	if len(b) > start {
		s.runs = append(s.runs, run{b[start:], at + int64(start)})
	}
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

// write writes the runs, those that follow each other by one system call.
func (s *sparseFile) write() error {
	runs := s.runs
	s.runs = s.runs[:0]
	for len(runs) > 0 {
		at, end := runs[0].at, runs[0].at
		s.iov = s.iov[:0]
		for len(runs) > 0 && runs[0].at == end {
			s.iov = append(s.iov, runs[0].b)
			end += int64(len(runs[0].b))
			runs = runs[1:]
		}
		if err := s.writeAt(s.iov, at); err != nil {
			return err
		}
		s.written += end - at
		s.end = end
	}
	clear(s.iov)
	if !s.noWriteback && s.end-s.started >= writebackEvery {
		// Only a hint: an error (a pipe, a file system without it)
		// stops the hints, not the writing.
		if startWriteback(s.f, s.started, s.end-s.started) != nil {
			s.noWriteback = true
		}
		s.started = s.end
	}
	return nil
}

// writeAt writes iov at offset at of the file, or, when the file cannot
// be written at an offset, the zeros from the end of what was written to
// at and then iov.
func (s *sparseFile) writeAt(iov [][]byte, at int64) error {
	if !s.noSeek {
		err := pwritev(s.f, iov, at)
		if !errors.Is(err, syscall.ESPIPE) {
			return err
		}
		s.noSeek = true
	}
	for gap := at - s.end; gap > 0; {
		k, err := s.f.Write(zeroPage[:min(gap, sparsePage)])
		if err != nil {
			return err
		}
		gap -= int64(k)
	}
	for _, b := range iov {
		if _, err := s.f.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes what is staged, and the zeros skipped at the end as the
// file's last byte, so that the file is as long as what was written: a
// table flushed while it is written (FlushEvery) must hold its batches
// whole.
func (s *sparseFile) Flush() error {
	s.add(s.stage, s.off-int64(len(s.stage)))
	err := s.write()
	s.stage = s.stage[:0]
	if err != nil || s.end >= s.off {
		return err
	}
	s.add(zeroPage[:1], s.off-1) // add skips whole pages only
	return s.write()
}

var _ io.Writer = (*sparseFile)(nil)
