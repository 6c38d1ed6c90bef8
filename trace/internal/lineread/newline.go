package lineread

import "bytes"

// appendNewlines appends the index of every '\n' in data[off:] to nl.
func appendNewlines(nl []int32, data []byte, off int) []int32 {
	for {
		k := bytes.IndexByte(data[off:], '\n')
		if k < 0 {
			return nl
		}
		nl = append(nl, int32(off+k))
		off += k + 1
	}
}
