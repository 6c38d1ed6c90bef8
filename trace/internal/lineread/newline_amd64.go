package lineread

import (
	"bytes"
	"slices"

	"golang.org/x/sys/cpu"
)

// newlinesAVX2, in assembly, writes base plus the index of each '\n' in
// data to out, thirty-two bytes at a time, until fewer than 32 bytes are
// left or out is full; it returns the entries written, the bytes scanned
// and whether one of them is mark or '\r'.
//
//go:noescape
func newlinesAVX2(data []byte, base int, out []int32, mark byte) (n, scanned int, special bool)

// useAVX2 chooses newlinesAVX2 (tests turn it off to test the rest).
var useAVX2 = cpu.X86.HasAVX2

// findNewlines returns nl[:0] with the index of every '\n' in data, and
// whether data may hold mark or '\r' (see scan). On a machine with AVX2,
// its loop of compares thirty-two bytes wide takes a fraction of the
// instructions of a call to bytes.IndexByte for every line, which spent
// most of them on setting out and ending (lines are some 100 bytes), and
// looks for mark and '\r' in the same pass (a second pass over the
// block, with bytes.IndexByte, was 1.5% of a conversion's CPU time); the
// last bytes, and every byte without AVX2, are searched by
// bytes.IndexByte.
func findNewlines(data []byte, nl []int32, mark byte) ([]int32, bool) {
	nl = nl[:0]
	off := 0
	special := false
	for useAVX2 && len(data)-off >= 32 {
		if cap(nl)-len(nl) < 32 {
			nl = slices.Grow(nl, (len(data)-off)/32+32)
		}
		n, scanned, sp := newlinesAVX2(data[off:], off, nl[len(nl):cap(nl)], mark)
		nl = nl[:len(nl)+n]
		off += scanned
		special = special || sp
	}
	if !special {
		special = bytes.IndexByte(data[off:], mark) >= 0 || bytes.IndexByte(data[off:], '\r') >= 0
	}
	return appendNewlines(nl, data, off), special
}
