package strace

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"

	"github.com/forkcost/forkcost/trace/internal/lineread"
	"github.com/forkcost/forkcost/trace/textconv"
)

// DefaultMaxLine is the longest line the Reader keeps. Longer lines are
// reported as syntax errors and skipped, so a corrupt log cannot make the
// Reader hold unbounded memory.
const DefaultMaxLine = lineread.DefaultMaxLine

// Result is what Reader.Result returns: a *Record or a *SyntaxError.
type Result = any

// pending is the first half of a split call, waiting for its <... resumed>.
// A task's pending entry stays in Reader.pend between its split calls (on
// says whether it holds one), and goes when the task exits: a map insertion
// and deletion for every split call was a tenth of the lexing of a log of
// memory calls.
type pending struct {
	on bool
	// create: the call is a clone, fork or vfork (sys.isCreation, asked
	// once).
	create bool
	// sys is the call's sysCall, named once for both halves (from
	// Reader.names for most), for the resumed half's record.
	sys sysCall
	// buf is the call's name, '(' and the argument prefix, as in the
	// line (one copy at a stash; a slice each was two, and the stores
	// of their pointers), the name buf[:n].
	buf  []byte
	n    int
	time int64
	line int
	comm []byte
}

// name is the call's name.
func (p *pending) name() []byte { return p.buf[:p.n:p.n] }

// pendSlot is an entry of Reader.pcache.
type pendSlot struct {
	pid int32
	p   *pending
}

// lookupPend is pend[pid], through a small cache by pid: a split call's
// halves looked pend up three times, a tenth of the lexing of a log of
// memory calls.
func (r *Reader) lookupPend(pid int32) (*pending, bool) {
	c := &r.pcache[pid&63]
	if c.p != nil && c.pid == pid {
		return c.p, true
	}
	p, ok := r.pend[pid]
	if ok {
		c.pid, c.p = pid, p
	}
	return p, ok
}

func (r *Reader) setPend(pid int32, p *pending) {
	r.pend[pid] = p
	r.pcache[pid&63] = pendSlot{pid, p}
}

func (r *Reader) delPend(pid int32) {
	delete(r.pend, pid)
	if c := &r.pcache[pid&63]; c.pid == pid {
		c.p = nil
	}
}

// Reader reads a strace log one record at a time, in the style of
// golang.org/x/perf/benchfmt: Next advances, Result returns the record or
// the syntax error found, and the Reader owns every buffer it returns.
//
// Split calls are joined per pid: an "<unfinished ...>" line is held until
// the matching "<... NAME resumed>" line of the same pid, and the joined call
// is returned then, with the time of its first half. Messages of strace
// spliced into a line ("...SIGCHLDstrace: Process 9 attached\n, child_...")
// are returned as KindMessage records, and the two pieces of the line are
// joined. Stack frames of -k (" > ...") are skipped.
type Reader struct {
	name string
	// The line reader: its MaxLine (the longest line kept, DefaultMaxLine
	// if 0), Lines and Bytes are the Reader's.
	lineread.Reader
	// DefaultPID, when not 0, is the pid of lines without a pid prefix
	// (an -ff file LOG.PID).
	DefaultPID int32

	src []byte // the line the current record was lexed from
	// srcStable: src is a line of a read-ahead block, valid until the
	// block is released, not merely until the next call.
	srcStable bool
	// yieldSoon makes Next return true with no result (Result nil) after
	// the next line that makes none, so that a pipeline can pass on the
	// read-ahead blocks it holds (see RunPipelined).
	yieldSoon bool
	// arena, in a pipeline, is the memory of the batch lexed into: a
	// split call's halves are joined there (joinedKept says the current
	// record's were), not in the pending buffer that Keep would copy.
	arena      *textconv.Arena
	joinedKept bool
	carry      []byte // the start of a line cut by a spliced strace message
	carryLn    int
	joined     []byte
	plain      []byte // a line without its ANSI escapes
	err        error

	rec    *Record // the record being lexed: own, or a pipeline batch's slot
	own    Record
	synErr SyntaxError
	cur    result             // what Result returns
	pend   map[int32]*pending // change it with setPend and delPend only
	pcache [64]pendSlot       // entries of pend by pid, see lookupPend
	names  [64]nameSlot       // calls' names seen, see nameSlot
	nPend  int                // entries of pend that are on
	// slowResume, for tests: resumed takes no shortcut (resumedSlow).
	slowResume bool
	free       []*pending
	noPID      pending // pending half of unprefixed lines
	hasNoPD    bool

	// headOnly: since rec was last reset (resetLine), only the fields a
	// split call's first half sets (see stash) have changed, the head's,
	// which every line sets, so that the next line need not reset it: the
	// halves are half the lines of a log of threads' memory calls.
	headOnly bool
	noQuick  bool // tests: no quickHead, quickCall, names, quick signal lines
	// quickHead's last first eight digits of a timestamp (xor '0'), and
	// their worth in microseconds.
	headWord, headUsec uint64

	// time state
	form     TimeForm
	relSum   int64
	day      int64
	lastTod  int64
	todBase  int64 // -t -r: the first line's time of day
	haveTod  bool
	stderrPD bool // seen a "[pid N]" prefix
	nCreate  int  // unfinished creation calls

	// Counters.
	Frames int64 // -k stack frame lines skipped
}

// NewReader returns a Reader of r; name is used in syntax errors.
func NewReader(r io.Reader, name string) *Reader {
	rd := &Reader{name: name, pend: map[int32]*pending{}}
	rd.rec = &rd.own
	rd.Init(r, 256<<10)
	rd.Mark = 0x1b // ANSI escapes (see Next)
	return rd
}

// Name returns the name given to NewReader.
func (r *Reader) Name() string { return r.name }

// TimeForm returns the timestamp form of the lines read so far.
func (r *Reader) TimeForm() TimeForm { return r.form }

// StderrPrefixes reports whether the log uses "[pid N]" prefixes (strace
// -f writing to stderr), where lines without a prefix belong to the only
// tracee alive.
func (r *Reader) StderrPrefixes() bool { return r.stderrPD }

// source returns the line the current record was lexed from, valid until
// the next call to Next, or until its block is released when stable. Most
// of the record's slices point into it (not those of a joined call, nor
// Comm).
func (r *Reader) source() (src []byte, stable bool) { return r.src, r.srcStable }

// Err returns the first I/O error met (not syntax errors).
func (r *Reader) Err() error { return r.err }

// Result returns the current record or syntax error.
func (r *Reader) Result() Result {
	switch r.cur {
	case resRec:
		return r.rec
	case resErr:
		return &r.synErr
	}
	return nil
}

// result is what the Reader found last: a byte, not the Result itself,
// whose two words (and a write barrier's test) were stored for every
// record and switched on by type in the pipeline's Lex.
type result uint8

const (
	resNone result = iota // nothing: the end, or a yield
	resRec                // rec
	resErr                // synErr
)

// Unfinished returns the number of calls waiting for their resumed half.
func (r *Reader) Unfinished() int {
	n := r.nPend
	if r.hasNoPD {
		n++
	}
	return n
}

// UnfinishedCall reports the name of the call pid is blocked in, if any.
func (r *Reader) UnfinishedCall(pid int32) ([]byte, bool) {
	if p, ok := r.lookupPend(pid); ok && p.on {
		return p.name(), true
	}
	return nil, false
}

// EachUnfinished calls f for every call waiting for its resumed half.
func (r *Reader) EachUnfinished(f func(pid int32, hasPID bool, name []byte)) {
	for pid, p := range r.pend {
		if p.on {
			f(pid, true, p.name())
		}
	}
	if r.hasNoPD {
		f(0, false, r.noPID.name())
	}
}

