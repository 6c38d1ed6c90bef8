package lineread

import (
	"slices"
	"strings"
	"testing"
)

// FuzzFindNewlines holds findNewlines (thirty-two bytes at a time in
// assembly on amd64 with AVX2) to a search with bytes.IndexByte, on inputs
// of every length
// and alignment, and with the output slice too small at first, so that
// the assembly fills it and is called again.
func FuzzFindNewlines(f *testing.F) {
	f.Add("", 0)
	f.Add("\n", 0)
	f.Add("0123456789abcde\n0123456789abcdef\n\n\n", 1)
	f.Add(strings.Repeat("a\nbb\nccc\n", 40), 3)
	f.Add(strings.Repeat("\n", 100), 0)
	f.Fuzz(func(t *testing.T, s string, skip int) {
		data := []byte(s)
		if skip = abs(skip) % 17; skip <= len(data) {
			data = data[skip:] // unaligned starts
		}
		want := appendNewlines(nil, data, 0)
		for _, wide := range widths {
			setWide(wide)
			got := findNewlines(data, make([]int32, 0, 1))
			if !slices.Equal(got, want) {
				t.Fatalf("findNewlines(%q) (wide %v) = %v, want %v", data, wide, got, want)
			}
		}
		setWide(true)
	})
}
