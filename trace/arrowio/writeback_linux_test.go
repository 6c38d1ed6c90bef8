package arrowio

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestWritebackStarted checks that a long table starts its writeback as
// it is written, and that the bytes are the bytes.
func TestWritebackStarted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	s := &sparseFile{f: f}
	chunk := bytes.Repeat([]byte("forkcost"), 1<<17) // 1 MiB, no zero page
	for i := 0; i < 40; i++ {
		if _, err := s.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if s.noWriteback || s.started < 32<<20 {
		t.Errorf("after 40 MiB: writeback started up to %d bytes (failed: %v), want at least %d", s.started, s.noWriteback, 32<<20)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 40<<20 || !bytes.Equal(got[:len(chunk)], chunk) || !bytes.Equal(got[len(got)-len(chunk):], chunk) {
		t.Errorf("file of %d bytes, not the 40 MiB written", len(got))
	}
}

// TestWritebackPipe checks that a file that cannot take the hint (a pipe)
// is still written, and the hints stop.
func TestWritebackPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan int)
	go func() {
		n := 0
		buf := make([]byte, 1<<20)
		for {
			k, err := r.Read(buf)
			n += k
			if err != nil {
				done <- n
				return
			}
		}
	}()
	s := &sparseFile{f: w, noSeek: true}
	chunk := bytes.Repeat([]byte("forkcost"), 1<<17)
	for i := 0; i < 20; i++ {
		if _, err := s.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	if n := <-done; n != 20<<20 || !s.noWriteback {
		t.Errorf("read %d bytes of %d through the pipe; hints stopped: %v", n, 20<<20, s.noWriteback)
	}
}
