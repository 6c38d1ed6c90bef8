package textconv

import (
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

func row(t int64, pid int32) *Slot {
	return &Slot{Ev: trace.Event{TimeNs: t, PID: pid, Kind: trace.Exit}, Has: true}
}

// The Holder writes rows in order, holds every row behind a waiting one,
// and forces a waiting row out beyond MaxHeld rows or MaxAge.
func TestHolder(t *testing.T) {
	var got []int32
	out := func(ev *trace.Event) { got = append(got, ev.PID) }
	h := Holder{MaxHeld: 3}
	w := row(0, 1)
	w.Wait = true
	h.Push(w, 0)
	for i := int32(2); i <= 3; i++ {
		h.Push(row(int64(i), i), int64(i))
		if n := h.Flush(int64(i), out); n != 0 || len(got) != 0 {
			t.Fatalf("row %d: forced %d, wrote %v while the head waits", i, n, got)
		}
	}
	w.Ev.ChildExecNs = 7
	w.Wait = false
	h.Flush(3, out)
	if len(got) != 3 || got[0] != 1 || h.Len() != 0 {
		t.Fatalf("after the head was settled: wrote %v, %d held", got, h.Len())
	}
	// MaxHeld: the fifth row forces the waiting head out.
	got = nil
	w = row(10, 10)
	w.Wait = true
	h.Push(w, 10)
	var forced int64
	for i := int32(11); i <= 14; i++ {
		h.Push(row(int64(i), i), int64(i))
		forced += h.Flush(int64(i), out)
	}
	if forced != 1 || !w.Forced || len(got) != 5 || got[0] != 10 {
		t.Fatalf("MaxHeld: forced %d (%v), wrote %v", forced, w.Forced, got)
	}
	// MaxAge: a head older than MaxAge goes out at the next Flush.
	got = nil
	h = Holder{MaxHeld: 100, MaxAge: 50}
	w = row(0, 20)
	w.Wait = true
	h.Push(w, 0)
	h.Push(row(30, 21), 30)
	if h.Flush(30, out) != 0 || len(got) != 0 {
		t.Fatalf("MaxAge: forced too early: %v", got)
	}
	h.Push(row(60, 22), 60)
	if h.Flush(60, out) != 1 || len(got) != 3 {
		t.Fatalf("MaxAge: wrote %v", got)
	}
	// Drain writes what is left, as keep says.
	got = nil
	w = row(70, 30)
	w.Wait = true
	h.Push(w, 70)
	h.Push(row(71, 31), 71)
	h.Drain(out, func(ev *trace.Event) bool { return ev.PID != 30 })
	if len(got) != 1 || got[0] != 31 || h.Len() != 0 {
		t.Fatalf("Drain: wrote %v", got)
	}
}

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