func (r *Reader) fail(line int, format string, args ...any) bool {
	r.synErr = SyntaxError{File: r.name, Line: line, Msg: fmt.Sprintf(format, args...)}
	r.cur = resErr
	return true
}

// readLine returns the next physical line without its newline. A line
// longer than MaxLine is returned truncated with tooLong set.
func (r *Reader) readLine() (line []byte, tooLong bool, ok bool) {
	line, tooLong, ok = r.ReadLine()
	if !ok && r.err == nil && r.ReadErr() != nil {
		r.err = fmt.Errorf("reading %s: %w", r.name, r.ReadErr())
	}
	return line, tooLong, ok
}

var (
	unfinishedMark = []byte("<unfinished ...>")
	detachedMark   = []byte("<detached ...>")
	splicedMsg     = []byte("strace: Process ")
	resumedMark    = []byte(" resumed>")
)

// Next advances to the next record or syntax error. It returns false at the
// end of the input or on an I/O error (see Err).
func (r *Reader) Next() bool {
	if !r.next() {
		return false
	}
	if r.cur == resRec {
		// The record says whether a creation call is unfinished after it
		// (the Converter takes a new pid for its child then), so that it
		// can be converted after the Reader has moved on.
		r.rec.PendingCreation = r.nCreate > 0
	}
	return true
}

func (r *Reader) next() bool {
	for {
		if r.yieldSoon {
			r.yieldSoon = false
			r.cur = resNone
			return true
		}
		if len(r.carry) == 0 {
			// The usual line, whole in its read-ahead block, with no
			// ANSI escape: none of the tests below applies.
			if line, ok := r.NextInBlock(); ok {
				if len(line) == 0 {
					continue
				}
				// A line that starts with a pid is neither a stack
				// frame nor one of strace's messages (see lexLine).
				if isDigit(line[0]) {
					r.src, r.srcStable = line, true
					if r.parse(line, r.LineNo) {
						return true
					}
				} else if r.lexLine(line, r.LineNo, true) {
					return true
				}
				continue
			}
		}
		line, tooLong, ok := r.readLine()
		if !ok {
			if len(r.carry) > 0 {
				// The log ended in the middle of a spliced line.
				ln := r.carryLn
				r.carry = r.carry[:0]
				return r.fail(ln, "log ends inside a line cut by a strace message")
			}
			r.cur = resNone
			return false
		}
		lineNo := r.LineNo
		stable := r.ReadsAhead()
		if len(r.carry) > 0 {
			r.joined = append(append(r.joined[:0], r.carry...), line...)
			line = r.joined
			lineNo = r.carryLn
			r.carry = r.carry[:0]
			stable = false
		}
		if tooLong {
			return r.fail(lineNo, "line longer than %d bytes skipped", len(line))
		}
		if r.LineMarked() && bytes.IndexByte(line, 0x1b) >= 0 {
			// strace 7 can color its output: drop the ANSI escapes.
			r.plain = stripANSI(r.plain[:0], line)
			line = r.plain
			stable = false
		}
		if len(line) == 0 {
			continue
		}
		if r.lexLine(line, lineNo, stable) {
			return true
		}
	}
}

// lexLine lexes one non-empty line, as parse does, but also stack frames
// and strace's messages: true when a record or a syntax error is ready.
func (r *Reader) lexLine(line []byte, lineNo int, stable bool) bool {
	r.src, r.srcStable = line, stable
	if line[0] == ' ' && len(line) > 2 && line[1] == '>' && line[2] == ' ' {
		r.Frames++ // -k stack frame
		return false
	}
	// A strace message spliced into a line: keep the start of the line
	// for the next one, and report the message.
	// (Only stderr logs have them, whose lines start with "[pid" or
	// with no prefix at all, never with a digit.)
	if line[0] == '[' || !isDigit(line[0]) && line[0] != ' ' {
		if i := bytes.Index(line, splicedMsg); i > 0 {
			msg := line[i+len("strace: "):]
			if bytes.HasSuffix(msg, []byte(" attached")) || bytes.HasSuffix(msg, []byte(" detached")) {
				r.carry = append(r.carry[:0], line[:i]...)
				r.carryLn = lineNo
				r.message(msg, lineNo)
				return true
			}
		}
	}
	if line[0] == 's' && bytes.HasPrefix(line, []byte("strace: ")) {
		r.message(line[len("strace: "):], lineNo)
		return true
	}
	return r.parse(line, lineNo)
}

func (r *Reader) message(msg []byte, line int) {
	r.rec.reset()
	r.headOnly = false
	r.rec.Kind = KindMessage
	r.rec.File, r.rec.Line = r.name, line
	r.rec.Msg = msg
	if rest, ok := bytes.CutPrefix(msg, []byte("Process ")); ok {
		if num, tail, ok := bytes.Cut(rest, []byte(" ")); ok && bytes.HasPrefix(tail, []byte("attached")) {
			if v, ok := atoi(num); ok && v > 0 && v <= 1<<31-1 {
				r.rec.Attached = int32(v)
			}
		}
	}
	r.cur = resRec
}

// parse lexes one line. It returns true when a record or a syntax error is
// ready, false when the line was consumed silently (the first half of a
// split call).
func (r *Reader) parse(line []byte, lineNo int) bool {
	rec := r.rec
	if r.headOnly {
		r.headOnly = false
	} else {
		rec.resetLine()
	}
	rec.Comm = rec.Comm[:0]
	r.joinedKept = false
	rec.File, rec.Line = r.name, lineNo
	// quickHead returns the rest of the line itself, so that the line
	// need not be reloaded after the call.
	body, ok := r.quickHead(line, rec)
	if !ok {
		i, ok := r.head(line, lineNo, rec)
		if !ok {
			return true
		}
		body = line[i:]
	}
	switch body[0] { // a call's name starts with a letter: one test for it
	case '+':
		if bytes.HasPrefix(body, []byte("+++ ")) {
			return r.exitLine(body, lineNo)
		}
	case '-':
		if bytes.HasPrefix(body, []byte("--- ")) {
			return r.signalLine(body, lineNo)
		}
	case '<':
		// "... " as a word: bytes.HasPrefix calls memequal, which cost
		// more than this on every resumed half.
		if len(body) >= 5 && binary.LittleEndian.Uint32(body[1:]) == ' '<<24|'.'<<16|'.'<<8|'.' {
			return r.resumed(body, lineNo)
		}
	}
	// NAME(: a name seen before is found in names by its first bytes
	// (see nameSlot), with its sysCall; others are scanned.
	j, sys := 0, sysCall(0)
	if len(body) >= 16 && !r.noQuick {
		w0, w1 := binary.LittleEndian.Uint64(body), binary.LittleEndian.Uint64(body[8:])
		if e := &r.names[nameHash(w0)]; w0&e.m0 == e.w0 && w1&e.m1 == e.w1 {
			j, sys = e.n, e.sys // 0 for an empty slot
		}
	}
	if j == 0 {
		for j < len(body) && isNameChar(body[j]) {
			j++
		}
		if j == 0 || j >= len(body) || body[j] != '(' {
			return r.fail(lineNo, "expected a system call NAME(...), \"<... NAME resumed>\", \"+++ ... +++\" or \"--- ... ---\"")
		}
		if j < 16 && len(body) >= 16 && !r.noQuick {
			r.learnName(body, j)
		}
	}
	name, rest := body[:j], body[j+1:]
	// A call's first half (half the lines of a log of threads' memory
	// calls) has no duration to look for.
	if mayBeUnfinished(rest) && r.stash(name, rest, rec, lineNo, sys) {
		r.headOnly = true
		return false
	}
	if !r.noQuick && r.quickCall(name, rest, rec, sys) {
		return true
	}
	rest, dur := cutDuration(rest)
	// Only a line ending in '>' can be a call's first half or a detached
	// one; most end in the return value.
	if t := trimSpaceRight(rest); len(t) > 0 && t[len(t)-1] == '>' {
		if r.stash(name, rest, rec, lineNo, sys) {
			r.headOnly = true
			return false
		}
		if bytes.HasSuffix(t, detachedMark) {
			d := t[:len(t)-len(detachedMark)]
			rec.Kind = KindCall
			rec.Name = name
			rec.sys = 0 // see resetLine
			rec.Args = trimSpaceRight(d)
			rec.Interrupted = true
			rec.Duration = dur
			r.cur = resRec
			return true
		}
	}
	rec.Name = name
	rec.Duration = dur
	return r.call(rest, lineNo)
}

