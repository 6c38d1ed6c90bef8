//go:build !amd64

package lineread

import "bytes"

// findNewlines returns nl[:0] with the index of every '\n' in data, and
// whether data may hold mark or '\r' (see scan).
func findNewlines(data []byte, nl []int32, mark byte) ([]int32, bool) {
	return appendNewlines(nl[:0], data, 0), bytes.IndexByte(data, mark) >= 0 || bytes.IndexByte(data, '\r') >= 0
}
