// Package truss reads the output of FreeBSD's truss(1) and converts it into
// forkcost traces with the semantics of trace/bsd.
//
// Each line is one event (truss prints a system call whole, when it
// returns), with an optional prefix, from usr.bin/truss/setup.c
// print_line_prefix:
//
//	"%5d" pid (-f), " " and "%6d" tid (-H), ": "
//	"%jd.%09ld " time since truss started (-d)
//	"%jd.%09ld " time spent in the call (-D)
//
// and one of these bodies:
//
//	name(args)           = 1235 (0x4d3)       (tabs pad the call)
//	name(args)           ERR#2 'No such file or directory'
//	name(args)           EJUSTRETURN
//	exit(0x0)                                 (no return: the thread ended)
//	SIGNAL 20 (SIGCHLD) code=CLD_EXITED pid=1235 uid=1001 status=0
//	process exit, rval = 0
//	process killed, signal = 11 (core dumped)
//	<new process>
//	<new thread 100123>
//	<thread 100123 exited>
package truss

import (
	"bytes"
	"fmt"
	"io"

	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/internal/lineread"
)

// DefaultMaxLine is the longest line kept; longer ones are syntax errors.
const DefaultMaxLine = lineread.DefaultMaxLine

// SyntaxError is a line that could not be parsed.
type SyntaxError = bsd.SyntaxError

// Reader reads truss output one record at a time; it owns the buffers it
// returns.
type Reader struct {
	name string
	// The line reader: its MaxLine (the longest line kept, DefaultMaxLine
	// if 0), Lines and Bytes are the Reader's.
	lineread.Reader
	// Form, when not TimeAuto (the default), is the log's time form.
	Form bsd.TimeForm

	err error

	yieldSoon, yielded bool

	rec     bsd.Record
	synErr  bsd.SyntaxError
	isErr   bool
	scanned bool
	form    bsd.TimeForm
}

// NewReader returns a Reader of r; name is used in syntax errors.
func NewReader(r io.Reader, name string) *Reader {
	rd := &Reader{name: name, Form: bsd.TimeAuto}
	rd.Init(r, 256<<10)
	return rd
}

// Err returns the first I/O error met.
func (r *Reader) Err() error { return r.err }

// Record returns the current record, or nil after a syntax error.
func (r *Reader) Record() *bsd.Record {
	if r.isErr || r.yielded {
		return nil
	}
	return &r.rec
}

// SyntaxError returns the current syntax error, or nil.
func (r *Reader) SyntaxError() *bsd.SyntaxError {
	if r.isErr && !r.yielded {
		return &r.synErr
	}
	return nil
}

// TimeForm returns the log's time form.
func (r *Reader) TimeForm() bsd.TimeForm { r.scan(); return r.form }

// OS returns "freebsd": truss output with this grammar is FreeBSD's.
func (r *Reader) OS() string { return "freebsd" }

// BytesRead returns the bytes consumed.
func (r *Reader) BytesRead() int64 { return r.Bytes }

// LineReader returns the line reader (bsd.Source).
func (r *Reader) LineReader() *lineread.Reader { return &r.Reader }

// YieldSoon makes Next return between lines, with nothing (bsd.Source).
func (r *Reader) YieldSoon() { r.yieldSoon = true }

func (r *Reader) fail(format string, args ...any) bool {
	r.synErr = bsd.SyntaxError{File: r.name, Line: r.LineNo, Msg: fmt.Sprintf(format, args...)}
	r.isErr = true
	return true
}

func (r *Reader) readLine() (line []byte, tooLong bool, ok bool) {
	line, tooLong, ok = r.ReadLine()
	if !ok && r.err == nil {
		r.err = r.ReadErr()
	}
	return line, tooLong, ok
}

