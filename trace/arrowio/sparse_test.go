package arrowio

import (
	"bytes"
	"io"
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
		small := trial%4 == 2 // many small pieces: they overflow the stage
		pieces := 30
		if small {
			pieces = 300
		}
		for piece := 0; piece < pieces; piece++ {
			n := rng.Intn(3 * sparsePage)
			if small {
				n = rng.Intn(sparsePage)
			} else if rng.Intn(4) == 0 {
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
			if rng.Intn(5) == 0 && (!small || rng.Intn(20) == 0) {
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
		if trial%3 == 0 {
			// The file ends in a hole: pages of zeros up to a page
			// boundary, so that nothing is staged after them.
			tail := make([]byte, 3*sparsePage-len(want)%sparsePage)
			s.Write(tail)
			want = append(want, tail...)
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

// TestSparsePipe writes pieces with pages of zeros to a pipe, which
// cannot be written at an offset: the writer finds out (ESPIPE) and
// writes everything in order, the zeros too.
func TestSparsePipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		got <- b
	}()
	s := &sparseFile{f: w}
	var want []byte
	for i, n := range []int{100, 5 * sparsePage, 7, 2 * sparsePage, 3000, 3000, 9 * sparsePage} {
		b := make([]byte, n)
		if i%2 == 1 {
			b[n/2] = byte(i) // pages of zeros around one byte
		}
		if _, err := s.Write(b); err != nil {
			t.Fatal(err)
		}
		want = append(want, b...)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if b := <-got; !bytes.Equal(b, want) || !s.noSeek {
		t.Errorf("read %d bytes through the pipe, want the %d written (equal: %v); noSeek %v", len(b), len(want), bytes.Equal(b, want), s.noSeek)
	}
}

// TestSparseHoles checks that a page of zeros is skipped when its bytes
// come in several pieces, small (staged) and large (written where they
// lie), and that only the other pages are written.
func TestSparseHoles(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := &sparseFile{f: f}
	data := func(n int) []byte { return bytes.Repeat([]byte{7}, n) }
	// Page 0: data then zeros; pages 1 and 2: zeros from a staged piece
	// and a large one; page 3: zeros then data; page 4: data.
	for _, p := range [][]byte{data(100), make([]byte, sparsePage-100+2000), make([]byte, 2*sparsePage-2000+10), data(2*sparsePage - 10)} {
		if _, err := s.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if s.written != 3*sparsePage {
		t.Errorf("wrote %d bytes, want the %d of the three pages that are not zeros", s.written, 3*sparsePage)
	}
}

// TestSparseKnownZeros checks that the whole pages of a piece within
// sparseFile.zero are skipped without being looked at: the buffer here
// holds sevens, which must not reach the file.
func TestSparseKnownZeros(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zero := bytes.Repeat([]byte{7}, 4*sparsePage)
	s := &sparseFile{f: f, zero: zero}
	data := bytes.Repeat([]byte{1}, 100)
	// data, then 4 pages of the zero buffer from offset 100: its bytes
	// up to the page boundary are staged (written), its 3 whole pages
	// skipped, its last 100 bytes staged; then data again.
	for _, p := range [][]byte{data, zero, data} {
		if _, err := s.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(append(append([]byte(nil), data...), zero[:sparsePage-100]...), make([]byte, 3*sparsePage)...), zero[:100]...)
	want = append(want, data...)
	if !bytes.Equal(got, want) || s.written != sparsePage+200 {
		t.Errorf("file of %d bytes (as expected: %v), %d bytes written; want %d bytes, the first page and the last 200 written", len(got), bytes.Equal(got, want), s.written, len(want))
	}
}

// TestSparseZeroBuffer writes pieces of data, of zeros and of the known
// zero buffer (whose whole pages are skipped unread) in random order, and
// checks that the file reads back as what was written, also after each
// Flush.
func TestSparseZeroBuffer(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	zero := make([]byte, 20*sparsePage)
	for trial := 0; trial < 40; trial++ {
		path := filepath.Join(t.TempDir(), "f")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		s := &sparseFile{f: f, noSeek: trial%10 == 9, zero: zero}
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
			if k, err := s.Write(b); err != nil || k != len(b) {
				t.Fatalf("Write = %d, %v", k, err)
			}
			want = append(want, b...)
			if rng.Intn(6) == 0 {
				if err := s.Flush(); err != nil {
					t.Fatal(err)
				}
				if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("trial %d: after a Flush the file has %d bytes, want %d (%v)", trial, len(got), len(want), err)
				}
			}
		}
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("trial %d: the file has %d bytes, want %d (%v)", trial, len(got), len(want), err)
		}
	}
}
