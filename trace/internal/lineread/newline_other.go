//go:build !amd64

package lineread

import "bytes"

// findNewlines returns nl[:0] with the index of every '\n' in data, and
// whether data holds mark (false for mark 0).
func findNewlines(data []byte, nl []int32, mark byte) ([]int32, bool) {
	return appendNewlines(nl[:0], data, 0), mark != 0 && bytes.IndexByte(data, mark) >= 0
}