// quickHead reads the usual head of a line of a -ttt log, "PID
// SECONDS.MICROS " followed by the call, into rec and returns the call;
// ok is false for every other head, which head then reads. It reads what
// head would, with fewer tests and calls: every line has a head.
// (r.noQuick, for tests, turns it off.)
func (r *Reader) quickHead(line []byte, rec *Record) ([]byte, bool) {
	// A pid of one to seven digits and a space (longer ones are head's),
	// in one word; then the timestamp, as unixTime reads it, inline: the
	// calls to digits and unixTime were some 60 instructions a line
	// (every register is saved around a call).
	if r.form != TimeUnix || r.noQuick || len(line) < 8 {
		return nil, false
	}
	// leadingDigits, inline, with the top bit set so that the count
	// needs no test for zero: eight digits count as seven, turned away
	// (the eighth is no space) as eight were.
	x := binary.LittleEndian.Uint64(line) ^ 0x3030303030303030
	k := bits.TrailingZeros64(notDigits(x)|1<<63) >> 3
	if k == 0 || k+20 > len(line) {
		return nil, false
	}
	// " SSSSSSSSSS.UUUUUU N": the pid's space, the timestamp, its space
	// and the call's first byte, in a slice of constant length, so that
	// its bytes are read without a bounds check each.
	h := line[k : k+20]
	w1 := binary.LittleEndian.Uint64(h[9:])
	a, b := binary.LittleEndian.Uint64(h[1:])^0x3030303030303030, w1^0x3030303030303030
	u := h[17] - '0'
	if h[0] != ' ' || notDigits(b&^0xff0000) != 0 || byte(w1>>16) != '.' || u > 9 || h[18] != ' ' || h[19] == ' ' || h[19] == '[' {
		return nil, false
	}
	// The first eight digits change every hundred seconds: the last
	// line's are remembered (a zero word is "00000000", worth 0).
	if a != r.headWord {
		if notDigits(a) != 0 {
			return nil, false
		}
		r.headWord, r.headUsec = a, eightDigits(a)*1e8
	}
	b = b&0xffff | b>>24<<16 | uint64(u)<<56
	rec.Time, rec.TimeForm = int64(r.headUsec+eightDigits(b))*1000, TimeUnix
	rec.PID, rec.HasPID = int32(eightDigits(x<<((64-8*uint(k))&63))), true // k is 1 to 7
	return line[k+19:], true
}

// head reads a line's pid, timestamp and -n/-i columns into rec and
// returns where the rest of the line starts; ok false means a syntax
// error, reported with r.fail.
func (r *Reader) head(line []byte, lineNo int, rec *Record) (_ int, ok bool) {
	i := 0
	n := len(line)
	// What quickHead would have set (resetLine leaves it).
	rec.PID, rec.HasPID, rec.Time, rec.TimeForm = 0, false, 0, 0
	// Pid prefix.
	switch {
	case line[0] == '[' && bytes.HasPrefix(line, []byte("[pid ")):
		j := 5
		for j < n && line[j] == ' ' {
			j++
		}
		v, k := digits(line, j)
		if k == j || k >= n || line[k] != ']' {
			return 0, r.fail(lineNo, "malformed [pid N] prefix")
		}
		if v > 1<<31-1 {
			return 0, r.fail(lineNo, "pid %d out of range", v)
		}
		rec.PID, rec.HasPID = int32(v), true
		r.stderrPD = true
		i = k + 1
	case isDigit(line[0]):
		v, k := digits(line, 0)
		if k < n && (line[k] == ' ' || line[k] == '<') {
			if v > 1<<31-1 {
				return 0, r.fail(lineNo, "pid %d out of range", v)
			}
			rec.PID, rec.HasPID = int32(v), true
			i = k
			if line[k] == '<' { // -Y pid<comm>
				e := bytes.IndexByte(line[k:], '>')
				if e < 0 {
					return 0, r.fail(lineNo, "unterminated <comm> after pid")
				}
				rec.Comm = append(rec.Comm, line[k+1:k+e]...)
				i = k + e + 1
			}
		}
	}
	if !rec.HasPID && r.DefaultPID != 0 {
		rec.PID, rec.HasPID = r.DefaultPID, true
	}
	i = skipSpaces(line, i)
	// Timestamp.
	if i < n && isDigit(line[i]) {
		var ok bool
		if i, ok = r.timestamp(line, i, rec); !ok {
			return 0, r.fail(lineNo, "malformed timestamp")
		}
		i = skipSpaces(line, i)
	}
	// -n [ sysno], -i [ip].
	for i < n && line[i] == '[' {
		e := bytes.IndexByte(line[i:], ']')
		if e < 0 {
			return 0, r.fail(lineNo, "unterminated [...] column")
		}
		i = skipSpaces(line, i+e+1)
	}
	if i >= n {
		return 0, r.fail(lineNo, "line has no system call, +++ or --- part")
	}
	return i, true
}

// resumedName returns the end of NAME in body, "<... NAME resumed>...",
// or a value below 5. A name is name characters, so the marker is looked
// for where they end before it is searched for.
func resumedName(body []byte) int {
	e := 5
	for e < len(body) && isNameChar(body[e]) {
		e++
	}
	// A constant string, compared inline, rather than bytes.HasPrefix's
	// call to memequal.
	if e+9 <= len(body) && string(body[e:e+9]) == " resumed>" {
		return e
	}
	return bytes.Index(body[4:], resumedMark) + 4
}

// stash holds the first half of a split call, if rest (the text after
// "NAME(") ends with "<unfinished ...>", and reports whether it did.
// cutUnfinished's usual form, " <unfinished ...>" at the very end, is
// read inline: the calls to it and to a stash of its own were some 25
// instructions for every first half.
func (r *Reader) stash(name, rest []byte, rec *Record, lineNo int, sys sysCall) bool {
	var text []byte
	if n := len(rest) - 17; n >= 0 && rest[n] == ' ' && string(rest[n+1:]) == "<unfinished ...>" {
		text = rest[:n]
	} else {
		var ok bool
		if text, ok = cutUnfinished(rest); !ok {
			return false
		}
	}
	var p *pending
	if !rec.HasPID {
		p = &r.noPID
		if r.hasNoPD && p.create {
			r.nCreate--
		}
		r.hasNoPD = true
	} else {
		// lookupPend's cache, inline.
		c := &r.pcache[rec.PID&63]
		if p = c.p; p == nil || c.pid != rec.PID {
			p = r.newPend(rec.PID)
		}
		if !p.on {
			p.on = true
			r.nPend++
		} else if p.create {
			r.nCreate--
		}
	}
	if sys == 0 { // not found in Reader.names
		sys = sysOf(name)
	}
	if p.sys, p.create = sys, sys.isCreation(); p.create {
		r.nCreate++
	}
	// In the line, text follows name and its '(': one copy takes both.
	k := len(name) + 1
	if m := k + len(text); len(text) > 0 && cap(name) >= m && &name[:m][k] == &text[0] && cap(p.buf) >= m {
		p.buf = p.buf[:m] // the length alone is stored
		copy(p.buf, name[:m])
	} else {
		p.buf = append(append(append(p.buf[:0], name...), '('), text...)
	}
	p.n = len(name)
	p.time, p.line = rec.Time, lineNo
	if len(rec.Comm) > 0 || len(p.comm) > 0 {
		// Most logs have no -Y comm: an append of nothing still costs
		// a call to memmove.
		p.comm = append(p.comm[:0], rec.Comm...)
	}
	return true
}

