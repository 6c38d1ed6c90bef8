package strace

import (
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// TestShortKinds checks that each shortKind is its kind's index in
// trace.Kinds, as EmitShort takes it.
func TestShortKinds(t *testing.T) {
	for k, want := range map[shortKind]trace.Kind{shortSignal: trace.Signal, shortMmap: trace.Mmap,
		shortMunmap: trace.Munmap, shortMremap: trace.Mremap, shortMprotect: trace.Mprotect, shortBrk: trace.Brk} {
		if got := trace.Kinds[k]; got != want {
			t.Errorf("shortKind %d is %q, want %q", k, got, want)
		}
	}
}
