package textconv

import (
	"strings"
	"testing"
)

// Detect picks the best-scoring registered format; a lenient format wins
// only over a weaker match, and nothing below one half of the lines.
func TestDetect(t *testing.T) {
	score := func(word string) func([]byte) float64 {
		return func(head []byte) float64 {
			lines := strings.Split(strings.TrimSpace(string(head)), "\n")
			n := 0
			for _, l := range lines {
				if strings.HasPrefix(l, word) {
					n++
				}
			}
			return float64(n) / float64(len(lines))
		}
	}
	Register(&Format{Name: "testprecise", Score: score("P")})
	Register(&Format{Name: "testlenient", Score: score("P"), Lenient: true})
	Register(&Format{Name: "testother", Score: score("O"), Lenient: true})
	for head, want := range map[string]string{
		"P1\nP2\n":     "testprecise", // a tie: the precise one
		"O1\nO2\nP3\n": "testother",
		"x\ny\nO\n":    "", // a third of the lines
	} {
		if got := Detect([]byte(head)); got != want {
			t.Errorf("Detect(%q) = %q, want %q", head, got, want)
		}
	}
	if f := Lookup("testother"); f == nil || !f.Lenient {
		t.Errorf("Lookup: %v", f)
	}
}

func TestNothingReadError(t *testing.T) {
	e := &NothingReadError{Source: "x.log", Format: "strace", Malformed: 5,
		First: []SyntaxError{{File: "x.log", Line: 1, Msg: "bad"}, {File: "x.log", Line: 2, Msg: "worse"}}}
	want := "x.log: no line could be read as a strace log (5 malformed lines): x.log:1: bad; x.log:2: worse; ..."
	if e.Error() != want {
		t.Errorf("%s\nwant %s", e, want)
	}
	e.Records, e.Malformed, e.First = 1, 1, e.First[:1]
	want = "x.log: nothing could be converted as a strace log (1 line(s) read made no row; 1 malformed line): x.log:1: bad"
	if e.Error() != want {
		t.Errorf("%s\nwant %s", e, want)
	}
}
