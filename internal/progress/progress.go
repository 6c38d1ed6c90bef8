// Package progress shows the progress of long work on a terminal, and
// nothing at all when its writer is not one (a log, a pipe, CI).
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Bar prints one self-overwriting status line, at most ten times a second.
type Bar struct {
	mu      sync.Mutex
	w       io.Writer
	enabled bool
	last    time.Time
	shown   bool
	now     func() time.Time // time.Now; a test's own clock
}

// New returns a Bar writing to w when enabled (w is a terminal).
func New(w io.Writer, enabled bool) *Bar { return &Bar{w: w, enabled: enabled, now: time.Now} }

// Printf replaces the status line, unless the last update was under 100 ms ago.
func (b *Bar) Printf(format string, args ...any) {
	if b == nil || !b.enabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if now := b.now(); now.Sub(b.last) >= 100*time.Millisecond {
		b.last = now
		fmt.Fprintf(b.w, "\r\033[K"+format, args...)
		b.shown = true
	}
}

// Done clears the status line.
func (b *Bar) Done() {
	if b == nil || !b.enabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shown {
		fmt.Fprint(b.w, "\r\033[K")
		b.shown = false
	}
}
