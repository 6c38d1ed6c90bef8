//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package decompress

import "os"

// Files are not mapped here: they are read.
func mapFile(f *os.File) ([]byte, bool) { return nil, false }

func unmapFile(m []byte) {}

func dropPages(m []byte) {}
