package lineread

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace/decompress"
)

// fakeMap is a Mapper over text whose first mapped bytes are mapped; Read
// then goes on with the rest (a log that grew). Drop overwrites the
// dropped bytes, so that a line read from them after all shows.
type fakeMap struct {
	text    []byte
	mapped  int
	rd      *bytes.Reader
	m       []byte
	dropped int
	t       *testing.T
}

func (f *fakeMap) Read(p []byte) (int, error) { return f.rd.Read(p) }

func (f *fakeMap) Map() ([]byte, int, bool) {
	if f.mapped == 0 {
		return nil, 0, false // an empty file is not mapped
	}
	next := len(f.text) - f.rd.Len()
	f.m = append([]byte(nil), f.text[:f.mapped]...)
	f.rd.Seek(int64(f.mapped), io.SeekStart)
	return f.m, next, true
}

func (f *fakeMap) Drop(n int) {
	if n < f.dropped || n > len(f.m) {
		f.t.Errorf("Drop(%d) after Drop(%d), of a mapping of %d bytes", n, f.dropped, len(f.m))
		return
	}
	for i := f.dropped; i < n; i++ {
		f.m[i] = '#'
	}
	f.dropped = n
}

// readAll reads rd ahead with ReadLine after peeking peek bytes (as format
// detection does), releasing each finished block at once, and describes
// every line.
func readAll(rd io.Reader, max, block, peek int) (out []string) {
	r := &Reader{MaxLine: max}
	r.Init(rd, 16)
	r.Peek(peek)
	r.StartReadAhead(block, 3)
	defer r.StopReadAhead()
	for {
		l, tooLong, ok := r.ReadLine()
		for _, b := range r.TakeDone(nil) {
			r.Release(b)
		}
		if !ok {
			return append(out, fmt.Sprintf("end line %d bytes %d err %v", r.LineNo, r.Bytes, r.ReadErr()))
		}
		out = append(out, fmt.Sprintf("%q %v %d %d", l, tooLong, r.LineNo, r.Bytes))
	}
}

// plainLines describes the lines of in as ReadLine reads them without
// reading ahead, as readAll does.
func plainLines(in string, max int) (out []string) {
	r := &Reader{MaxLine: max}
	r.Init(strings.NewReader(in), 16)
	for {
		l, tooLong, ok := r.ReadLine()
		if !ok {
			return append(out, fmt.Sprintf("end line %d bytes %d err %v", r.LineNo, r.Bytes, r.ReadErr()))
		}
		out = append(out, fmt.Sprintf("%q %v %d %d", l, tooLong, r.LineNo, r.Bytes))
	}
}

// FuzzMapped holds reading ahead, from a mapped input and from a reader,
// to ReadLine without reading ahead: the same
// lines, too-long flags, line numbers and byte counts, whatever the block
// size, MaxLine, what detection peeked and how much of the input was
// mapped (the rest is read after the mapping's lines); and nothing is
// read from a part of the mapping after it was dropped.
func FuzzMapped(f *testing.F) {
	f.Add("a\r\nbb\n\nccc", 0, 4, 3, 7)
	f.Add("a\nb\r\nc\nlonger line\nd\n", 8, 64, 0, 100)
	f.Add(strings.Repeat("x", 100)+"\n"+strings.Repeat("y", 40)+"\nz\r\n"+strings.Repeat("w", 60), 50, 16, 10, 150)
	f.Add(strings.Repeat("line one\nsecond line, longer\n\n", 20)+"last", 0, 9, 16, 500)
	f.Fuzz(func(t *testing.T, in string, max, block, peek, mapped int) {
		max, block, peek = abs(max%200), 1+abs(block)%300, abs(peek)%40
		mapped = abs(mapped) % (len(in) + 1)
		want := plainLines(in, max)
		if read := readAll(strings.NewReader(in), max, block, peek); strings.Join(read, "\n") != strings.Join(want, "\n") {
			t.Fatalf("read ahead:\n%s\nReadLine:\n%s", strings.Join(read, "\n"), strings.Join(want, "\n"))
		}
		fm := &fakeMap{text: []byte(in), mapped: mapped, rd: bytes.NewReader([]byte(in)), t: t}
		got := readAll(fm, max, block, peek)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("mapped %d of %d bytes:\n%s\nReadLine:\n%s", mapped, len(in), strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// spy says whether its Mapper mapped.
type spy struct {
	decompress.Mapper
	mapped bool
}

func (s *spy) Map() ([]byte, int, bool) {
	m, next, ok := s.Mapper.Map()
	s.mapped = ok
	return m, next, ok
}

// TestMappedFile reads a file through decompress's mapping (Drop's runs
// of megabytes included) and checks it reads as it does without.
func TestMappedFile(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 9<<20; i++ {
		fmt.Fprintf(&b, "%d 1700000000.%06d mmap(NULL, %d, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f%08x\n", 100+i%7, i%1000000, 4096*(i%50), i)
	}
	b.WriteString("a last line without its end")
	path := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func(mapped bool) []string {
		noMap = !mapped
		defer func() { noMap = false }()
		rd, closeRd, err := decompress.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer closeRd()
		mp, ok := rd.(decompress.Mapper)
		if !ok {
			t.Fatalf("decompress.Open gave a %T, not a Mapper", rd)
		}
		s := &spy{Mapper: mp}
		lines := readAll(s, 0, 64<<10, 4096)
		if s.mapped != mapped {
			t.Errorf("mapped %v, want %v", s.mapped, mapped)
		}
		return lines
	}
	got, want := read(true), read(false)
	if len(got) != len(want) || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("mapped: %d lines, last %q; read: %d lines, last %q", len(got), got[len(got)-1], len(want), want[len(want)-1])
	}
}
