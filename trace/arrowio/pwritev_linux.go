package arrowio

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// pwritev writes iov at offset at of f, in one system call unless the
// file takes fewer bytes at once.
func pwritev(f *os.File, iov [][]byte, at int64) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		for len(iov) > 0 {
			n, err := unix.Pwritev(int(fd), iov, at)
			if err == unix.EINTR {
				continue
			}
			if err == nil && n == 0 {
				err = io.ErrShortWrite
			}
			if err != nil {
				werr = err
				return true
			}
			at += int64(n)
			for len(iov) > 0 && n >= len(iov[0]) {
				n -= len(iov[0])
				iov = iov[1:]
			}
			if len(iov) > 0 {
				iov[0] = iov[0][n:]
			}
		}
		return true
	}); err != nil {
		return err
	}
	return werr
}
