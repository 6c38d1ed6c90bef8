package lineread

import (
	"slices"
	"strings"
	"testing"
)

// FuzzFindNewlines holds findNewlines (thirty-two bytes at a time in
// assembly on amd64 with AVX2) to searches with bytes.IndexByte, for the
// newlines and for the mark and '\r', on inputs of every length and alignment, and
// with the output slice too small at first, so that the assembly fills it
// and is called again.
func FuzzFindNewlines(f *testing.F) {
	f.Add("", 0, byte(0))
	f.Add("\n", 0, byte(0x1b))
	f.Add("0123456789abcde\n0123456789abcdef\n\n\n", 1, byte('f'))
	f.Add(strings.Repeat("a\nbb\nccc\n", 40), 3, byte('c'))
	f.Add(strings.Repeat("\n", 100), 0, byte('\n'))
	f.Add(strings.Repeat("x", 64)+"\x1b"+strings.Repeat("\n", 40), 0, byte(0x1b))
	f.Add(strings.Repeat("y", 70)+"\r\n"+strings.Repeat("z\n", 40), 0, byte(0x1b))
	f.Fuzz(func(t *testing.T, s string, skip int, mark byte) {
		data := []byte(s)
		if skip = abs(skip) % 17; skip <= len(data) {
			data = data[skip:] // unaligned starts
		}
		want := appendNewlines(nil, data, 0)
		wantSpecial := strings.IndexByte(string(data), mark) >= 0 || strings.IndexByte(string(data), '\r') >= 0
		for _, wide := range widths {
			setWide(wide)
			got, special := findNewlines(data, make([]int32, 0, 1), mark)
			if !slices.Equal(got, want) || special != wantSpecial {
				t.Fatalf("findNewlines(%q, %q) (wide %v) = %v, %v; want %v, %v", data, mark, wide, got, special, want, wantSpecial)
			}
		}
		setWide(true)
	})
}
