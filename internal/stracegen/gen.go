// Package stracegen builds large strace logs for benchmarks by repeating
// real logs with their pids and times shifted, so that every copy is a run
// of its own and the whole stays a valid log of a long build.
package stracegen

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
)

// Generate writes copies of src (an strace -f -ttt log) to w until at least
// size bytes are written. Each copy's pids are shifted by a multiple of
// pidShift (in line prefixes and wherever the same number appears as a
// whole word in the line) and its times by the log's duration. It returns
// the bytes and lines written.
func Generate(w io.Writer, src []byte, size int64) (int64, int64, error) {
	// The pids of the log: the numbers that start its lines.
	pids := map[int64]bool{}
	var first, last float64
	for _, line := range bytes.Split(src, []byte("\n")) {
		pid, ts, _, ok := split(line)
		if !ok {
			continue
		}
		pids[pid] = true
		if first == 0 {
			first = ts
		}
		last = ts
	}
	span := last - first + 0.001
	bw := bufio.NewWriterSize(w, 1<<20)
	var n, lines int64
	var out []byte
	const pidShift = 100000
	for copyN := int64(0); n < size; copyN++ {
		off := copyN * pidShift % 4000000 // stay below pid_max (4194304)
		tOff := float64(copyN) * span
		for _, line := range bytes.Split(src, []byte("\n")) {
			pid, ts, rest, ok := split(line)
			if !ok {
				continue
			}
			out = out[:0]
			out = strconv.AppendInt(out, pid+off, 10)
			out = append(out, ' ')
			out = strconv.AppendFloat(out, ts+tOff, 'f', 6, 64)
			out = append(out, ' ')
			out = shiftWords(out, rest, pids, off)
			out = append(out, '\n')
			if _, err := bw.Write(out); err != nil {
				return n, lines, err
			}
			n += int64(len(out))
			lines++
		}
	}
	return n, lines, bw.Flush()
}

// split cuts "PID  TIME REST".
func split(line []byte) (pid int64, ts float64, rest []byte, ok bool) {
	a, r, ok1 := bytes.Cut(line, []byte(" "))
	if !ok1 {
		return 0, 0, nil, false
	}
	r = bytes.TrimLeft(r, " ")
	b, r2, ok2 := bytes.Cut(r, []byte(" "))
	if !ok2 {
		return 0, 0, nil, false
	}
	p, err1 := strconv.ParseInt(string(a), 10, 64)
	t, err2 := strconv.ParseFloat(string(b), 64)
	if err1 != nil || err2 != nil {
		return 0, 0, nil, false
	}
	return p, t, r2, true
}

// shiftWords appends rest with every decimal word that is a pid shifted.
func shiftWords(out, rest []byte, pids map[int64]bool, off int64) []byte {
	if off == 0 {
		return append(out, rest...)
	}
	i := 0
	for i < len(rest) {
		c := rest[i]
		if c < '0' || c > '9' || i > 0 && isWord(rest[i-1]) {
			out = append(out, c)
			i++
			continue
		}
		j := i
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j < len(rest) && isWord(rest[j]) || j-i > 7 {
			out = append(out, rest[i:j]...)
			i = j
			continue
		}
		v, _ := strconv.ParseInt(string(rest[i:j]), 10, 64)
		if pids[v] {
			out = strconv.AppendInt(out, v+off, 10)
		} else {
			out = append(out, rest[i:j]...)
		}
		i = j
	}
	return out
}

func isWord(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.'
}