// newPend returns pend[pid], made if the task has none.
func (r *Reader) newPend(pid int32) *pending {
	p, ok := r.lookupPend(pid)
	if !ok {
		if k := len(r.free); k > 0 {
			p, r.free = r.free[k-1], r.free[:k-1]
		} else {
			p = new(pending)
		}
		r.setPend(pid, p)
	}
	return p
}

// resumed lexes a call's second half, body "<... NAME resumed>REST".
// The resumed halves are half the lines of a log of threads' memory calls:
// the usual one, whose first half is the same pid's and in the cache, is
// read inline (cutDuration's usual form, dropPending), with NAME compared
// to the first half's as two words rather than scanned a byte at a time
// and then compared; every call saved every live register around it.
func (r *Reader) resumed(body []byte, lineNo int) bool {
	rec := r.rec
	if c := &r.pcache[rec.PID&63]; rec.HasPID && c.p != nil && c.pid == rec.PID && c.p.on && !r.slowResume {
		p := c.p
		// NAME is p's name (at most 16 bytes, 16 of buf compared under
		// a mask of its length) followed by " resumed>", whose space
		// ends a name as resumedName's scan would.
		if n := p.n; n <= 16 && len(p.buf) >= 16 && len(body) >= 21 && len(body) >= n+14 {
			m := &nameMasks[n]
			m0, m1 := m[0], m[1]
			d0 := binary.LittleEndian.Uint64(body[5:]) ^ binary.LittleEndian.Uint64(p.buf)
			d1 := binary.LittleEndian.Uint64(body[13:]) ^ binary.LittleEndian.Uint64(p.buf[8:])
			if d0&m0|d1&m1 == 0 && string(body[5+n:n+14]) == " resumed>" {
				name := body[5 : 5+n]
				if args, dur, ok := quickEnd(body[n+14:], rec); ok {
					// The usual end, whole in this half (quickEnd):
					// what call would do, inline.
					if r.arena != nil {
						args = r.arena.Join(p.buf[n+1:], args)
						r.joinedKept = true
					} else {
						p.buf = append(p.buf, args...)
						args = p.buf[n+1:]
					}
					if mayBeUnfinished(args) {
						if a, ok := cutUnfinished(args); ok {
							args = a
							rec.Interrupted = true
						}
					}
					rec.Kind, rec.Name, rec.Args, rec.Duration = KindCall, name, args, dur
					rec.sys = p.sys
					rec.Resumed = true
					rec.Time, rec.Line = p.time, p.line
					if len(p.comm) > 0 && len(rec.Comm) == 0 {
						rec.Comm = append(rec.Comm, p.comm...)
					}
					if p.create {
						r.nCreate--
					}
					p.on = false
					r.nPend--
					r.cur = resRec
					return true
				}
				rest, dur := cutDuration(body[n+14:])
				rec.Name = name
				rec.Duration = dur
				if mayBeUnfinished(rest) {
					return r.resumedSlow(name, rest, lineNo)
				}
				rec.Resumed = true
				var text []byte
				if r.arena != nil {
					text = r.arena.Join(p.buf[n+1:], rest)
					r.joinedKept = true
				} else {
					p.buf = append(p.buf, rest...)
					text = p.buf[n+1:]
				}
				rec.Time, rec.Line = p.time, p.line
				if len(p.comm) > 0 && len(rec.Comm) == 0 {
					rec.Comm = append(rec.Comm, p.comm...)
				}
				// dropPending: the buffers stay valid until the next stash.
				if p.create {
					r.nCreate--
				}
				p.on = false
				r.nPend--
				return r.call(text, p.line)
			}
		}
	}
	e := resumedName(body)
	if e < 5 {
		return r.fail(lineNo, "expected \"<... NAME resumed>\"")
	}
	name := body[5:e]
	rest, dur := cutDuration(body[e+len(resumedMark):])
	rec.Name = name
	rec.Duration = dur
	return r.resumedSlow(name, rest, lineNo)
}

// nameSlot is an entry of Reader.names: a call's name and its '(', as
// the first 16 bytes of a call's text have them (w0, w1: the bytes under
// the masks m0, m1, zero after), its length n and its sysCall. A line
// whose first bytes hold them under the masks holds that name, checked
// and named when the slot was filled (learnName): the name's scan, a
// byte at a time, and sysOf's switch on it were some 65 instructions for
// every call's line; an empty slot matches anything, and gives n 0, which
// parse takes for no match. Names of 16 bytes and more are scanned.
type nameSlot struct {
	w0, w1, m0, m1 uint64
	n              int
	sys            sysCall
}

// nameHash is the index in Reader.names of a text starting with w0: a
// hash of its first four bytes (a name's and its '(' for names of three
// bytes and more; others are seldom found).
func nameHash(w0 uint64) uint32 { return uint32(w0) * 0x9e3779b1 >> 26 }

// learnName fills the slot of body's name, body[:n] (checked, followed by
// '(', n below 16, body 16 bytes long at least).
func (r *Reader) learnName(body []byte, n int) {
	w0, w1 := binary.LittleEndian.Uint64(body), binary.LittleEndian.Uint64(body[8:])
	m := &nameMasks[n+1]
	r.names[nameHash(w0)] = nameSlot{w0 & m[0], w1 & m[1], m[0], m[1], n, sysOf(body[:n])}
}

// nameMasks[n] are the masks of the first n bytes of two words (a table:
// shifts by a variable amount, with Go's tests of their size, cost more).
var nameMasks = func() (t [17][2]uint64) {
	for n := range t {
		for i := range n {
			t[n][i/8] |= 0xff << (8 * (i % 8))
		}
	}
	return t
}()

// resumedSlow is resumed after the name and duration, for every case.
func (r *Reader) resumedSlow(name, rest []byte, lineNo int) bool {
	rec := r.rec
	// Find the first half: the same pid's; in a stderr log, where lines
	// printed while only one tracee lived have no pid, a pid-less half with
	// the same name, or the only pid waiting in a call of that name.
	var p *pending
	fromNoPID := false
	if rec.HasPID {
		if p, _ = r.lookupPend(rec.PID); p != nil && !p.on {
			p = nil
		}
		if p == nil && r.hasNoPD && bytes.Equal(r.noPID.name(), name) {
			p, fromNoPID = &r.noPID, true
		}
	} else {
		if r.hasNoPD && bytes.Equal(r.noPID.name(), name) {
			p, fromNoPID = &r.noPID, true
		} else {
			var found int32
			n := 0
			for pid, q := range r.pend {
				if q.on && bytes.Equal(q.name(), name) {
					found, p = pid, q
					n++
				}
			}
			if n == 1 {
				rec.PID, rec.HasPID = found, true
			} else {
				p = nil
			}
		}
	}
	if p != nil && !bytes.Equal(p.name(), name) {
		// A different call than the one pending: the pending half is lost.
		r.drop(rec.PID, fromNoPID)
		r.fail(lineNo, "<... %s resumed> does not match the unfinished %s call of line %d", name, p.name(), p.line)
		return true
	}
	if mayBeUnfinished(rest) {
		if u, ok := cutUnfinished(rest); ok && len(bytes.TrimSpace(u)) == 0 {
			// "<... NAME resumed> <unfinished ...>" with nothing
			// after: keep waiting.
			return false
		}
	}
	rec.Resumed = true
	if p == nil {
		rec.Orphan = true
		return r.call(rest, lineNo)
	}
	// Join the halves, in the batch's arena in a pipeline, else in the
	// pending buffer, which the record then uses.
	var text []byte
	if r.arena != nil {
		text = r.arena.Join(p.buf[p.n+1:], rest)
		r.joinedKept = true
	} else {
		p.buf = append(p.buf, rest...)
		text = p.buf[p.n+1:]
	}
	rec.Time = p.time
	rec.Line = p.line
	if len(rec.Comm) == 0 && len(p.comm) > 0 {
		rec.Comm = append(rec.Comm, p.comm...)
	}
	// name (equal to p.name) lies in the line, which a pipeline keeps
	// without a copy.
	ok := r.call(text, p.line)
	r.dropPending(p, fromNoPID)
	return ok
}