// Next advances to the next record or syntax error.
func (r *Reader) Next() bool {
	r.scan()
	r.yielded = false
	for {
		if r.yieldSoon {
			r.yieldSoon, r.yielded = false, true
			return true
		}
		line, tooLong, ok := r.readLine()
		if !ok {
			return false
		}
		r.isErr = false
		if tooLong {
			return r.fail("line longer than %d bytes skipped", len(line))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l parsed
		if msg := parseLine(line, &l); msg != "" {
			return r.fail("%s: %.60q", msg, line)
		}
		r.fill(&l)
		return true
	}
}

func (r *Reader) fill(l *parsed) {
	r.rec = bsd.Record{File: r.name, Line: r.LineNo, PID: l.pid, TID: l.tid, HasTID: l.hasTID, HasPID: l.hasPID}
	if l.ntimes > 0 && (r.form == bsd.TimeElapsed || r.form == bsd.TimeAbsolute) {
		r.rec.HasTime, r.rec.Time = true, l.times[0]
	}
	rec := &r.rec
	rec.Type = l.typ
	rec.Name, rec.Args = l.name, l.args
	rec.Ret, rec.RetVal, rec.Errno = l.ret, l.retVal, l.errno
	rec.Signal, rec.SigName, rec.Info = l.sig, l.sigName, l.info
	rec.Status, rec.Killed, rec.CoreDumped = l.status, l.killed, l.core
	if l.typ == bsd.NewThread || l.typ == bsd.ThreadExit {
		rec.TID = l.num
	}
}

type parsed struct {
	pid, tid       int32
	hasPID, hasTID bool
	times          [2]int64
	ntimes         int
	typ            bsd.Type
	name, args     []byte
	ret            bsd.RetKind
	retVal         int64
	errno          int32
	sig            int32
	sigName, info  []byte
	status         int32
	killed, core   bool
	num            int32
}

var (
	newProcess = []byte("<new process>")
	newThread  = []byte("<new thread ")
	threadPfx  = []byte("<thread ")
	procExit   = []byte("process exit, rval = ")
	procKilled = []byte("process killed, signal = ")
	signalPfx  = []byte("SIGNAL ")
	coreDumped = []byte("(core dumped)")
	errPfx     = []byte("ERR#")
	eqPfx      = []byte("= ")
)

// parseLine parses one line; it returns a message when the line is not
// truss output.
func parseLine(line []byte, l *parsed) string {
	s := line
	// Prefix: "pid[ tid]: ", digits and spaces only.
	if i := prefixEnd(s); i > 0 {
		f0, f1 := fields2(s[:i])
		pid, ok := atoi(f0)
		if !ok {
			return "bad pid"
		}
		l.pid, l.hasPID = pid, true
		if len(f1) == 0 && pid > pidMax {
			// "-H" without "-f": the one number is a thread id (FreeBSD
			// pids stop at 99999, thread ids start at 100000).
			l.pid, l.hasPID, l.tid, l.hasTID = 0, false, pid, true
		}
		if len(f1) > 0 {
			tid, ok := atoi(f1)
			if !ok {
				return "bad thread id"
			}
			l.tid, l.hasTID = tid, true
		}
		s = s[i+2:]
	}
	// Times.
	for l.ntimes < 2 {
		s = bytes.TrimLeft(s, " ")
		sp := bytes.IndexByte(s, ' ')
		if sp <= 0 || !isTime(s[:sp]) {
			break
		}
		l.times[l.ntimes] = parseTime(s[:sp])
		l.ntimes++
		s = s[sp+1:]
	}
	s = bytes.TrimSpace(s)
	switch {
	case len(s) == 0:
		return "empty event"
	case bytes.Equal(s, newProcess):
		l.typ = bsd.NewProc
		return ""
	case bytes.HasPrefix(s, newThread):
		n, ok := atoi(bytes.TrimSuffix(s[len(newThread):], []byte(">")))
		if !ok {
			return "bad new thread"
		}
		l.typ, l.num = bsd.NewThread, n
		return ""
	case bytes.HasPrefix(s, threadPfx) && bytes.HasSuffix(s, []byte(" exited>")):
		n, ok := atoi(bytes.TrimSuffix(s[len(threadPfx):], []byte(" exited>")))
		if !ok {
			return "bad thread exit"
		}
		l.typ, l.num = bsd.ThreadExit, n
		return ""
	case bytes.HasPrefix(s, procExit):
		v, ok := bsd.ParseNum(s[len(procExit):])
		if !ok {
			return "bad exit status"
		}
		l.typ, l.status = bsd.ProcExit, int32(v&0xff)
		return ""
	case bytes.HasPrefix(s, procKilled):
		rest := s[len(procKilled):]
		num, _, _ := bytes.Cut(rest, []byte(" "))
		n, ok := atoi(num)
		if !ok {
			return "bad signal number"
		}
		l.typ, l.killed, l.sig = bsd.ProcExit, true, n
		l.core = bytes.Contains(rest, coreDumped)
		return ""
	case bytes.HasPrefix(s, signalPfx):
		rest := s[len(signalPfx):]
		num, rest, _ := bytes.Cut(rest, []byte(" "))
		n, ok := atoi(num)
		if !ok {
			return "bad signal number"
		}
		l.typ, l.sig = bsd.Psig, n
		if len(rest) > 0 && rest[0] == '(' {
			if j := bytes.IndexByte(rest, ')'); j > 0 {
				l.sigName = rest[1:j]
				rest = rest[j+1:]
			}
		}
		l.info = bytes.TrimSpace(rest)
		return ""
	}
	// A system call: name(args) result.
	open := bytes.IndexByte(s, '(')
	if open <= 0 || !isName(s[:open]) {
		return "not a truss event"
	}
	close := matchParen(s, open)
	if close < 0 {
		return "unbalanced parentheses"
	}
	l.typ = bsd.Syscall
	l.name, l.args = s[:open], s[open+1:close]
	res := bytes.TrimSpace(s[close+1:])
	switch {
	case len(res) == 0:
		l.ret = bsd.RetNone
	case bytes.HasPrefix(res, eqPfx):
		num, _, _ := bytes.Cut(res[len(eqPfx):], []byte(" "))
		v, ok := bsd.ParseNum(num)
		if !ok {
			return "bad return value"
		}
		l.ret, l.retVal = bsd.RetValue, int64(v)
	case bytes.HasPrefix(res, errPfx):
		num, _, _ := bytes.Cut(res[len(errPfx):], []byte(" "))
		v, ok := bsd.ParseNum(num)
		if !ok {
			return "bad errno"
		}
		switch int64(v) {
		case -2: // EJUSTRETURN
			l.ret = bsd.RetJustReturn
		case -1: // ERESTART
			l.ret = bsd.RetRestart
		default:
			l.ret, l.errno = bsd.RetError, int32(v)
		}
	case bytes.HasPrefix(res, []byte("EJUSTRETURN")):
		l.ret = bsd.RetJustReturn
	case bytes.HasPrefix(res, []byte("ERESTART")):
		l.ret = bsd.RetRestart
	default:
		return "unknown call result"
	}
	return ""
}

// pidMax is FreeBSD's PID_MAX: larger ids are thread ids.
const pidMax = 99999

// prefixEnd returns the index of the ": " ending a "pid[ tid]" prefix
// (digits and spaces only, at most 20 bytes), or -1.
func prefixEnd(s []byte) int {
	digits := false
	for i := 0; i < len(s) && i <= 20; i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c == ' ':
		case c == ':':
			if digits && i+1 < len(s) && s[i+1] == ' ' {
				return i
			}
			return -1
		default:
			return -1
		}
	}
	return -1
}

