package strace

import (
	"bytes"

	"github.com/forkcost/forkcost/trace/textconv"
)

// Input is one log to read: a file, or stdin when Name is "-".
type Input = textconv.Input

// ExpandFF turns the arguments of convert into inputs, -ff sets included
// (textconv.ExpandFF).
func ExpandFF(args []string) ([]Input, error) { return textconv.ExpandFF(args) }

// ffPID returns the pid of an -ff file name LOG.PID.
func ffPID(name string) (int32, bool) { return textconv.FFPID(name) }

// Sniff reports whether head (the first bytes of a log, decompressed) looks
// like strace output: one of its first lines parses as a system call, an
// exit or a signal line.
func Sniff(head []byte) bool {
	good, bad := sniff(head, 20)
	return good > 0 && good >= bad
}

// Score is the share of head's first lines that the Reader takes, for
// textconv.Detect.
func Score(head []byte) float64 {
	good, bad := sniff(head, 50)
	if good+bad == 0 {
		return 0
	}
	return float64(good) / float64(good+bad)
}

// sniff counts the records and syntax errors among head's first n results.
func sniff(head []byte, n int) (good, bad int) {
	rd := NewReader(bytes.NewReader(head), "")
	for rd.Next() && good+bad < n {
		switch rd.Result().(type) {
		case *Record:
			good++
		case *SyntaxError:
			bad++
		}
	}
	return good, bad
}
