// Package kdump reads the text that kdump(1) prints from ktrace files on
// NetBSD, FreeBSD, OpenBSD and DragonFly, and converts it into forkcost
// traces with the semantics of trace/bsd.
//
// A record is one header line, "PID [LWP|/TID|:LWP] COMM [TIME...] TYPE
// PAYLOAD", possibly followed by indented continuation lines (GIO data,
// OpenBSD ARGS items, hex dumps). The header's shape differs by OS:
//
//	NetBSD     "%6d %6d %-8.*s " pid, lwp, comm; times "%ld.%09ld "
//	FreeBSD    "%6jd %-8.*s " pid, comm; "%6jd %6jd %-8.*s " with -H;
//	           an ABI tag ("F64  ") before it with -A; times "%jd.%06ld "
//	OpenBSD    "%6ld" pid, "/%-7ld" tid with -H, " %-8s " comm
//	DragonFly  "pid:lwp comm"
//
// Timestamps may be absolute (-T), elapsed since the first record (-E) or
// relative to the previous one (-R), or absent; the Reader decides which
// from the first lines (Reader.Form overrides it) and returns times on one
// clock. The OS is decided the same way (Reader.ForceOS overrides it).
package kdump

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

// Reader reads a kdump text one record at a time, in the style of the
// strace Reader: Next advances, Record or SyntaxError return the result,
// and the Reader owns every buffer it returns.
type Reader struct {
	name string
	// The line reader: its MaxLine (the longest line kept, DefaultMaxLine
	// if 0), Lines and Bytes are the Reader's.
	lineread.Reader
	// Form, when not TimeAuto (the default), is the log's time form.
	Form bsd.TimeForm
	// ForceOS, when set, is the OS the log comes from.
	ForceOS string

	err error

	yieldSoon, yielded bool

	rec    bsd.Record
	synErr bsd.SyntaxError
	isErr  bool
	text   []byte
	joined []byte

	scanned bool
	form    bsd.TimeForm
	os      string
	relSum  int64

	// the last header, for continuation lines
	last     header
	lastOK   bool
	lastComm []byte

	// Counters.
	Continuations int64 // continuation lines read (GIO data, ARGS items, dumps)
	Dropped       int64 // "Events dropped." lines (the kernel lost records)
}

// NewReader returns a Reader of r; name is used in syntax errors.
func NewReader(r io.Reader, name string) *Reader {
	rd := &Reader{name: name, Form: bsd.TimeAuto}
	rd.Init(r, 256<<10)
	return rd
}

// Name returns the name given to NewReader.
func (r *Reader) Name() string { return r.name }

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

// OS returns the OS the log comes from.
func (r *Reader) OS() string { r.scan(); return r.os }

// BytesRead returns the bytes consumed.
func (r *Reader) BytesRead() int64 { return r.Bytes }

// LineReader returns the line reader (bsd.Source).
func (r *Reader) LineReader() *lineread.Reader { return &r.Reader }

// YieldSoon makes Next return between lines, with nothing (bsd.Source).
func (r *Reader) YieldSoon() { r.yieldSoon = true }

func (r *Reader) fail(line int, format string, args ...any) bool {
	r.synErr = bsd.SyntaxError{File: r.name, Line: line, Msg: fmt.Sprintf(format, args...)}
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

// Next advances to the next record or syntax error. It returns false at
// the end of the input or on an I/O error (see Err).
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
			r.lastOK = false
			return r.fail(r.LineNo, "line longer than %d bytes skipped", len(line))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var h header
		if parseHeader(line, &h) {
			r.last, r.lastOK = h, true
			r.lastComm = append(r.lastComm[:0], h.comm...)
			r.last.comm = r.lastComm
			if r.record(&h, line) {
				return true
			}
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && r.lastOK && hasContinuations(r.last.typ) {
			// A continuation line of the previous record.
			r.Continuations++
			if r.lastOK && r.last.typ == "ARGS" {
				if r.argItem(line) {
					return true
				}
			}
			continue
		}
		if bytes.HasPrefix(line, []byte("Events dropped")) {
			r.Dropped++
			continue
		}
		r.lastOK = false
		return r.fail(r.LineNo, "not a kdump record: %.60q", line)
	}
}

