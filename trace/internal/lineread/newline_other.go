//go:build !amd64

package lineread

// findNewlines returns nl[:0] with the index of every '\n' in data.
func findNewlines(data []byte, nl []int32) []int32 {
	return appendNewlines(nl[:0], data, 0)
}