// drop forgets a pending half; its buffers stay valid until the next
// stash, which only happens after the next call to Next. The task's entry
// stays for its next split call.
func (r *Reader) drop(pid int32, noPID bool) {
	if noPID {
		if r.hasNoPD && r.noPID.create {
			r.nCreate--
		}
		r.hasNoPD = false
		return
	}
	if p, ok := r.lookupPend(pid); ok {
		r.dropPending(p, false)
	}
}

// dropPending is drop of a pending half already looked up.
func (r *Reader) dropPending(p *pending, noPID bool) {
	if noPID {
		r.drop(0, true)
		return
	}
	if p.on {
		if p.create {
			r.nCreate--
		}
		p.on = false
		r.nPend--
	}
}

// dropDead forgets the call a task was in when it died (a thread blocked
// in exit_group, or anything else, when the process ends never resumes),
// and the task's entry, so that pend holds only live tasks.
func (r *Reader) dropDead(rec *Record) {
	if rec.HasPID {
		r.drop(rec.PID, false)
		if p, ok := r.lookupPend(rec.PID); ok {
			r.delPend(rec.PID)
			r.free = append(r.free, p)
		}
	}
}

// call parses ARGS) = RET... (the text after "NAME(").
func (r *Reader) call(rest []byte, lineNo int) bool {
	rec := r.rec
	rec.Kind = KindCall
	rec.sys = sysOf(rec.Name)
	if p, ok := quickRet(rest, rec); ok {
		args := rest[:p]
		if mayBeUnfinished(args) {
			if a, ok := cutUnfinished(args); ok {
				args = a
				rec.Interrupted = true
			}
		}
		rec.Args = args
		r.cur = resRec
		return true
	}
	p, q := retBoundary(rest)
	if p < 0 {
		if bytes.HasSuffix(trimSpaceRight(rest), []byte(")")) {
			// No return at all: a call printed by -e status filtering
			// without one; treat as never returned.
			rec.Args = trimSpaceRight(rest)
			rec.Args = rec.Args[:len(rec.Args)-1]
			rec.Interrupted = true
			r.cur = resRec
			return true
		}
		return r.fail(lineNo, "expected \") = RETURN\" at the end of the %s call", rec.Name)
	}
	args := rest[:p]
	if mayBeUnfinished(args) {
		if a, ok := cutUnfinished(args); ok {
			args = a
			rec.Interrupted = true
		}
	}
	rec.Args = args
	if !parseRet(rest[q:], rec) {
		return r.fail(lineNo, "cannot read the return value %q of %s", trimTo(rest[q:], 40), rec.Name)
	}
	r.cur = resRec
	return true
}