// argItem reads an OpenBSD ARGS item: "\t[3] = \"-c\"".
func (r *Reader) argItem(line []byte) bool {
	s := bytes.TrimSpace(line)
	if len(s) < 5 || s[0] != '[' {
		return false
	}
	end := bytes.IndexByte(s, ']')
	if end < 0 {
		return false
	}
	idx, ok := atoi(s[1:end])
	if !ok {
		return false
	}
	rest := bytes.TrimSpace(s[end+1:])
	rest, ok = bytes.CutPrefix(rest, []byte("="))
	if !ok {
		return false
	}
	r.setHeader(&r.last)
	r.rec.Type = bsd.ArgItem
	r.rec.Index = int(idx)
	r.text = bsd.Unquote(r.text[:0], rest)
	r.rec.Text = r.text
	// An ARGS item has the time of its record: no new time.
	return true
}

func (r *Reader) setHeader(h *header) {
	r.rec = bsd.Record{File: r.name, Line: r.LineNo, PID: h.pid, TID: h.tid, HasTID: h.hasTID, HasPID: true, Comm: h.comm}
	if h.ntimes > 0 && r.form != bsd.TimeNone && r.form != bsd.TimeDuration {
		r.rec.HasTime = true
		r.rec.Time = h.times[0]
		if r.form == bsd.TimeRelative {
			r.rec.Time = r.relSum
		}
	}
}

// record fills r.rec from a header line; false when the line carries
// nothing (never: every header is a record).
func (r *Reader) record(h *header, line []byte) bool {
	if h.ntimes > 0 && r.form == bsd.TimeRelative {
		r.relSum += h.times[0]
	}
	r.setHeader(h)
	rec := &r.rec
	p := h.payload
	switch h.typ {
	case "CALL":
		rec.Type = bsd.Call
		name, args := splitCall(p)
		rec.Name, rec.Args = name, args
		if len(name) == 0 {
			return r.fail(r.LineNo, "CALL without a system call name")
		}
	case "RET":
		rec.Type = bsd.Ret
		name, rest := cutSpace(p)
		if len(name) == 0 {
			return r.fail(r.LineNo, "RET without a system call name")
		}
		rec.Name = name
		if !parseRet(rest, rec) {
			return r.fail(r.LineNo, "RET %s: cannot read the return value %.40q", name, rest)
		}
	case "NAMI":
		rec.Type = bsd.Nami
		r.text = bsd.Unquote(r.text[:0], p)
		rec.Text = r.text
	case "EMUL":
		rec.Type = bsd.Emul
		r.text = bsd.Unquote(r.text[:0], p)
		rec.Text = r.text
	case "ARG":
		// NetBSD KTR_EXEC_ARG: the arguments as one vis(3) C-style string,
		// NULs as \0, folded with "\" at the end of a line and a tab at
		// the start of the next.
		r.joined = append(r.joined[:0], p...)
		for oddBackslashes(r.joined) {
			next, _, ok := r.readLine()
			if !ok {
				break
			}
			r.Continuations++
			r.joined = append(r.joined[:len(r.joined)-1], bytes.TrimLeft(next, "\t")...)
		}
		rec.Type = bsd.ArgItem
		rec.Index = -1 // all the arguments, NUL-separated
		r.text = bsd.Unquote(r.text[:0], r.joined)
		rec.Text = r.text
	case "PSIG":
		rec.Type = bsd.Psig
		name, rest := cutSpace(p)
		rec.SigName = name
		rec.Signal = bsd.SignalNumber(name)
		act, info := cutSpace(rest)
		rec.Default = string(act) == "SIG_DFL"
		if rec.Default || string(act) == "caught" || string(act) == "SIG_IGN" {
			rec.Info = info
		} else {
			rec.Info = rest
		}
	default:
		rec.Type = bsd.Other
		if !knownTypes[h.typ] {
			rec.Unknown = true
			rec.Name = append(r.text[:0], h.typ...)
			r.text = rec.Name
		}
	}
	return true
}

