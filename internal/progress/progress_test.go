package progress

import (
	"bytes"
	"testing"
	"time"
)

func TestQuietWhenNotATerminal(t *testing.T) {
	var b bytes.Buffer
	bar := New(&b, false)
	for i := 0; i < 100; i++ {
		bar.Printf("replaying: %d events", i)
	}
	bar.Done()
	if b.Len() != 0 {
		t.Errorf("wrote %q to a non-terminal", b.String())
	}
}

// The throttle, on a clock the test moves: a burst prints once, an update
// 99 ms after the last printed one is dropped, one 100 ms after it shows.
func TestThrottledOnATerminal(t *testing.T) {
	var b bytes.Buffer
	bar := New(&b, true)
	clock := time.Unix(1000, 0)
	bar.now = func() time.Time { return clock }
	for i := 0; i < 1000; i++ {
		bar.Printf("n=%d", i)
	}
	if got := bytes.Count(b.Bytes(), []byte("\r")); got != 1 {
		t.Errorf("%d updates in a burst, want 1 (at most ten a second)", got)
	}
	clock = clock.Add(99 * time.Millisecond)
	bar.Printf("n=early")
	clock = clock.Add(time.Millisecond)
	bar.Printf("n=last")
	bar.Done()
	if bytes.Contains(b.Bytes(), []byte("n=early")) {
		t.Errorf("output %q: an update 99 ms after the last was shown", b.String())
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\033[K")) || !bytes.Contains(b.Bytes(), []byte("n=last")) {
		t.Errorf("output %q: want the last update and a cleared line", b.String())
	}
}
