package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/forkcost/forkcost/internal/tempfile"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// signalsOwned is set by a command that handles SIGINT, SIGTERM and SIGHUP
// itself (record forwards them to the command it records and still
// writes the trace it promised, marked incomplete).
var signalsOwned atomic.Bool

// removeTempsOnSignal makes SIGINT, SIGTERM and SIGHUP remove the
// temporary files the run is writing its outputs through (see
// internal/tempfile) before the process dies of the signal, so that an
// interrupted convert, replay -o, synth or plot leaves nothing behind. It
// also sends the messages about stale temporary files of earlier runs to
// stderr. Called from main only: tests run the CLI in-process.
func removeTempsOnSignal() {
	tempfile.SetWarn(func(msg string) { fmt.Fprintf(os.Stderr, "analyze: %s\n", msg) })
	tempfile.SetKeep(arrowio.SalvageWorth)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for sig := range sigs {
			if signalsOwned.Load() {
				continue
			}
			for _, name := range tempfile.RemoveAll() {
				fmt.Fprintf(os.Stderr, "analyze: interrupted: removed %s\n", name)
			}
			// Die of the signal itself, so that a shell or make sees
			// what happened (130 for SIGINT, 143 for SIGTERM).
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				p.Signal(sig)
			}
			time.Sleep(time.Second)
			code := 130
			if s, ok := sig.(syscall.Signal); ok {
				code = 128 + int(s)
			}
			os.Exit(code)
		}
	}()
}
