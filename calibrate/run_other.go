//go:build !(linux && cgo)

package calibrate

// Supported reports whether Run can measure on this build.
const Supported = false

// Run measures this host: not on this build.
func Run(cfg Config) (*Measurements, error) { return nil, ErrNotSupported }
