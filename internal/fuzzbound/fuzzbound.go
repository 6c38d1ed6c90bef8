// Package fuzzbound gives fuzz targets a per-input time bound. Go's fuzzing
// engine notices a crash but not a hang: an input on which a parser loops
// forever just stops the executions (0 execs/s) until -fuzztime runs out,
// and the run still passes. Run makes such an input fail.
//
// When the bound is exceeded inside a fuzzing worker (go test -fuzz), Run
// panics with the stuck goroutine's stack: the engine reports the input as
// failing, minimizes it (each attempt again bounded) and saves it under
// testdata/fuzz. Outside fuzzing (the seeds and the corpus run by plain go
// test) the test fails with t.Fatal, so that the other tests still run.
// The stuck goroutine cannot be stopped; it ends with the process.
//
// Setup shortens the engine's minimization of new inputs. After each input
// that widens coverage, the engine tries to shrink it for up to
// -fuzzminimizetime (60 s by default) before it fuzzes on, and its
// minimizer makes O(n^2) attempts in the input's length. A trace file's
// schema alone is kilobytes, so every new input of the Arrow reader took
// the whole minute, and a 15 s run executed a few dozen inputs and then
// nothing: the stall looked like a hang but was the minimizer. Setup
// lowers the default to MinimizeTime (100 attempts) unless
// -fuzzminimizetime was given.
package fuzzbound

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Default is the time bound for one input. Inputs of fuzz targets are
// small (kilobytes), parsed in well under a millisecond; the bound is that
// large so that a loaded machine never makes a slow input look like a hang.
// FORKCOST_FUZZ_BOUND (a Go duration) overrides it.
const Default = 5 * time.Second

// MinimizeTime is the default -fuzzminimizetime that Setup sets: a number
// of attempts rather than a time, so that it costs each target in
// proportion to its own speed (a few ms for the address-space model, about
// a second for the Arrow reader on a loaded machine).
const MinimizeTime = "100x"

// Setup prepares a fuzz target: call it before f.Fuzz.
func Setup(f *testing.F) {
	fl := flag.Lookup("test.fuzzminimizetime")
	if fl == nil {
		return
	}
	set := false
	flag.Visit(func(v *flag.Flag) { set = set || v == fl })
	if !set {
		fl.Value.Set(MinimizeTime)
	}
}

// Bound returns the per-input bound: Default, or FORKCOST_FUZZ_BOUND.
func Bound() time.Duration {
	if s := os.Getenv("FORKCOST_FUZZ_BOUND"); s != "" {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	return Default
}

// Run runs body(t) and fails if it has not returned within Bound().
func Run(t *testing.T, body func(t *testing.T)) {
	t.Helper()
	bound := Bound()
	done := make(chan struct{})
	var failed any
	go func() {
		defer close(done)
		defer func() {
			// A panic in body is the input's crash: pass it on from the
			// test's goroutine, where the engine reports it.
			failed = recover()
		}()
		body(t)
	}()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case <-done:
		if failed != nil {
			panic(failed)
		}
		return
	case <-timer.C:
	}
	msg := fmt.Sprintf("fuzzbound: the input did not finish within %s: a hang or a crawl (bound: FORKCOST_FUZZ_BOUND)", bound)
	if inWorker() {
		// The panic ends the worker, and with it the stuck goroutine; the
		// message carries where it was stuck (the worker's stderr is
		// not shown).
		panic(msg + "\n\nthe input's goroutine:\n" + bodyStacks())
	}
	t.Fatal(msg + "\n\nthe input's goroutine:\n" + bodyStacks())
}

// bodyStacks returns the stacks of the goroutines Run started that are
// still running.
func bodyStacks() string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "created by github.com/forkcost/forkcost/internal/fuzzbound.Run") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// inWorker reports whether this process is a fuzzing worker, which the
// engine restarts after a crash.
func inWorker() bool {
	f := flag.Lookup("test.fuzzworker")
	if f == nil {
		return false
	}
	v, _ := strconv.ParseBool(f.Value.String())
	return v
}