// oddBackslashes reports whether b ends in an odd number of backslashes:
// a line folded by kdump's visdump.
func oddBackslashes(b []byte) bool {
	n := 0
	for i := len(b) - 1; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// hasContinuations reports whether records of type typ may be followed
// by indented lines: data dumps (GIO, USER, STRU, MMSG, ...) and OpenBSD
// ARGS/ENV items do, system call records never.
func hasContinuations(typ string) bool {
	switch typ {
	case "CALL", "RET", "NAMI", "PSIG", "EMUL", "CSW":
		return false
	}
	return true
}

// splitCall splits "name(args)" (or a bare "name").
func splitCall(p []byte) (name, args []byte) {
	i := bytes.IndexByte(p, '(')
	if i < 0 {
		return bytes.TrimSpace(p), nil
	}
	name = bytes.TrimSpace(p[:i])
	args = p[i+1:]
	if j := bytes.LastIndexByte(args, ')'); j >= 0 {
		args = args[:j]
	}
	return name, args
}

func cutSpace(p []byte) (tok, rest []byte) {
	for len(p) > 0 && (p[0] == ' ' || p[0] == '\t') {
		p = p[1:]
	}
	i := 0
	for i < len(p) && p[i] != ' ' && p[i] != '\t' {
		i++
	}
	tok, rest = p[:i], p[i:]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
		rest = rest[1:]
	}
	return tok, rest
}

// parseRet reads a RET payload after the name: "1235/0x4d3", "0x4d3", "0",
// "-1 errno 2 No such file or directory", "JUSTRETURN", "RESTART", with a
// NetBSD second value ", 1" ignored.
func parseRet(s []byte, rec *bsd.Record) bool {
	s = bytes.TrimSpace(s)
	if len(s) == 0 {
		rec.Ret = bsd.RetNone
		return true
	}
	tok, rest := cutSpace(s)
	switch string(tok) {
	case "JUSTRETURN", "EJUSTRETURN":
		rec.Ret = bsd.RetJustReturn
		return true
	case "RESTART", "ERESTART":
		rec.Ret = bsd.RetRestart
		return true
	}
	if string(tok) == "-1" && bytes.HasPrefix(rest, []byte("errno")) {
		num, _ := cutSpace(rest[len("errno"):])
		n, ok := atoi(num)
		if !ok {
			return false
		}
		rec.Ret, rec.Errno = bsd.RetError, n
		return true
	}
	tok = bytes.TrimSuffix(tok, []byte(","))
	v, ok := bsd.ParseNum(tok)
	if !ok {
		return false
	}
	rec.Ret, rec.RetVal = bsd.RetValue, int64(v)
	return true
}

func atoi(s []byte) (int32, bool) {
	if len(s) == 0 || len(s) > 10 {
		return 0, false
	}
	var v int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if v > 1<<31-1 {
		return 0, false
	}
	return int32(v), true
}

// knownTypes are the record types kdump prints on the four systems.
var knownTypes = map[string]bool{
	"CALL": true, "RET": true, "NAMI": true, "GIO": true, "PSIG": true, "CSW": true, "EMUL": true,
	"USER": true, "STRU": true, "SCTL": true, "CAP": true, "PFLT": true, "PRET": true, "ARGS": true,
	"ENV": true, "PLDG": true, "STRT": true, "MISC": true, "MMSG": true, "MOOL": true, "ARG": true,
	"SAU": true, "MIB": true, "SYSC": true, "SYSR": true, "INFO": true, "FLT": true, "FAULT": true,
}

// typeName returns the known type named w, or "".
func typeName(w []byte) string {
	switch string(w) {
	case "CALL":
		return "CALL"
	case "RET":
		return "RET"
	case "NAMI":
		return "NAMI"
	case "GIO":
		return "GIO"
	case "PSIG":
		return "PSIG"
	case "EMUL":
		return "EMUL"
	}
	if knownTypes[string(w)] {
		for k := range knownTypes {
			if k == string(w) {
				return k
			}
		}
	}
	return ""
}

// idForm is how a header writes its ids.
type idForm uint8

const (
	idPlain idForm = iota // "pid" (FreeBSD, OpenBSD without -H)
	idTwo                 // "pid lwp" (NetBSD; FreeBSD -H)
	idSlash               // "pid/tid" (OpenBSD -H)
	idColon               // "pid:lwp" (DragonFly)
)

