//go:build !linux

package arrowio

import "os"

// pwritev writes iov at offset at of f, a piece at a time.
func pwritev(f *os.File, iov [][]byte, at int64) error {
	for _, b := range iov {
		if _, err := f.WriteAt(b, at); err != nil {
			return err
		}
		at += int64(len(b))
	}
	return nil
}
