// Package defaulttrace embeds the trace that 'analyze' replays when run
// without arguments: the synthetic 1990s libc build made by
//
//	go run ./cmd/analyze synth libc-build --seed 1 --compress -o internal/defaulttrace/libc-build.arrow
//
// A test regenerates it and fails if the embedded file has gone stale.
package defaulttrace

import (
	_ "embed"

	"github.com/forkcost/forkcost/trace"
)

// Name is how the embedded trace is named in outputs.
const Name = "embedded:libc-build.arrow"

//go:embed libc-build.arrow
var data []byte

// Open returns a reader over the embedded trace.
func Open() (*trace.Reader, error) { return trace.OpenIPCBytes(Name, data, nil) }
