package lineread

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func lines(t *testing.T, input string, max, buf int) (out []string, long []bool, r *Reader) {
	t.Helper()
	r = &Reader{MaxLine: max}
	r.Init(strings.NewReader(input), buf)
	for {
		l, tooLong, ok := r.ReadLine()
		if !ok {
			return out, long, r
		}
		out = append(out, string(l))
		long = append(long, tooLong)
	}
}

func TestReadLine(t *testing.T) {
	got, long, r := lines(t, "a\r\nbb\n\nccc", 0, 16)
	if strings.Join(got, "|") != "a|bb||ccc" || r.LineNo != 4 || r.Bytes != 10 {
		t.Errorf("lines %q, line %d, bytes %d", got, r.LineNo, r.Bytes)
	}
	for _, l := range long {
		if l {
			t.Error("short line marked too long")
		}
	}
	// Lines longer than the buffer are joined; longer than MaxLine, cut.
	in := strings.Repeat("x", 100) + "\n" + strings.Repeat("y", 40) + "\nz\n"
	got, long, r = lines(t, in, 50, 16)
	if len(got) != 3 || got[0] != strings.Repeat("x", 50) || !long[0] || got[1] != strings.Repeat("y", 40) || long[1] || got[2] != "z" {
		t.Errorf("long lines: %q %v", got, long)
	}
	if r.Bytes != int64(len(in)) {
		t.Errorf("bytes %d, want %d", r.Bytes, len(in))
	}
}

type failing struct{ n int }

func (f *failing) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n = 0
		return copy(p, "one\ntw"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestReadError(t *testing.T) {
	r := &Reader{}
	r.Init(&failing{n: 1}, 16)
	var got []string
	for {
		l, _, ok := r.ReadLine()
		if !ok {
			break
		}
		got = append(got, string(l))
	}
	if strings.Join(got, "|") != "one|tw" || r.ReadErr() == nil || errors.Is(r.ReadErr(), io.EOF) {
		t.Errorf("got %q, err %v", got, r.ReadErr())
	}
}

func TestLongLineMemory(t *testing.T) {
	r := &Reader{MaxLine: 1 << 20}
	r.Init(strings.NewReader(strings.Repeat("A", 10<<20)+"\nnext\n"), 256<<10)
	l, tooLong, ok := r.ReadLine()
	if !ok || !tooLong || len(l) != 1<<20 {
		t.Fatalf("10 MB line: %d bytes, tooLong %v", len(l), tooLong)
	}
	if cap(r.long) > 2<<20 {
		t.Errorf("kept %d bytes for a 10 MB line, want at most about MaxLine", cap(r.long))
	}
	if l, _, _ := r.ReadLine(); string(l) != "next" {
		t.Errorf("the line after a long one is %q", l)
	}
}
