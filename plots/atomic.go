package plots

import "io"

// WriteAtomic writes path as every figure file is written: into a
// temporary file beside it, renamed into place once complete, so that an
// interrupted run never leaves half a file. Other outputs (the HTML
// report) use it too.
func WriteAtomic(path string, write func(io.Writer) error) error { return writeAtomic(path, write) }