func trimTo(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// retBoundary finds, from the right, the ")" closing the arguments and the
// start of the return value after "= ". Strings in the arguments cannot
// fool it: the return value never contains ") = ".
func retBoundary(s []byte) (paren, ret int) {
	for k := len(s) - 2; k > 0; k-- {
		if s[k] != '=' || s[k+1] != ' ' || s[k-1] != ' ' {
			continue
		}
		j := k - 1
		for j >= 0 && s[j] == ' ' {
			j--
		}
		if j >= 0 && s[j] == ')' {
			return j, k + 2
		}
	}
	return -1, -1
}

// quickCall lexes the usual call, whole on its line, from the text after
// "NAME(": its usual end (quickEnd), as the rest of parse and call would,
// without their calls and tests; it is false, having set nothing, for
// every other text. (r.noQuick, for tests, turns it off.) It carried a
// copy of quickEnd, whose call cost 0.6% more instructions, until the
// profile-guided build (cmd/analyze/default.pgo) inlined the call.
func (r *Reader) quickCall(name, s []byte, rec *Record, sys sysCall) bool {
	args, dur, ok := quickEnd(s, rec)
	if !ok {
		return false
	}
	if mayBeUnfinished(args) {
		if a, ok := cutUnfinished(args); ok {
			args = a
			rec.Interrupted = true
		}
	}
	if sys == 0 {
		sys = sysOf(name)
	}
	rec.Kind, rec.Name, rec.Args, rec.Duration, rec.sys = KindCall, name, args, dur, sys
	r.cur = resRec
	return true
}

// quickEnd reads the usual end of a call's text: ") = " and a hex or
// decimal value (as quickRet), after which only cutDuration's usual
// " <S.UUUUUU>" may follow (dur -1 without it). It returns the text
// before the ")", the duration and the value; ok is false for every
// other end.
func quickEnd(s []byte, rec *Record) (args []byte, dur int64, ok bool) {
	dur = -1
	if n := len(s); n > 0 && s[n-1] == '>' {
		// cutDuration's usual form, inline.
		if n < 11 || binary.LittleEndian.Uint16(s[n-11:]) != durOpen {
			return nil, 0, false
		}
		a := binary.LittleEndian.Uint64(s[n-9:n-1]) ^ 0x3030303030303030
		if byte(a>>8) != '.'^'0' || notDigits(a&^0xff00) != 0 {
			return nil, 0, false
		}
		s, dur = s[:n-11], int64(a&0xff)*1e9+int64(eightDigits(a&^0xffff))*1000
	}
	if v, p := hex12(s); p >= 0 {
		rec.RetVal, rec.Ret = int64(v), RetValue
		return s[:p], dur, true
	}
	// quickRet, inline.
	var v uint64
	k := len(s) - 1
	for ; k >= 0; k-- {
		d := hexDigit[s[k]]
		if d > 15 {
			break
		}
		v = v>>4 | uint64(d)<<60
	}
	n := len(s) - 1 - k
	if k < 3 || n == 0 || n > 16 {
		goto rare
	}
	switch s[k] {
	case 'x':
		if k < 5 || binary.LittleEndian.Uint32(s[k-5:]) != retOpen || s[k-1] != '0' {
			goto rare
		}
		rec.RetVal, rec.Ret = int64(v>>((64-4*uint(n))&63)), RetValue
		return s[:k-5], dur, true
	case ' ':
		if binary.LittleEndian.Uint32(s[k-3:]) != retOpen {
			goto rare
		}
		v = 0
		for _, c := range s[k+1:] {
			if c-'0' > 9 {
				goto rare
			}
			v = v*10 + uint64(c-'0')
		}
		rec.RetVal, rec.Ret = int64(v), RetValue
		return s[:k-3], dur, true
	}
rare:
	p, ret, val, errno, ok := rareEnd(s)
	if !ok {
		return nil, 0, false
	}
	rec.RetVal, rec.Ret, rec.Errno = val, ret, errno
	return s[:p], dur, true
}

// rareEnd is retBoundary and parseRet of the less usual ends of a call
// that quickCall and quickEnd meet, after the return value's usual form
// failed them: a failure, ") = -1 ENAME (message)", a call that does not
// return, ") = ?", and the usual values after a " = " that strace pads
// with spaces. It returns where the ")" is and the return; ok is false
// for every other end. (A failed call's line, through the general path,
// was some 400 instructions.)
func rareEnd(s []byte) (paren int, ret RetKind, val int64, errno []byte, ok bool) {
	n := len(s)
	if n == 0 {
		return
	}
	q := 0 // where the return starts
	switch c := s[n-1]; {
	case c == '?':
		q, ret = n-1, RetNone
	case c == ')':
		// The message, without '=' (so that retBoundary finds the same
		// " = "), after the last '(' ...
		o := n - 2
		for o >= 0 && s[o] != '(' {
			if s[o] == '=' {
				return
			}
			o--
		}
		// ... after "-1 ENAME ".
		e := o - 1
		if e < 1 || s[e] != ' ' {
			return
		}
		b := e
		for b > 0 && (s[b-1]-'A' < 26 || s[b-1]-'0' < 10 || s[b-1] == '_') {
			b--
		}
		if b == e || s[b] != 'E' || b < 3 || s[b-1] != ' ' || s[b-2] != '1' || s[b-3] != '-' {
			return
		}
		q, ret, val, errno = b-3, RetError, -1, s[b:e]
	default:
		// A hex or decimal value, as in quickRet.
		var v uint64
		k := n - 1
		for ; k >= 0; k-- {
			d := hexDigit[s[k]]
			if d > 15 {
				break
			}
			v = v>>4 | uint64(d)<<60
		}
		m := n - 1 - k
		if m == 0 || m > 16 || k < 1 {
			return
		}
		switch {
		case s[k] == 'x' && s[k-1] == '0':
			q, val = k-1, int64(v>>((64-4*uint(m))&63))
		case s[k] == ' ':
			v = 0
			for _, c := range s[k+1:] {
				if c-'0' > 9 {
					return
				}
				v = v*10 + uint64(c-'0')
			}
			q, val = k+1, int64(v)
		default:
			return
		}
		ret = RetValue
	}
	// " = ", spaces, and the ')'.
	if q < 4 || s[q-1] != ' ' || s[q-2] != '=' || s[q-3] != ' ' {
		return 0, 0, 0, nil, false
	}
	j := q - 4
	for j >= 0 && s[j] == ' ' {
		j--
	}
	if j < 0 || s[j] != ')' {
		return 0, 0, 0, nil, false
	}
	return j, ret, val, errno, true
}

// quickRet is retBoundary and parseRet of the usual end of a call, ") = "
// and a hex or decimal value at the very end, read in one pass from the
// right: the value's digits were read twice, once by each (a memory
// call's address is a dozen of them). It returns where the ")" is; ok is
// false for every other end, which retBoundary and parseRet then read.
func quickRet(s []byte, rec *Record) (paren int, ok bool) {
	// Hex digits from the right, each shifted in at the top: a shift by
	// a constant (one by a variable is tested for 64 and more), the
	// value shifted down once at the end. More than 16 digits are
	// parseRet's.
	var v uint64
	k := len(s) - 1
	for ; k >= 0; k-- {
		d := hexDigit[s[k]]
		if d > 15 {
			break
		}
		v = v>>4 | uint64(d)<<60
	}
	n := len(s) - 1 - k // digits
	if k < 4 || n == 0 || n > 16 {
		return 0, false
	}
	switch s[k] {
	case 'x': // "0x" and the digits
		if k < 5 || binary.LittleEndian.Uint32(s[k-5:]) != retOpen || s[k-1] != '0' {
			return 0, false
		}
		rec.RetVal, rec.Ret = int64(v>>((64-4*uint(n))&63)), RetValue // n is 1 to 16
		return k - 5, true
	case ' ': // decimal digits only
		if binary.LittleEndian.Uint32(s[k-3:]) != retOpen {
			return 0, false
		}
		v = 0
		for _, c := range s[k+1:] {
			if c-'0' > 9 {
				return 0, false
			}
			v = v*10 + uint64(c-'0')
		}
		rec.RetVal, rec.Ret = int64(v), RetValue
		return k - 3, true
	}
	return 0, false
}

// hex12 reads the commonest end of a call, ") = 0x" and twelve lowercase
// hex digits (an address, as mmap and brk return), as the loops over hex
// digits from the right read it, two words at a time; paren is where
// the ")" is, or -1 for every other end. (The loop took some 130
// instructions for the twelve digits.)
func hex12(s []byte) (v uint64, paren int) {
	n := len(s)
	if n < 18 {
		return 0, -1
	}
	t := s[n-18:]
	if binary.LittleEndian.Uint32(t) != retOpen || binary.LittleEndian.Uint16(t[4:]) != 'x'<<8|'0' {
		return 0, -1
	}
	hi, ok1 := hexWord(binary.LittleEndian.Uint64(t[6:]))
	lo, ok2 := hexWord(binary.LittleEndian.Uint64(t[10:]))
	if !ok1 || !ok2 {
		return 0, -1
	}
	return hi<<16 | lo&0xffff, n - 18
}

// hexWord reads eight lowercase hex digits, the first in the lowest byte
// of x; ok is false if a byte is no such digit.
func hexWord(x uint64) (_ uint64, ok bool) {
	// Each byte's value were it a digit, and the digit that writes that
	// value: the byte was one if the two agree and the value is below 16
	// ('g' to 'o' make 16 to 24, "written" as themselves). No sum
	// carries into the next byte: the values are at most 24.
	d := x&0x0f0f0f0f0f0f0f0f + x>>6&0x0101010101010101*9
	w := d + 0x3030303030303030 + (d+0x7676767676767676)>>7&0x0101010101010101*0x27
	if w != x || (d+0x7070707070707070)&0x8080808080808080 != 0 {
		return 0, false
	}
	// The nibbles, the first the highest: by pairs, fours, eights.
	d = (d<<4 | d>>8) & 0x00ff00ff00ff00ff
	d = (d<<8 | d>>16) & 0x0000ffff0000ffff
	return (d<<16 | d>>32) & 0xffffffff, true
}

// retOpen is ") = ", before a call's return value, as a little-endian word.
const retOpen = ' '<<24 | '='<<16 | ' '<<8 | ')'

// parseRet reads "RET[ ERRNO (text)][ (INJECTED)]...".
func parseRet(s []byte, rec *Record) bool {
	if len(s) == 0 {
		return false
	}
	if s[0] == '?' {
		rec.Ret = RetNone
		tail := bytes.TrimSpace(s[1:])
		if bytes.HasPrefix(tail, []byte("<unavailable>")) {
			rec.Ret = RetUnavail
		} else if len(tail) > 0 && tail[0] == 'E' {
			e := bytes.IndexByte(tail, ' ')
			if e < 0 {
				e = len(tail)
			}
			rec.Errno = tail[:e]
		}
		return true
	}
	neg := false
	i := 0
	if s[0] == '-' {
		neg = true
		i = 1
	}
	var v uint64
	start := i
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		i += 2
		start = i
		for i < len(s) {
			d := hexDigit[s[i]]
			if d > 15 {
				goto done
			}
			v = v<<4 | uint64(d)
			i++
		}
	} else {
		for i < len(s) && isDigit(s[i]) {
			v = v*10 + uint64(s[i]-'0')
			i++
		}
	}
done:
	if i == start {
		return false
	}
	if i < len(s) && s[i] == '<' { // -Y: 4450<prog>
		if e := bytes.IndexByte(s[i:], '>'); e > 0 {
			i += e + 1
		}
	}
	if i < len(s) && s[i] != ' ' {
		return false
	}
	rec.RetVal = int64(v)
	if neg {
		rec.RetVal = -rec.RetVal
	}
	rec.Ret = RetValue
	tail := s[skipSpaces(s, i):]
	if neg && len(tail) > 0 && tail[0] == 'E' {
		e := bytes.IndexByte(tail, ' ')
		if e < 0 {
			e = len(tail)
		}
		rec.Errno = tail[:e]
		rec.Ret = RetError
	}
	return true
}

