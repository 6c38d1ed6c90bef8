package lineread

import (
	"slices"

	"golang.org/x/sys/cpu"
)

// newlines, in assembly, writes base plus the index of each '\n' in data to
// out, sixteen bytes at a time, until fewer than 16 bytes are left or out
// is full; it returns the entries written and the bytes scanned.
//
//go:noescape
func newlines(data []byte, base int, out []int32) (n, scanned int)

// newlinesAVX2 is newlines thirty-two bytes at a time; it stops when fewer
// than 32 bytes are left.
//
//go:noescape
func newlinesAVX2(data []byte, base int, out []int32) (n, scanned int)

// useAVX2 chooses newlinesAVX2 (tests turn it off to test newlines).
var useAVX2 = cpu.X86.HasAVX2

// findNewlines returns nl[:0] with the index of every '\n' in data. Its
// loop of compares sixteen bytes wide takes a third of the instructions of
// a call to bytes.IndexByte for every line, which spent most of them on
// setting out and ending (lines are some 100 bytes).
func findNewlines(data []byte, nl []int32) []int32 {
	nl = nl[:0]
	off := 0
	for len(data)-off >= 16 {
		if cap(nl)-len(nl) < 16 {
			nl = slices.Grow(nl, (len(data)-off)/32+16)
		}
		var n, scanned int
		if useAVX2 && len(data)-off >= 32 {
			n, scanned = newlinesAVX2(data[off:], off, nl[len(nl):cap(nl)])
		} else {
			n, scanned = newlines(data[off:], off, nl[len(nl):cap(nl)])
		}
		nl = nl[:len(nl)+n]
		off += scanned
	}
	return appendNewlines(nl, data, off)
}
