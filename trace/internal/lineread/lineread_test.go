package lineread

import (
	"errors"
	"fmt"
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

// readAheadLines reads input with reading ahead, releasing each finished
// block at once, like a consumer that copies what it keeps.
func readAheadLines(t *testing.T, input string, max, block int, rd io.Reader) (out []string, long []bool, r *Reader) {
	t.Helper()
	r = &Reader{MaxLine: max}
	if rd == nil {
		rd = strings.NewReader(input)
	}
	r.Init(rd, 16)
	r.StartReadAhead(block, 3)
	defer r.StopReadAhead()
	for {
		l, tooLong, ok := r.ReadLine()
		for _, b := range r.TakeDone(nil) {
			r.Release(b)
		}
		if !ok {
			return out, long, r
		}
		out = append(out, string(l))
		long = append(long, tooLong)
	}
}

func TestReadAheadLines(t *testing.T) {
	got, long, r := readAheadLines(t, "a\r\nbb\n\nccc", 0, 4, nil)
	if strings.Join(got, "|") != "a|bb||ccc" || r.LineNo != 4 || r.Bytes != 10 || r.ReadErr() != nil {
		t.Errorf("lines %q, line %d, bytes %d, err %v", got, r.LineNo, r.Bytes, r.ReadErr())
	}
	for _, l := range long {
		if l {
			t.Error("short line marked too long")
		}
	}
	// Lines longer than a block are joined; longer than MaxLine, cut.
	in := strings.Repeat("x", 100) + "\n" + strings.Repeat("y", 40) + "\nz\n" + strings.Repeat("w", 60)
	for _, block := range []int{7, 16, 41, 64, 1000} {
		got, long, r = readAheadLines(t, in, 50, block, nil)
		if len(got) != 4 || got[0] != strings.Repeat("x", 50) || !long[0] || got[1] != strings.Repeat("y", 40) || long[1] ||
			got[2] != "z" || long[2] || got[3] != strings.Repeat("w", 50) || !long[3] {
			t.Errorf("block %d: long lines: %q %v", block, got, long)
		}
		if r.Bytes != int64(len(in)) || r.LineNo != 4 {
			t.Errorf("block %d: bytes %d, want %d; line %d", block, r.Bytes, len(in), r.LineNo)
		}
	}
	// The same lines as without reading ahead, whatever the block size.
	in = strings.Repeat("line one\nsecond line, longer\n\n", 50) + "last"
	want, _, _ := lines(t, in, 0, 16)
	for _, block := range []int{1, 5, 9, 64, 4096} {
		got, _, _ := readAheadLines(t, in, 0, block, nil)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("block %d: %d lines differ from ReadLine's %d", block, len(got), len(want))
		}
	}
}

func TestReadAheadError(t *testing.T) {
	got, _, r := readAheadLines(t, "", 0, 64, &failing{n: 1})
	if strings.Join(got, "|") != "one|tw" || r.ReadErr() == nil || errors.Is(r.ReadErr(), io.EOF) {
		t.Errorf("got %q, err %v", got, r.ReadErr())
	}
}

// TestReadAheadLinesLast checks that lines stay valid until their block is
// released, not merely until the next call.
func TestReadAheadLinesLast(t *testing.T) {
	in := strings.Repeat("0123456789\n", 200)
	r := &Reader{}
	r.Init(strings.NewReader(in), 16)
	r.StartReadAhead(64, 100) // more blocks than the input needs
	defer r.StopReadAhead()
	var held [][]byte
	for {
		l, _, ok := r.ReadLine()
		if !ok {
			break
		}
		held = append(held, l)
	}
	if len(held) != 200 {
		t.Fatalf("%d lines", len(held))
	}
	for i, l := range held {
		if string(l) != "0123456789" {
			t.Fatalf("line %d changed to %q before its block was released", i+1, l)
		}
	}
}

func TestReadAheadStop(t *testing.T) {
	r := &Reader{}
	r.Init(strings.NewReader(strings.Repeat("x\n", 10000)), 16)
	r.StartReadAhead(16, 3)
	r.ReadLine()
	// Nothing released: the reading goroutine waits for a block, and
	// StopReadAhead must still end it.
	r.StopReadAhead()
}

func TestReadAheadMark(t *testing.T) {
	in := strings.Repeat("plain line\n", 20) + "with \x1b[1mescape\x1b[0m\n" + strings.Repeat("plain again\n", 20)
	r := &Reader{}
	r.Init(strings.NewReader(in), 16)
	r.Mark = 0x1b
	r.StartReadAhead(64, 100)
	defer r.StopReadAhead()
	marked, escapes := 0, 0
	for {
		l, _, ok := r.ReadLine()
		if !ok {
			break
		}
		if strings.IndexByte(string(l), 0x1b) >= 0 {
			escapes++
			if !r.LineMarked() {
				t.Errorf("line %d holds the mark but LineMarked is false", r.LineNo)
			}
		}
		if r.LineMarked() {
			marked++
		}
	}
	if escapes != 1 || marked == 0 || marked > 10 {
		t.Errorf("%d lines with the mark, %d marked: want 1, and only the lines of its block or two", escapes, marked)
	}
}

// FuzzNextInBlock holds NextInBlock to ReadLine: reading ahead with
// NextInBlock first, falling back to ReadLine, gives the lines, the
// too-long flags, the line numbers and the byte counts of ReadLine
// alone, whatever the block size, MaxLine and Mark.
func FuzzNextInBlock(f *testing.F) {
	f.Add("a\r\nbb\n\nccc", 0, 4, byte(0))
	f.Add("a\nb\r\nc\nlonger line\nd\n", 8, 64, byte(0))
	f.Add(strings.Repeat("x", 100)+"\n"+strings.Repeat("y", 40)+"\nz\r\n\x1b[1m\n"+strings.Repeat("w", 60), 50, 16, byte(0x1b))
	f.Add(strings.Repeat("line one\nsecond line, longer\n\n", 20)+"last", 0, 9, byte('o'))
	f.Fuzz(func(t *testing.T, in string, max, block int, mark byte) {
		max, block = max%200, 1+abs(block)%300
		if max < 0 {
			max = -max
		}
		read := func(quick bool) (out []string) {
			r := &Reader{MaxLine: max}
			r.Init(strings.NewReader(in), 16)
			r.Mark = mark
			r.StartReadAhead(block, 3)
			defer r.StopReadAhead()
			for {
				l, tooLong, ok := []byte(nil), false, false
				if quick {
					if l, ok = r.NextInBlock(); ok && r.LineMarked() {
						t.Fatalf("NextInBlock gave %q of a block holding the mark %q", l, mark)
					}
				}
				if !ok {
					l, tooLong, ok = r.ReadLine()
				}
				for _, b := range r.TakeDone(nil) {
					r.Release(b)
				}
				if !ok {
					return append(out, fmt.Sprintf("end line %d bytes %d", r.LineNo, r.Bytes))
				}
				out = append(out, fmt.Sprintf("%q %v %d %d", l, tooLong, r.LineNo, r.Bytes))
			}
		}
		want, got := read(false), read(true)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("with NextInBlock:\n%s\nReadLine alone:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
