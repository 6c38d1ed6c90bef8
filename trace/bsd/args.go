package bsd

import (
	"bytes"
	"path"
)

// ParseNum reads a number as kdump and truss print them: decimal (possibly
// negative), 0x hex, a decimal with its hex after a slash (1235/0x4d3), or a
// number followed by a decoding in angle brackets (0x1002<PRIVATE,ANON>).
func ParseNum(s []byte) (uint64, bool) {
	s = bytes.TrimSpace(s)
	for i, c := range s {
		if c == '<' || c == '/' || c == ' ' || c == '(' {
			if i > 0 {
				s = s[:i]
			}
			break
		}
	}
	if len(s) == 0 {
		return 0, false
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	var v uint64
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
		if len(s) == 0 || len(s) > 16 {
			return 0, false
		}
		for _, c := range s {
			d := hexVal(c)
			if d < 0 {
				return 0, false
			}
			v = v<<4 | uint64(d)
		}
	} else {
		if len(s) == 0 || len(s) > 20 {
			return 0, false
		}
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n := v*10 + uint64(c-'0')
			if n < v {
				return 0, false
			}
			v = n
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// atoi reads a non-negative decimal int that fits in int32.
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

// SplitArgs splits an argument list at top-level commas (outside quotes,
// brackets, braces and angle brackets) into out, returning the pieces.
func SplitArgs(s []byte, out [][]byte) [][]byte {
	out = out[:0]
	if len(bytes.TrimSpace(s)) == 0 {
		return out
	}
	depth, start := 0, 0
	inQ := false
	for i := 0; i < len(s); i++ {
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
		case '(', '[', '{', '<':
			depth++
		case ')', ']', '}', '>':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				if len(out) == cap(out) {
					return out
				}
				out = append(out, bytes.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if len(out) < cap(out) {
		out = append(out, bytes.TrimSpace(s[start:]))
	}
	return out
}

// Unquote decodes a C-style or vis(3)-style quoted string "…" into dst.
// Without quotes, s is returned as it is.
func Unquote(dst, s []byte) []byte {
	s = bytes.TrimSpace(s)
	if len(s) == 0 || s[0] != '"' {
		return append(dst, s...)
	}
	s = s[1:]
	if n := len(s); n > 0 && s[n-1] == '"' {
		s = s[:n-1]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			dst = append(dst, c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'x':
			v, k := 0, 0
			for k < 2 && i+1 < len(s) && hexVal(s[i+1]) >= 0 {
				v = v<<4 | hexVal(s[i+1])
				i++
				k++
			}
			dst = append(dst, byte(v))
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v, k := int(c-'0'), 1
			for k < 3 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7' {
				v = v<<3 | int(s[i+1]-'0')
				i++
				k++
			}
			dst = append(dst, byte(v))
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// flagBits reads a flag argument: a number (with an optional <decoding>),
// or symbolic names joined by | (names looked up with and without their
// prefix), or a mix. ok is false when nothing could be read.
func flagBits(s []byte, names map[string]uint64) (uint64, bool) {
	s = bytes.TrimSpace(s)
	if len(s) == 0 {
		return 0, false
	}
	if v, ok := ParseNum(s); ok {
		return v, true
	}
	// A number first and a decoding after it.
	if i := bytes.IndexByte(s, '<'); i > 0 {
		if v, ok := ParseNum(s[:i]); ok {
			return v, true
		}
	}
	s = bytes.Trim(s, "<>")
	var v uint64
	any := false
	for len(s) > 0 {
		var tok []byte
		if i := bytes.IndexAny(s, "|,"); i >= 0 {
			tok, s = s[:i], s[i+1:]
		} else {
			tok, s = s, nil
		}
		tok = bytes.TrimSpace(tok)
		if b, ok := ParseNum(tok); ok {
			v |= b
			any = true
			continue
		}
		if b, ok := names[string(tok)]; ok {
			v |= b
			any = true
		}
	}
	return v, any
}

// Comm returns the kernel's command name for an executed path: its base
// name, cut to max bytes.
func Comm(file string, max int) string {
	b := path.Base(file)
	if len(b) > max {
		b = b[:max]
	}
	return b
}

// field returns the value of "name=value" in s (space separated).
func field(s []byte, name string) ([]byte, bool) {
	for len(s) > 0 {
		var tok []byte
		if i := bytes.IndexByte(s, ' '); i >= 0 {
			tok, s = s[:i], s[i+1:]
		} else {
			tok, s = s, nil
		}
		if len(tok) > len(name) && tok[len(name)] == '=' && string(tok[:len(name)]) == name {
			return tok[len(name)+1:], true
		}
	}
	return nil, false
}

// BSD protection and mapping flags (the same values on FreeBSD, NetBSD and
// OpenBSD for the bits used here).
const (
	protRead  = 1
	protWrite = 2
	protExec  = 4

	mapShared  = 0x1
	mapPrivate = 0x2
	mapAnon    = 0x1000
)

var protNames = map[string]uint64{
	"PROT_NONE": 0, "NONE": 0, "PROT_READ": protRead, "READ": protRead,
	"PROT_WRITE": protWrite, "WRITE": protWrite, "PROT_EXEC": protExec, "EXEC": protExec,
}

var mapNames = map[string]uint64{
	"MAP_SHARED": mapShared, "SHARED": mapShared, "MAP_PRIVATE": mapPrivate, "PRIVATE": mapPrivate,
	"MAP_ANON": mapAnon, "ANON": mapAnon, "MAP_ANONYMOUS": mapAnon, "ANONYMOUS": mapAnon,
	"MAP_STACK": 0, "STACK": 0, "MAP_FIXED": 0x10, "FIXED": 0x10,
}

// rfork flags (FreeBSD sys/unistd.h; DragonFly shares the low bits).
const (
	RFFDG    = 1 << 2
	RFPROC   = 1 << 4
	RFMEM    = 1 << 5
	RFNOWAIT = 1 << 6
	RFCFDG   = 1 << 12
	RFTHREAD = 1 << 13
	RFPPWAIT = 1 << 31 // also RFSPAWN on FreeBSD 13+, which has the same bit
)

var rforkNames = map[string]uint64{
	"RFNAMEG": 1 << 0, "RFENVG": 1 << 1, "RFFDG": RFFDG, "RFNOTEG": 1 << 3, "RFPROC": RFPROC,
	"RFMEM": RFMEM, "RFNOWAIT": RFNOWAIT, "RFCNAMEG": 1 << 10, "RFCENVG": 1 << 11, "RFCFDG": RFCFDG,
	"RFTHREAD": RFTHREAD, "RFSIGSHARE": 1 << 14, "RFLINUXTHPN": 1 << 16, "RFSTOPPED": 1 << 17,
	"RFHIGHPID": 1 << 18, "RFTSIGZMB": 1 << 19, "RFPROCDESC": 1 << 28, "RFPPWAIT": RFPPWAIT, "RFSPAWN": RFPPWAIT,
}

// Signal numbers of the BSDs (4.4BSD numbering, shared by FreeBSD, NetBSD,
// OpenBSD and DragonFly up to 31).
var sigNums = map[string]int32{
	"SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGIOT": 6,
	"SIGEMT": 7, "SIGFPE": 8, "SIGKILL": 9, "SIGBUS": 10, "SIGSEGV": 11, "SIGSYS": 12, "SIGPIPE": 13,
	"SIGALRM": 14, "SIGTERM": 15, "SIGURG": 16, "SIGSTOP": 17, "SIGTSTP": 18, "SIGCONT": 19,
	"SIGCHLD": 20, "SIGTTIN": 21, "SIGTTOU": 22, "SIGIO": 23, "SIGXCPU": 24, "SIGXFSZ": 25,
	"SIGVTALRM": 26, "SIGPROF": 27, "SIGWINCH": 28, "SIGINFO": 29, "SIGUSR1": 30, "SIGUSR2": 31,
	"SIGPWR": 32, "SIGTHR": 32, "SIGLIBRT": 33,
}

// SignalNumber returns the BSD number of a signal name (SIGSEGV or SEGV),
// or of a decimal number; 0 when unknown.
func SignalNumber(s []byte) int32 {
	if v, ok := atoi(s); ok {
		return v
	}
	if n, ok := sigNums[string(s)]; ok {
		return n
	}
	if n, ok := sigNums["SIG"+string(s)]; ok {
		return n
	}
	return 0
}

// fatalByDefault reports whether a signal's default action ends the
// process (everything but the ignored, stop and continue signals).
func fatalByDefault(sig int32) bool {
	switch sig {
	case 0, 16, 17, 18, 19, 20, 21, 22, 28, 29, 32, 33:
		return false
	}
	return true
}

const sigCHLD = 20