// fields2 returns the first two space-separated fields of s.
func fields2(s []byte) (a, b []byte) {
	s = bytes.TrimLeft(s, " ")
	i := bytes.IndexByte(s, ' ')
	if i < 0 {
		return s, nil
	}
	a, s = s[:i], bytes.TrimSpace(s[i:])
	if bytes.IndexByte(s, ' ') >= 0 {
		return a, []byte("x") // three fields: not a prefix
	}
	return a, s
}

// matchParen returns the index of the parenthesis closing the one at
// open, outside quoted strings; -1 if none.
func matchParen(s []byte, open int) int {
	rest := s[open+1:]
	if bytes.IndexByte(rest, '"') < 0 && bytes.IndexByte(rest, '(') < 0 {
		// No strings and no nested parentheses: the first ')' closes.
		if j := bytes.IndexByte(rest, ')'); j >= 0 {
			return open + 1 + j
		}
		return -1
	}
	depth := 0
	inQ := false
	for i := open; i < len(s); i++ {
		c := s[i]
		if inQ {
			if c == '\\' {
				i++
			} else if c == '"' {
				inQ = false
			}
			continue
		}
		switch c {
		case '"':
			inQ = true
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func isName(s []byte) bool {
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '#' || c == '.') {
			return false
		}
	}
	return len(s) > 0
}

func isDigits(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func atoi(s []byte) (int32, bool) {
	if !isDigits(s) || len(s) > 10 {
		return 0, false
	}
	var v int64
	for _, c := range s {
		v = v*10 + int64(c-'0')
	}
	if v > 1<<31-1 {
		return 0, false
	}
	return int32(v), true
}

func isTime(s []byte) bool {
	d := bytes.IndexByte(s, '.')
	return d > 0 && d < len(s)-1 && d <= 11 && isDigits(s[:d]) && isDigits(s[d+1:])
}

func parseTime(s []byte) int64 {
	d := bytes.IndexByte(s, '.')
	var sec int64
	for _, c := range s[:d] {
		sec = sec*10 + int64(c-'0')
	}
	var ns int64
	frac := s[d+1:]
	for k := 0; k < 9; k++ {
		ns *= 10
		if k < len(frac) {
			ns += int64(frac[k] - '0')
		}
	}
	return sec*1e9 + ns
}

// scan decides the time form from the first lines.
func (r *Reader) scan() {
	if r.scanned {
		return
	}
	r.scanned = true
	head, _ := r.Peek(256 << 10)
	if len(head) == 256<<10 {
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i+1]
		}
	}
	g := Guess(head)
	r.form = g.Form
	if r.Form != bsd.TimeAuto && (g.Form != bsd.TimeNone || r.Form == bsd.TimeNone) {
		// A forced form; but a log without time columns stays without.
		r.form = r.Form
	}
}