type header struct {
	pid, tid int32
	hasTID   bool
	form     idForm
	abi      bool
	comm     []byte
	times    [3]int64
	ntimes   int
	frac     int // digits of the first time's fraction
	typ      string
	payload  []byte
}

type span struct{ s, e int }

// parseHeader parses a record's header line.
func parseHeader(line []byte, h *header) bool {
	var toks [10]span
	n := 0
	i := 0
	k := 0 // index of the id token
	t := -1
	*h = header{}
	for n < len(toks) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) {
			break
		}
		s := i
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			i++
		}
		toks[n] = span{s, i}
		w := line[s:i]
		if n == 0 && len(w) == 3 && (w[0] == 'F' || w[0] == 'L' || w[0] == 'U') && isDigits(w[1:]) {
			h.abi = true
			k = 1
		}
		n++
		// The type: the first known type after the ids and a name.
		if n-1 >= k+2 && len(w) >= 3 && len(w) <= 5 && w[0] >= 'A' && w[0] <= 'Z' && typeName(w) != "" {
			t = n - 1
			break
		}
	}
	if n < k+3 {
		return false
	}
	tok := func(j int) []byte { return line[toks[j].s:toks[j].e] }
	// Ids.
	id := tok(k)
	j := 0
	for j < len(id) && id[j] != '/' && id[j] != ':' {
		j++
	}
	if j > 0 && j < len(id) {
		pid, ok1 := atoi(id[:j])
		tid, ok2 := atoi(bytes.TrimSpace(id[j+1:]))
		if !ok1 || !ok2 {
			return false
		}
		h.pid, h.tid, h.hasTID = pid, tid, true
		h.form = idSlash
		if id[j] == ':' {
			h.form = idColon
		}
	} else {
		pid, ok := atoi(id)
		if !ok {
			return false
		}
		h.pid = pid
	}
	k++
	if t < 0 {
		// An unknown type: UNKNOWN(n), or an upper-case word.
		for j := k + 1; j < n; j++ {
			w := tok(j)
			if bytes.HasPrefix(w, []byte("UNKNOWN(")) || isUpperWord(w) {
				t = j
				break
			}
		}
		if t < 0 {
			return false
		}
	}
	// Times: the number tokens just before the type.
	m := t
	for m > k && h.ntimes < 3 && isTime(tok(m-1)) {
		m--
		h.ntimes++
	}
	if m == k && h.ntimes > 0 {
		// No command name: the first "time" was the name.
		m++
		h.ntimes--
	}
	for q := 0; q < h.ntimes; q++ {
		v, frac := parseTime(tok(m + q))
		h.times[q] = v
		if q == 0 {
			h.frac = frac
		}
	}
	// [lwp] comm
	if m-k >= 2 && h.form == idPlain && isDigits(tok(k)) {
		tid, ok := atoi(tok(k))
		if !ok {
			return false
		}
		h.tid, h.hasTID, h.form = tid, true, idTwo
		k++
	}
	if m > k {
		h.comm = line[toks[k].s:toks[m-1].e]
	}
	if k := typeName(tok(t)); k != "" {
		h.typ = k // no allocation for the known types
	} else {
		h.typ = string(tok(t))
	}
	h.payload = bytes.TrimLeft(line[toks[t].e:], " \t")
	return true
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

func isUpperWord(s []byte) bool {
	if len(s) < 3 || len(s) > 4 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// isTime reports whether s looks like "123.456789".
func isTime(s []byte) bool {
	d := bytes.IndexByte(s, '.')
	return d > 0 && d < len(s)-1 && isDigits(s[:d]) && isDigits(s[d+1:])
}

// parseTime reads "sec.frac" as nanoseconds.
func parseTime(s []byte) (int64, int) {
	d := bytes.IndexByte(s, '.')
	var sec int64
	for _, c := range s[:d] {
		sec = sec*10 + int64(c-'0')
		if sec > 1<<33 {
			return 0, 0
		}
	}
	frac := s[d+1:]
	var ns int64
	for k := 0; k < 9; k++ {
		ns *= 10
		if k < len(frac) {
			ns += int64(frac[k] - '0')
		}
	}
	return sec*1e9 + ns, len(frac)
}
