package strace

import (
	"bytes"
	"encoding/binary"
	"math"
)

// nextArg returns the top-level argument starting at s[i:] and the index of
// the one after it (len(s) at the end). Commas inside strings, (), [] and {}
// do not split.
func nextArg(s []byte, i int) ([]byte, int) {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	start := i
	depth := 0
	for i < len(s) {
		for i < len(s) && !argSpecial[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		switch c := s[i]; c {
		case '"':
			i = closingQuote(s, i+1)
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth <= 0 {
				return s[start:i], i + 1
			}
		}
		i++
	}
	if i > len(s) {
		i = len(s)
	}
	return s[start:i], len(s)
}

// closingQuote returns the index of the '"' that closes a string starting
// at s[i] (just after its opening quote), skipping escaped quotes, or
// len(s) when there is none. It jumps from quote to quote.
func closingQuote(s []byte, i int) int {
	for i < len(s) {
		j := bytes.IndexByte(s[i:], '"')
		if j < 0 {
			return len(s)
		}
		k := i + j
		n := 0 // backslashes before the quote
		for m := k - 1; m >= i && s[m] == '\\'; m-- {
			n++
		}
		if n%2 == 0 {
			return k
		}
		i = k + 1
	}
	return len(s)
}

var argSpecial = func() (t [256]bool) {
	for _, c := range `"()[]{},` {
		t[c] = true
	}
	return
}()

// args splits s into at most len(out) top-level arguments.
func splitArgs(s []byte, out [][]byte) [][]byte {
	out = out[:0]
	for i := 0; i < len(s) && len(out) < cap(out); {
		var a []byte
		a, i = nextArg(s, i)
		out = append(out, trimSpaceRight(a))
	}
	return out
}

// field returns the value of "name=VALUE" among the top-level arguments of
// s (the inside of a struct or an argument list).
func field(s []byte, name string) ([]byte, bool) {
	for i := 0; i < len(s); {
		var a []byte
		a, i = nextArg(s, i)
		if len(a) > len(name) && a[len(name)] == '=' && string(a[:len(name)]) == name {
			return trimSpaceRight(a[len(name)+1:]), true
		}
	}
	return nil, false
}

// stripComments removes "/* ... */" comments (-X verbose, env counts).
func stripComments(s []byte, buf []byte) []byte {
	if bytes.IndexByte(s, '/') < 0 {
		return s
	}
	buf = buf[:0]
	for {
		o := bytes.Index(s, []byte("/*"))
		if o < 0 {
			return append(buf, s...)
		}
		buf = append(buf, s[:o]...)
		c := bytes.Index(s[o+2:], []byte("*/"))
		if c < 0 {
			return buf
		}
		s = s[o+2+c+2:]
	}
}

// parseNum reads NULL, a decimal or 0x hex number, ignoring a -y/-Y
// "<...>" decoration after it.
func parseNum(s []byte) (uint64, bool) {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	if string(s) == "NULL" {
		return 0, true
	}
	if i := bytes.IndexByte(s, '<'); i > 0 {
		s = s[:i]
	}
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var v uint64
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		if len(s) > 18 {
			return 0, false
		}
		for _, c := range s[2:] {
			if !isHex(c) {
				return 0, false
			}
			v = v<<4 | uint64(hexVal(c))
		}
	case len(s) > 1 && s[0] == '0':
		if len(s) > 22 {
			return 0, false
		}
		for _, c := range s[1:] {
			if c < '0' || c > '7' {
				return 0, false
			}
			v = v<<3 | uint64(c-'0')
		}
	default:
		if len(s) > 19 {
			return 0, false
		}
		for _, c := range s {
			if !isDigit(c) {
				return 0, false
			}
			v = v*10 + uint64(c-'0')
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseBits reads a flag set: names joined by '|', numbers, and comments
// (-X raw prints "0x1200000|17", -X verbose "0x1200000 /* ... */|17 /* SIGCHLD */").
// Unknown names are reported with ok false, but the known bits are kept.
func parseBits(s []byte, names map[string]uint64, buf []byte) (v uint64, ok bool) {
	s = stripComments(s, buf)
	ok = true
	for len(s) > 0 {
		k := 0
		for k < len(s) && s[k] != '|' {
			k++
		}
		tok := s[:k]
		if k < len(s) {
			s = s[k+1:]
		} else {
			s = nil
		}
		for len(tok) > 0 && tok[0] == ' ' {
			tok = tok[1:]
		}
		for len(tok) > 0 && tok[len(tok)-1] == ' ' {
			tok = tok[:len(tok)-1]
		}
		if len(tok) == 0 {
			continue
		}
		if isDigit(tok[0]) {
			n, good := parseNum(tok)
			if !good {
				ok = false
			}
			v |= n
			continue
		}
		if n, good := lookupName(tok, names); good {
			v |= n
		} else {
			ok = false
		}
	}
	return v, ok
}

// unquote decodes a C string as strace prints it ("...", with \" \\ \n
// \t, octal and \x escapes, and a "..." truncation mark after the quote).
// It appends to dst.
func unquote(dst []byte, s []byte) ([]byte, bool) {
	s = bytes.TrimSpace(s)
	s = bytes.TrimSuffix(s, []byte("..."))
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return dst, false
	}
	s = s[1 : len(s)-1]
	// The bytes up to each backslash are copied at once: byte by byte, a
	// long sh -c command with a few \" took 14 instructions a byte.
	for {
		k := bytes.IndexByte(s, '\\')
		if k < 0 || k+1 >= len(s) { // a last lone backslash is kept
			return append(dst, s...), true
		}
		dst = append(dst, s[:k]...)
		i := k + 1
		switch e := s[i]; e {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'v':
			dst = append(dst, '\v')
		case 'f':
			dst = append(dst, '\f')
		case 'a':
			dst = append(dst, '\a')
		case 'b':
			dst = append(dst, '\b')
		case 'x':
			v, n := 0, 0
			for n < 2 && i+1 < len(s) && isHex(s[i+1]) {
				v = v<<4 | hexVal(s[i+1])
				i++
				n++
			}
			dst = append(dst, byte(v))
		default:
			if e >= '0' && e <= '7' {
				v := int(e - '0')
				for k := 0; k < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; k++ {
					v = v<<3 | int(s[i+1]-'0')
					i++
				}
				dst = append(dst, byte(v))
			} else {
				dst = append(dst, e)
			}
		}
		s = s[i+1:]
	}
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// parseArgv reads ["a", "b"...] into strings. A bare ... element (strace -s
// cuts long arrays) is dropped; truncated strings keep their prefix.
func parseArgv(s []byte, buf []byte) ([]string, bool) {
	s = bytes.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	in := s[1 : len(s)-1]
	if argv, ok := quickArgv(in, buf); ok {
		return argv, true
	}
	return argvElems(in, buf)
}

// quickArgv is parseArgv's usual case, every element a quoted string
// (cut by -s or not), read in one pass by walkArgv. ok is false for
// anything else, which argvElems then reads (a long gcc command line was
// taken apart three times, by nextArg, TrimSpace and unquote).
func quickArgv(in []byte, buf []byte) ([]string, bool) {
	var spanBuf [64]argvSpan
	buf, spans, e, ok := walkArgv(in, buf[:0], spanBuf[:0])
	if !ok || e != len(in) {
		return nil, false
	}
	return spanStrings(in, buf, spans), true
}

// argvSpan is an element that walkArgv read: s[start:end], or buf's
// bytes there when it had escapes.
type argvSpan struct {
	start, end int32
	escaped    bool
}

// walkArgv reads quickArgv's elements from s up to its end or a ']' after
// an element, appending their spans to spans, and the unquoted bytes of
// those with escapes to buf; end is the index of the ']', or len(s).
// An element without escapes (a backslash) stays where it lies, found
// with one IndexByte and its bytes not copied; one search for the next
// backslash tells which elements have none. (Copying every element, with
// a search for a backslash in each, cost about 300 instructions an
// element.)
func walkArgv(s []byte, buf []byte, spans []argvSpan) (_ []byte, _ []argvSpan, end int, ok bool) {
	if len(s) > math.MaxInt32 {
		return buf, spans, 0, false // beyond argvSpan
	}
	nb := bytes.IndexByte(s, '\\') // the next backslash
	if nb < 0 {
		nb = len(s)
	}
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) || s[i] == ']' {
			break
		}
		if s[i] != '"' {
			return buf, spans, i, false
		}
		// The element at i, and those that follow it in strace's form,
		// `"a", "b"`.
		for {
			q := bytes.IndexByte(s[i+1:], '"') + i + 1
			if q == i {
				return buf, spans, i, false // no closing quote
			}
			if q < nb {
				spans = append(spans, argvSpan{start: int32(i + 1), end: int32(q)})
			} else {
				// Escapes: -DNAME=\"x\"
				if q = closingQuote(s, i+1); q == len(s) {
					return buf, spans, i, false
				}
				start := len(buf)
				buf, _ = unquote(buf, s[i:q+1])
				spans = append(spans, argvSpan{start: int32(start), end: int32(len(buf)), escaped: true})
				if nb = bytes.IndexByte(s[q+1:], '\\'); nb < 0 {
					nb = len(s)
				} else {
					nb += q + 1
				}
			}
			if q+4 > len(s) || string(s[q:q+4]) != `", "` {
				i = q + 1
				break
			}
			i = q + 3
		}
		if bytes.HasPrefix(s[i:], []byte("...")) {
			i += 3
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) {
			switch s[i] {
			case ',':
				i++
			case ']':
				return buf, spans, i, true
			default:
				return buf, spans, i, false
			}
		}
	}
	return buf, spans, i, true
}

// spanStrings makes the elements that walkArgv read from s: those without
// escapes share one string of the text they lie in, those with escapes
// one of buf: two or three allocations per argv instead of one per
// argument.
func spanStrings(s []byte, buf []byte, spans []argvSpan) []string {
	out := make([]string, len(spans))
	var lo, hi int32 // the text from the first element without escapes to the last
	for _, sp := range spans {
		if !sp.escaped {
			lo = sp.start
			break
		}
	}
	for k := len(spans) - 1; k >= 0; k-- {
		if !spans[k].escaped {
			hi = spans[k].end
			break
		}
	}
	text := string(s[lo:hi])
	var unquoted string
	if len(buf) > 0 {
		unquoted = string(buf)
	}
	for k, sp := range spans {
		if sp.escaped {
			out[k] = unquoted[sp.start:sp.end]
		} else {
			out[k] = text[sp.start-lo : sp.end-lo]
		}
	}
	return out
}

// argvStrings makes the arguments, unquoted one after another into buf
// and ending at ends, one string that the elements share: two allocations
// per argv instead of one per argument.
func argvStrings(buf []byte, ends []int) []string {
	all := string(buf[:lastEnd(ends)])
	out := make([]string, len(ends))
	start := 0
	for k, e := range ends {
		out[k] = all[start:e]
		start = e
	}
	return out
}

// argvElems is parseArgv for every form of the elements (escapes, a "..."
// for elements strace left out).
func argvElems(in []byte, buf []byte) ([]string, bool) {
	// The arguments are unquoted one after another into buf and become
	// one string, which the elements share: two allocations per argv
	// instead of one per argument.
	var endBuf [32]int
	ends := endBuf[:0]
	buf = buf[:0]
	ok := true
	for i := 0; i < len(in); {
		var a []byte
		a, i = nextArg(in, i)
		a = bytes.TrimSpace(a)
		if len(a) == 0 || string(a) == "..." {
			continue
		}
		var good bool
		if buf, good = unquote(buf, a); !good {
			ok = false
			break
		}
		ends = append(ends, len(buf))
	}
	return argvStrings(buf, ends), ok
}

func lastEnd(ends []int) int {
	if len(ends) == 0 {
		return 0
	}
	return ends[len(ends)-1]
}

// Linux clone flags.
var cloneNames = map[string]uint64{
	"CLONE_NEWTIME": 0x80, "CLONE_VM": 0x100, "CLONE_FS": 0x200, "CLONE_FILES": 0x400,
	"CLONE_SIGHAND": 0x800, "CLONE_PIDFD": 0x1000, "CLONE_PTRACE": 0x2000, "CLONE_VFORK": 0x4000,
	"CLONE_PARENT": 0x8000, "CLONE_THREAD": 0x10000, "CLONE_NEWNS": 0x20000, "CLONE_SYSVSEM": 0x40000,
	"CLONE_SETTLS": 0x80000, "CLONE_PARENT_SETTID": 0x100000, "CLONE_CHILD_CLEARTID": 0x200000,
	"CLONE_DETACHED": 0x400000, "CLONE_UNTRACED": 0x800000, "CLONE_CHILD_SETTID": 0x1000000,
	"CLONE_NEWCGROUP": 0x2000000, "CLONE_NEWUTS": 0x4000000, "CLONE_NEWIPC": 0x8000000,
	"CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000, "CLONE_NEWNET": 0x40000000,
	"CLONE_IO": 0x80000000, "CLONE_CLEAR_SIGHAND": 0x100000000, "CLONE_INTO_CGROUP": 0x200000000,
}

// Clone flag bits used by the classification.
const (
	cloneVM     = 0x100
	cloneVFork  = 0x4000
	cloneParent = 0x8000
	cloneThread = 0x10000
)

// signals are the Linux x86-64 signal numbers (what strace prints by name).
var signals = map[string]int32{
	"SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGIOT": 6,
	"SIGBUS": 7, "SIGFPE": 8, "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12,
	"SIGPIPE": 13, "SIGALRM": 14, "SIGTERM": 15, "SIGSTKFLT": 16, "SIGCHLD": 17, "SIGCONT": 18,
	"SIGSTOP": 19, "SIGTSTP": 20, "SIGTTIN": 21, "SIGTTOU": 22, "SIGURG": 23, "SIGXCPU": 24,
	"SIGXFSZ": 25, "SIGVTALRM": 26, "SIGPROF": 27, "SIGWINCH": 28, "SIGIO": 29, "SIGPOLL": 29,
	"SIGPWR": 30, "SIGSYS": 31, "SIGRTMIN": 32,
}

// signalNumber reads SIGNAME, SIGRT_N or a number.
func signalNumber(s []byte) int32 {
	s = bytes.TrimSpace(stripComments(s, nil))
	if n, ok := signals[string(s)]; ok {
		return n
	}
	if rest, ok := bytes.CutPrefix(s, []byte("SIGRT_")); ok {
		if v, ok := atoi(rest); ok && v < 64 {
			return int32(32 + v)
		}
	}
	if v, ok := parseNum(s); ok && v > 0 && v < 128 {
		return int32(v)
	}
	return 0
}

var cloneAndSignalNames = func() map[string]uint64 {
	m := make(map[string]uint64, len(cloneNames)+len(signals))
	for k, v := range cloneNames {
		m[k] = v
	}
	for k, v := range signals {
		m[k] = uint64(v)
	}
	return m
}()

var protNames = map[string]uint64{"PROT_NONE": 0, "PROT_READ": 1, "PROT_WRITE": 2, "PROT_EXEC": 4,
	"PROT_SEM": 8, "PROT_GROWSDOWN": 0x01000000, "PROT_GROWSUP": 0x02000000}

const (
	mapShared    = 0x01
	mapPrivate   = 0x02
	mapFixed     = 0x10
	mapAnonymous = 0x20
	mapStack     = 0x20000
)

var mapNames = map[string]uint64{
	"MAP_SHARED": 0x01, "MAP_PRIVATE": 0x02, "MAP_SHARED_VALIDATE": 0x03, "MAP_FIXED": 0x10,
	"MAP_ANONYMOUS": 0x20, "MAP_ANON": 0x20, "MAP_32BIT": 0x40, "MAP_GROWSDOWN": 0x100,
	"MAP_DENYWRITE": 0x800, "MAP_EXECUTABLE": 0x1000, "MAP_LOCKED": 0x2000, "MAP_NORESERVE": 0x4000,
	"MAP_POPULATE": 0x8000, "MAP_NONBLOCK": 0x10000, "MAP_STACK": 0x20000, "MAP_HUGETLB": 0x40000,
	"MAP_SYNC": 0x80000, "MAP_FIXED_NOREPLACE": 0x100000, "MAP_UNINITIALIZED": 0x4000000,
}

// memFlags reads the flag set at s[i:] of a memory call's PROT or MAP
// argument (names is protTable or mapTable), up to a ',' or the end of s,
// as parseBits reads it: its value and where it ends. It reads only names
// of the table, each name's bytes and the one after it as two words, and
// ok is false for every other form (numbers, comments, spaces, other
// names), which the caller leaves to parseBits. Finding the set's end with
// IndexByte and then comparing it with the memo's sets one by one cost
// about 200 instructions a set.
func memFlags(s []byte, i int, names *memFlagTable) (v uint64, end int, ok bool) {
	for {
		// Sliced once, with the length known, the two words need no more
		// bounds checks.
		var w0, w1 uint64
		if t := s[i:]; len(t) >= 16 {
			w0, w1 = binary.LittleEndian.Uint64(t), binary.LittleEndian.Uint64(t[8:16])
		} else if n := len(t); n >= 9 {
			// The bytes up to the end, zero-padded: the last word, shifted.
			w0 = binary.LittleEndian.Uint64(s[i:])
			w1 = binary.LittleEndian.Uint64(s[len(s)-8:]) >> (8 * (16 - n))
		} else {
			return 0, i, false // shorter than every name of the table
		}
		e := &names[w0*memFlagMul>>(64-memFlagBits)]
		if e.head != w0 || w1&e.mask != e.tail {
			return 0, i, false
		}
		v |= uint64(e.v)
		i += int(e.n)
		switch byte(w1 >> (e.after & 63)) { // & 63: no test for a shift of 64 or more
		case '|':
			i++
			continue
		case ',':
			return v, i, true
		case 0:
			if i == len(s) {
				return v, i, true
			}
		}
		return 0, i, false
	}
}

// protTable and mapTable hold the names of protNames and mapNames of 9 to
// 15 bytes by a perfect hash of their first eight bytes. memFlagMul was
// chosen so that today's names fill distinct slots; names that share a
// slot or their first eight bytes (PROT_GROWSDOWN and PROT_GROWSUP) are
// left out, to parseBits. (A shorter or longer name with the same first
// eight bytes, MAP_ANON or MAP_SHARED_VALIDATE, fails the test of the
// rest or of the byte after the name.) Each field has its table because
// lookupName reads a name of one in the other too, which memFlags leaves
// to it.
var protTable, mapTable = newMemFlagTable(protNames), newMemFlagTable(mapNames)

const (
	memFlagBits = 5
	memFlagMul  = 0x9e3779b97f4a8127
)

// memFlagTable is protTable's and mapTable's type.
type memFlagTable [1 << memFlagBits]memFlagName

// memFlagName is an entry of a memFlagTable: a name's first eight bytes,
// the rest zero-padded and the mask of their bytes, its value and length,
// and the shift that brings the byte after it to the bottom of the second
// word.
type memFlagName struct {
	head, tail, mask uint64
	v                uint32
	n, after         uint8
}

func newMemFlagTable(names map[string]uint64) *memFlagTable {
	var t memFlagTable
	for k := range t {
		t[k].tail = 1 // matches nothing (mask 0)
	}
	head := func(s string) uint64 {
		var b [8]byte
		copy(b[:], s)
		return binary.LittleEndian.Uint64(b[:])
	}
	heads, slots := map[uint64]int{}, map[uint64]int{}
	for s, v := range names {
		if len(s) >= 9 && len(s) <= 15 && v < 1<<32 {
			heads[head(s)]++
			slots[head(s)*memFlagMul>>(64-memFlagBits)]++
		}
	}
	for s, v := range names {
		h := head(s)
		slot := h * memFlagMul >> (64 - memFlagBits)
		if len(s) < 9 || len(s) > 15 || v >= 1<<32 || heads[h] > 1 || slots[slot] > 1 {
			continue
		}
		t[slot] = memFlagName{head: h, tail: head(s[8:]), mask: 1<<(8*(len(s)-8)) - 1,
			v: uint32(v), n: uint8(len(s)), after: uint8(8 * (len(s) - 8))}
	}
	return &t
}

// lookupName finds a flag name, with the common memory flags first.
func lookupName(tok []byte, names map[string]uint64) (uint64, bool) {
	switch string(tok) {
	case "PROT_READ":
		return 1, true
	case "PROT_WRITE":
		return 2, true
	case "PROT_EXEC":
		return 4, true
	case "PROT_NONE":
		return 0, true
	case "MAP_PRIVATE":
		return mapPrivate, true
	case "MAP_ANONYMOUS":
		return mapAnonymous, true
	case "MAP_FIXED":
		return mapFixed, true
	case "MAP_DENYWRITE":
		return 0x800, true
	case "MAP_STACK":
		return mapStack, true
	}
	n, ok := names[string(tok)]
	return n, ok
}

// unname drops the "name=" that strace -N (--arg-names, 6.16+) prints before
// an argument. Values never start with a lower-case letter followed by "=".
func unname(a []byte) []byte {
	if len(a) == 0 || a[0] < 'a' || a[0] > 'z' {
		return a
	}
	for i := 1; i < len(a) && i < 24; i++ {
		c := a[i]
		if c == '=' {
			return a[i+1:]
		}
		if !(c >= 'a' && c <= 'z' || c == '_' || c >= '0' && c <= '9') {
			return a
		}
	}
	return a
}
