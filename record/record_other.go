//go:build !(linux && amd64)

package record

// Run is not supported here: it returns ErrUnsupported.
func Run(opts Options) (Result, error) { return Result{ExitStatus: 1}, ErrUnsupported }