// hexDigit is the value of a hex digit, 0xff for other bytes: one load
// per digit of the hex return values of memory calls.
var hexDigit = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c], t[c-'a'+'A'] = byte(c-'a'+10), byte(c-'a'+10)
	}
	return t
}()

// durOpen is " <", which opens a -T duration, as a little-endian halfword.
const durOpen = '<'<<8 | ' '

// cutDuration removes a -T " <0.000123>" suffix.
func cutDuration(s []byte) ([]byte, int64) {
	// The usual form, " <S.UUUUUU>" at the very end: " <" in a halfword,
	// "S.UUUUUU" in a word (notDigits of all but the '.'), and '>'.
	if n := len(s); n >= 11 && s[n-1] == '>' && binary.LittleEndian.Uint16(s[n-11:]) == durOpen {
		a := binary.LittleEndian.Uint64(s[n-9:n-1]) ^ 0x3030303030303030
		if byte(a>>8) == '.'^'0' && notDigits(a&^0xff00) == 0 {
			return s[:n-11], int64(a&0xff)*1e9 + int64(eightDigits(a&^0xffff))*1000
		}
	}
	return cutDurationSlow(s)
}

// cutDurationSlow is cutDuration for every form of the suffix.
func cutDurationSlow(s []byte) ([]byte, int64) {
	n := len(s)
	for n > 0 && s[n-1] == ' ' {
		n--
	}
	if n < 3 || s[n-1] != '>' {
		return s, -1
	}
	o := bytes.LastIndexByte(s[:n], '<')
	if o < 0 || o == 0 || s[o-1] != ' ' {
		return s, -1
	}
	sec, k := digits(s, o+1)
	if k == o+1 || k >= n-1 || s[k] != '.' {
		return s, -1
	}
	frac, e := digits(s, k+1)
	if e != n-1 || e-(k+1) > 9 || e == k+1 {
		return s, -1
	}
	for d := e - (k + 1); d < 9; d++ {
		frac *= 10
	}
	return s[:o-1], int64(sec)*1e9 + int64(frac)
}

// mayBeUnfinished is false for most s that cutUnfinished turns away
// (text ending in a return value or in a duration's digit and '>'):
// inlined before a call to it, it saves the call on most lines.
func mayBeUnfinished(s []byte) bool {
	n := len(s)
	return n >= 2 && (s[n-1] == ' ' || s[n-1] == '>' && s[n-2] == '.')
}

// cutUnfinished reports whether s ends with "<unfinished ...>" and returns
// the text before it (without the one space strace prints before it).
func cutUnfinished(s []byte) ([]byte, bool) {
	t := trimSpaceRight(s)
	// "...>" is told from a duration's "6>" before the whole mark is
	// compared: every line of a -T log ends in '>'.
	// The mark is compared as a constant string, which the compiler does
	// in two words: bytes.HasSuffix's call to memequal cost more than the
	// comparison (half the lines of a log of threads' memory calls end in
	// it).
	n := len(t)
	if n < len(unfinishedMark) || t[n-1] != '>' || t[n-2] != '.' || string(t[n-16:]) != "<unfinished ...>" {
		return s, false
	}
	t = t[:len(t)-len(unfinishedMark)]
	if len(t) > 0 && t[len(t)-1] == ' ' {
		t = t[:len(t)-1]
	}
	return t, true
}

func (r *Reader) exitLine(body []byte, lineNo int) bool {
	rec := r.rec
	rec.Kind = KindExit
	rec.clearCall()
	in, ok := bytes.CutSuffix(trimSpaceRight(body[4:]), []byte(" +++"))
	if !ok {
		return r.fail(lineNo, "expected \"+++ ... +++\"")
	}
	switch {
	case bytes.HasPrefix(in, []byte("exited with ")):
		v, k := digits(in, len("exited with "))
		if k != len(in) || k == len("exited with ") {
			return r.fail(lineNo, "expected \"+++ exited with N +++\"")
		}
		rec.ExitStatus = int32(v)
		r.dropDead(rec)
	case bytes.HasPrefix(in, []byte("killed by ")):
		s := in[len("killed by "):]
		if t, ok := bytes.CutSuffix(s, []byte(" (core dumped)")); ok {
			s = t
			rec.CoreDumped = true
		}
		if e := bytes.IndexByte(s, ' '); e > 0 {
			s = s[:e]
		}
		if len(s) == 0 {
			return r.fail(lineNo, "expected \"+++ killed by SIGNAL +++\"")
		}
		rec.KillSignal = s
		r.dropDead(rec)
	case bytes.HasPrefix(in, []byte("superseded by execve in pid ")):
		v, k := digits(in, len("superseded by execve in pid "))
		if k != len(in) || v == 0 || v > 1<<31-1 {
			return r.fail(lineNo, "expected \"+++ superseded by execve in pid N +++\"")
		}
		rec.SupersededBy = int32(v)
		if rec.HasPID {
			// The thread's execve resumes under the leader's pid.
			r.moveUnfinished(rec.SupersededBy, rec.PID)
		}
	default:
		return r.fail(lineNo, "unknown +++ line")
	}
	r.cur = resRec
	return true
}

func (r *Reader) signalLine(body []byte, lineNo int) bool {
	rec := r.rec
	rec.Kind = KindSignal
	rec.clearCall()
	// The usual line, "--- SIGNAME {INFO} ---" (a Go program's log is a
	// fifth SIGURG): its name of capitals and digits up to a space and
	// the brace, its info up to the brace before " ---", read in one
	// pass over the name, where the general code below made five calls.
	if n := len(body); n >= 12 && !r.noQuick && string(body[n-5:]) == "} ---" {
		in := body[4 : n-4]
		e := 0
		for e < len(in) && (in[e]-'A' < 26 || in[e]-'0' < 10) {
			e++
		}
		if e > 0 && e+1 < len(in) && in[e] == ' ' && in[e+1] == '{' {
			rec.Signal, rec.SigInfo = in[:e], in[e+2:len(in)-1]
			r.cur = resRec
			return true
		}
	}
	in, ok := bytes.CutSuffix(trimSpaceRight(body[4:]), []byte(" ---"))
	if !ok {
		return r.fail(lineNo, "expected \"--- SIGNAL {...} ---\"")
	}
	if s, ok := bytes.CutPrefix(in, []byte("stopped by ")); ok {
		in = s
	}
	e := bytes.IndexByte(in, ' ')
	if e < 0 {
		e = len(in)
	}
	rec.Signal = in[:e]
	if len(rec.Signal) == 0 {
		return r.fail(lineNo, "signal line without a signal")
	}
	if o := bytes.IndexByte(in, '{'); o >= 0 {
		if c := bytes.LastIndexByte(in, '}'); c > o {
			rec.SigInfo = in[o+1 : c]
		}
	}
	r.cur = resRec
	return true
}

