// Package decompress opens text logs that may be gzip- or
// zstd-compressed, recognising the compression by content, for the log
// converters and their format detection. The reader of a log that is not
// compressed is a Mapper: a regular file can then be read in place,
// mapped, rather than copied by read system calls.
package decompress

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
)

// Reader wraps r in a gzip or zstd reader when its first bytes say so.
// The returned closer releases the decoder (not r), and the mapping of
// an uncompressed file (see Mapper).
func Reader(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, func() { zr.Close() }, nil
	case len(head) == 4 && bytes.Equal(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd: %w", err)
		}
		return zr, zr.Close, nil
	}
	p := &plain{br: br, src: r}
	return p, p.unmap, nil
}

// Open opens the file name, or stdin for "-" (os.Stdin when stdin is nil),
// decompressed, and returns it with a function that closes it.
func Open(name string, stdin io.Reader) (io.Reader, func(), error) {
	var src io.Reader
	closeF := func() {}
	if name == "-" {
		src = stdin
		if src == nil {
			src = os.Stdin
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		src, closeF = f, func() { f.Close() }
	}
	dr, closeDec, err := Reader(src)
	if err != nil {
		closeF()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return dr, func() { closeDec(); closeF() }, nil
}

// Head returns up to n bytes of the start of r, decompressed, cut after
// the last complete line when the input is longer.
func Head(r io.Reader, n int) []byte {
	dr, closeDec, err := Reader(r)
	if err != nil {
		return nil
	}
	defer closeDec()
	head := make([]byte, n)
	k, _ := io.ReadFull(dr, head)
	head = head[:k]
	if i := bytes.LastIndexByte(head, '\n'); i >= 0 && k == n {
		head = head[:i+1]
	}
	return head
}

// HeadFile is Head of the file at path; nil if it cannot be read.
func HeadFile(path string, n int) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	return Head(f, n)
}