// Guessed is what the first lines of a truss log tell.
type Guessed struct {
	Good, Bad int
	Form      bsd.TimeForm
}

// Guess parses the first lines of a truss log and guesses its time form:
// with two time columns the first is -d (since truss started); a single
// column that never decreases is -d too, one that does is -D (time spent
// in each call), which is not a clock.
func Guess(head []byte) Guessed {
	var g Guessed
	var times []int64
	ncol := 0
	for len(head) > 0 && g.Good+g.Bad < 4096 {
		var line []byte
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			line, head = head, nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l parsed
		if parseLine(line, &l) != "" {
			g.Bad++
			continue
		}
		g.Good++
		if l.ntimes > 0 {
			ncol = max(ncol, l.ntimes)
			times = append(times, l.times[0])
		}
	}
	switch {
	case ncol == 0:
		g.Form = bsd.TimeNone
	case ncol == 2:
		g.Form = bsd.TimeElapsed
	default:
		g.Form = bsd.TimeElapsed
		for i := 1; i < len(times); i++ {
			if times[i] < times[i-1] {
				g.Form = bsd.TimeDuration
				break
			}
		}
	}
	return g
}

// Score is the share of head's lines that parse as truss events, counting
// only lines with a truss-only shape (a "= N (0xN)" result, ERR#, SIGNAL,
// process exit, <new ...>) as full matches: a strace line also parses.
func Score(head []byte) float64 {
	good, strong, bad := 0, 0, 0
	for len(head) > 0 && good+bad < 200 {
		var line []byte
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			line, head = head, nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l parsed
		if parseLine(line, &l) != "" {
			bad++
			continue
		}
		good++
		switch l.typ {
		case bsd.Syscall:
			if bytes.Contains(line, errPfx) || bytes.Contains(line, []byte(" (0x")) || bytes.Contains(line, []byte("EJUSTRETURN")) {
				strong++
			}
		default:
			strong++
		}
	}
	if good+bad == 0 || strong == 0 {
		return 0
	}
	return float64(good) / float64(good+bad)
}
