package arrowio

import (
	"bufio"
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// TestSparseFile writes pieces of zeros and of data, of every size and
// alignment, and checks that the file reads back as what was written,
// also after each Flush (a file flushed while written must be whole).
func TestSparseFile(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 40; trial++ {
		path := filepath.Join(t.TempDir(), "f")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		s := &sparseFile{f: f, noSeek: trial%10 == 9}
		var want []byte
		for piece := 0; piece < 30; piece++ {
			n := rng.Intn(3 * sparsePage)
			if rng.Intn(4) == 0 {
				n = rng.Intn(40 * sparsePage)
			}
			b := make([]byte, n)
			if rng.Intn(3) == 0 {
				for i := range b {
					b[i] = byte(rng.Intn(256))
				}
				if rng.Intn(2) == 0 && n > 0 {
					b[rng.Intn(n)] = 0
				}
			} else if rng.Intn(3) == 0 && n > 0 {
				b[rng.Intn(n)] = 7 // one byte in a run of zeros
			}
			if k, err := s.Write(b); err != nil || k != n {
				t.Fatalf("Write = %d, %v", k, err)
			}
			want = append(want, b...)
			if rng.Intn(5) == 0 {
				if err := s.Flush(); err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("trial %d: after Flush the file has %d bytes, want %d (equal: %v)", trial, len(got), len(want), bytes.Equal(got, want))
				}
			}
		}
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("trial %d: the file has %d bytes, want %d", trial, len(got), len(want))
		}
	}
}

// TestZeroWriter writes pieces of data and of the known zero buffer
// (which zeroWriter makes holes of at once) through a zeroWriter, and
// checks that the file reads back as what was written, also after each
// flush.
func TestZeroWriter(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	zero := make([]byte, 20*sparsePage)
	for trial := 0; trial < 40; trial++ {
		path := filepath.Join(t.TempDir(), "f")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		s := &sparseFile{f: f, noSeek: trial%10 == 9, zero: zero}
		buf := bufio.NewWriterSize(s, 2*sparsePage)
		z := &zeroWriter{buf: buf, sparse: s}
		flush := func() {
			if err := buf.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		var want []byte
		for piece := 0; piece < 40; piece++ {
			var b []byte
			switch rng.Intn(3) {
			case 0: // a piece of the zero buffer
				i := rng.Intn(len(zero))
				b = zero[i : i+rng.Intn(len(zero)-i+1)]
			case 1: // zeros elsewhere
				b = make([]byte, rng.Intn(3*sparsePage))
			default:
				b = make([]byte, rng.Intn(3*sparsePage))
				for i := range b {
					b[i] = byte(1 + rng.Intn(255))
				}
			}
			if k, err := z.Write(b); err != nil || k != len(b) {
				t.Fatalf("Write = %d, %v", k, err)
			}
			want = append(want, b...)
			if rng.Intn(6) == 0 {
				flush()
				if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("trial %d: after a flush the file has %d bytes, want %d (%v)", trial, len(got), len(want), err)
				}
			}
		}
		flush()
		f.Close()
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("trial %d: the file has %d bytes, want %d (%v)", trial, len(got), len(want), err)
		}
	}
}
