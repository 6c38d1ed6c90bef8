//go:build linux || darwin || freebsd || netbsd || openbsd

package decompress

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the regular file f whole, read-only; ok false for any
// other file, an empty one or an error.
func mapFile(f *os.File) ([]byte, bool) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 || int64(int(fi.Size())) != fi.Size() {
		return nil, false
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, false
	}
	// Read once, front to back: the kernel may read ahead further and
	// drop pages sooner (only a hint).
	_ = unix.Madvise(m, unix.MADV_SEQUENTIAL)
	return m, true
}

func unmapFile(m []byte) { _ = unix.Munmap(m) }

// dropPages takes the pages of m (page-aligned) out of the resident set:
// the mapping is shared, so a later read maps them again from the page
// cache (only a hint, as an error leaves them resident).
func dropPages(m []byte) {
	if len(m) > 0 {
		_ = unix.Madvise(m, unix.MADV_DONTNEED)
	}
}
