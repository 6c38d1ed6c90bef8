// Package defaulttrace embeds the traces that 'analyze' replays when run
// without arguments:
//
//   - Recorded, the default: a real build of a C library (dietlibc, about
//     1,050 compilations) recorded on a current Linux machine with
//     'analyze record --via ebpf', so that each creation carries its
//     measured kernel cost; a copy of testdata/recorded/
//     dietlibc-build-ebpf.arrow, whose README says how it was made.
//
//   - Synthetic: the 1990s BSD libc build of NetBSD's claim, made by
//
//     go run ./cmd/analyze synth libc-build --seed 1 --compress -o internal/defaulttrace/libc-build.arrow
//
//     A test regenerates it and fails if the embedded file has gone stale.
//
// Both can be named on the command line as their Name (for example
// 'analyze replay embedded:dietlibc-build.arrow').
package defaulttrace

import (
	_ "embed"

	"github.com/forkcost/forkcost/trace/arrowio"
)

// Trace is an embedded trace.
type Trace struct {
	// Name is how the trace is named in outputs and on the command line.
	Name string
	// About says in a few words what it is.
	About string
	data  []byte
}

// Open returns a reader over the trace.
func (t Trace) Open() (*arrowio.Reader, error) { return arrowio.OpenIPCBytes(t.Name, t.data, nil) }

var (
	//go:embed dietlibc-build.arrow
	recorded []byte
	//go:embed libc-build.arrow
	synthetic []byte
)

// The embedded traces.
var (
	Recorded  = Trace{Name: "embedded:dietlibc-build.arrow", About: "a real dietlibc build recorded with analyze record (eBPF) on Linux x86-64", data: recorded}
	Synthetic = Trace{Name: "embedded:libc-build.arrow", About: "a synthetic 1990s BSD libc build (synth libc-build --seed 1)", data: synthetic}
	// Default is the trace 'analyze' replays first.
	Default = Recorded
	All     = []Trace{Recorded, Synthetic}
)

// Lookup returns the embedded trace called name.
func Lookup(name string) (Trace, bool) {
	for _, t := range All {
		if t.Name == name {
			return t, true
		}
	}
	return Trace{}, false
}