// timestamp lexes -t, -tt, -ttt, ns precision, -r and -t -r forms.
func (r *Reader) timestamp(line []byte, i int, rec *Record) (int, bool) {
	if r.form != TimeRelative {
		if t, e, ok := unixTime(line, i); ok {
			rec.Time, rec.TimeForm = t, TimeUnix
			r.form = TimeUnix
			return e, true
		}
	}
	n := len(line)
	v, k := digits(line, i)
	if k < n && line[k] == ':' {
		// HH:MM:SS[.frac]
		mm, k2 := digits(line, k+1)
		if k2 != k+3 || k2 >= n || line[k2] != ':' {
			return i, false
		}
		ss, k3 := digits(line, k2+1)
		if k3 != k2+3 || v > 23 || mm > 59 || ss > 60 {
			return i, false
		}
		tod := int64(v*3600+mm*60+ss) * 1e9
		k = k3
		if k < n && line[k] == '.' {
			f, ok := 0, false
			var fv int64
			if fv, f, ok = fraction(line, k+1); !ok {
				return i, false
			}
			tod += fv
			k = f
		}
		// -t -r: "HH:MM:SS (+     0.001112)"
		if k+2 < n && line[k] == ' ' && line[k+1] == '(' && line[k+2] == '+' {
			j := skipSpaces(line, k+3)
			sec, j2 := digits(line, j)
			if j2 == j || j2 >= n || line[j2] != '.' {
				return i, false
			}
			fv, j3, ok := fraction(line, j2+1)
			if !ok || j3 >= n || line[j3] != ')' {
				return i, false
			}
			if !r.haveTod {
				r.haveTod, r.todBase = true, tod
			}
			r.relSum += int64(sec)*1e9 + fv
			rec.Time, rec.TimeForm = r.todBase+r.relSum, TimeOfDay
			r.form = TimeOfDay
			return j3 + 1, true
		}
		// Midnight: a clock going back by more than 12 hours rolled over.
		if r.haveTod && tod+12*3600e9 < r.lastTod {
			r.day++
		}
		r.haveTod, r.lastTod = true, tod
		rec.Time, rec.TimeForm = r.day*86400e9+tod, TimeOfDay
		r.form = TimeOfDay
		return k, true
	}
	if k >= n || line[k] != '.' || k == i {
		return i, false
	}
	fv, f, ok := fraction(line, k+1)
	if !ok {
		return i, false
	}
	if k-i >= 9 && r.form != TimeRelative {
		rec.Time, rec.TimeForm = int64(v)*1e9+fv, TimeUnix
		r.form = TimeUnix
	} else {
		r.relSum += int64(v)*1e9 + fv
		rec.Time, rec.TimeForm = r.relSum, TimeRelative
		r.form = TimeRelative
	}
	return f, true
}

// unixTime reads the usual -ttt timestamp, ten digits of seconds and six
// of microseconds ("1795742086.212042"), as sixteen digits in two
// eight-byte words (the '.' squeezed out of the second); ok is false for
// every other form, which timestamp then reads. Every line has one, and
// reading it a digit at a time was a fifth of parse.
func unixTime(line []byte, i int) (t int64, end int, ok bool) {
	if i < 0 || i+19 > len(line) {
		return 0, i, false
	}
	// "SSSSSSSS" and "SS.UUUUU", then the last U and the byte after it.
	// (quickHead reads it so too, inline.)
	w := binary.LittleEndian.Uint64(line[i+8:])
	a, b := binary.LittleEndian.Uint64(line[i:])^0x3030303030303030, w^0x3030303030303030
	u, after := line[i+16]-'0', line[i+17]-'0'
	if notDigits(a)|notDigits(b&^0xff0000) != 0 || byte(w>>16) != '.' || u > 9 || after <= 9 {
		return 0, i, false
	}
	// The digit values SSUUUUUU, the '.' dropped.
	b = b&0xffff | b>>24<<16 | uint64(u)<<56
	usec := eightDigits(a)*1e8 + eightDigits(b)
	return int64(usec) * 1000, i + 17, true
}

// notDigits is 0 when every byte of a, a word of bytes xor '0', is a
// digit's value (0 to 9); else it has the high bit of the first byte (in
// memory order, little-endian) that is not set, and maybe of later ones.
// Adding 0x76 sets a byte's high bit from 10 up; one of 0x8a or more
// carries into the next byte instead, but has its own high bit set, and
// a carry goes only from a byte that is not a digit's to a later one.
// Two constants, where testing the nibbles took four: Go loads a 64-bit
// constant anew at every use (scripts/ir-convert).
func notDigits(a uint64) uint64 {
	return (a + 0x7676767676767676 | a) & 0x8080808080808080
}

// fraction reads 1 to 9 digits of a decimal fraction as nanoseconds.
func fraction(b []byte, i int) (int64, int, bool) {
	v, k := digits(b, i)
	d := k - i
	if d == 0 || d > 9 {
		return 0, k, false
	}
	for ; d < 9; d++ {
		v *= 10
	}
	return int64(v), k, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// trimSpaceRight drops trailing spaces (bytes.TrimRight with a cutset is
// slower, and every line's tail is trimmed several times).
func trimSpaceRight(s []byte) []byte {
	n := len(s)
	for n > 0 && s[n-1] == ' ' {
		n--
	}
	return s[:n]
}

// isNameChar reports whether c may be part of a system call's name: one
// load from a table, for the name of every call line.
func isNameChar(c byte) bool { return nameChars[c] }

var nameChars = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c >= 'A' && c <= 'Z' || c == '?'
	}
	return t
}()

func skipSpaces(b []byte, i int) int {
	for i < len(b) && b[i] == ' ' {
		i++
	}
	return i
}

// digits reads a decimal number at b[i:], saturating at 2^62.
//
// Eight bytes at a time where the line has them (SWAR: the digits of a
// word are found and combined with a few multiplications): a line's pid,
// timestamp and duration are some thirty digits, and reading them one at a
// time was a third of parse.
func digits(b []byte, i int) (uint64, int) {
	if i >= 0 && i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i : i+8])
		n := leadingDigits(x)
		if n < 8 {
			if n == 0 {
				return 0, i
			}
			return eightDigits((x ^ 0x3030303030303030) << (64 - 8*n)), i + n
		}
		return digitsSlow(b, i+8, eightDigits(x^0x3030303030303030))
	}
	return digitsSlow(b, i, 0)
}

// digitsSlow is digits one byte at a time, from v read so far.
func digitsSlow(b []byte, i int, v uint64) (uint64, int) {
	for ; i < len(b); i++ {
		d := b[i] - '0' // one unsigned comparison tells a digit
		if d > 9 {
			break
		}
		if v < 1<<58 {
			v = v*10 + uint64(d)
		}
	}
	return v, i
}

// leadingDigits returns how many of the first bytes of x (in memory order,
// little-endian) are ASCII digits, 0 to 8.
func leadingDigits(x uint64) int {
	// A digit becomes 0x00..0x09; the first byte that does not has the
	// lowest bit of notDigits.
	return bits.TrailingZeros64(notDigits(x^0x3030303030303030)) >> 3
}

// eightDigits combines eight digit values (0..9, the first in the lowest
// byte) into their number.
func eightDigits(a uint64) uint64 {
	a = a*10 + a>>8
	a = ((a&0x000000ff000000ff)*(100+1000000<<32) + (a>>16&0x000000ff000000ff)*(1+10000<<32)) >> 32
	return uint64(uint32(a))
}

func atoi(b []byte) (int64, bool) {
	v, k := digits(b, 0)
	if k != len(b) || k == 0 {
		return 0, false
	}
	return int64(v), true
}

// stripANSI appends line without its ANSI CSI sequences (ESC [ ... final).
func stripANSI(dst, line []byte) []byte {
	for i := 0; i < len(line); i++ {
		if line[i] != 0x1b {
			dst = append(dst, line[i])
			continue
		}
		if i+1 < len(line) && line[i+1] == '[' {
			j := i + 2
			for j < len(line) && (line[j] < 0x40 || line[j] > 0x7e) {
				j++
			}
			i = j // skip the final byte too
		}
	}
	return dst
}
