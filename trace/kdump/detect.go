package kdump

import (
	"bufio"
	"bytes"

	"github.com/forkcost/forkcost/trace/bsd"
)

// scanBytes is how much of the log's start the Reader looks at to decide
// its time form and OS.
const scanBytes = 256 << 10

// scan decides the time form and the OS from the first lines, once.
func (r *Reader) scan() {
	if r.scanned {
		return
	}
	r.scanned = true
	head, err := r.Peek(scanBytes)
	if err != nil && err != bufio.ErrBufferFull && len(head) == 0 {
		r.form = bsd.TimeNone
		if r.Form != bsd.TimeAuto {
			r.form = r.Form
		}
		r.os = r.ForceOS
		return
	}
	if len(head) == scanBytes {
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i+1]
		}
	}
	g := Guess(head)
	r.form, r.os = g.Form, g.OS
	if r.Form != bsd.TimeAuto && (g.Form != bsd.TimeNone || r.Form == bsd.TimeNone) {
		// A forced form; but a log without time columns stays without.
		r.form = r.Form
	}
	if r.ForceOS != "" {
		r.os = r.ForceOS
	}
}

// Guessed is what the first lines of a log tell.
type Guessed struct {
	Headers int // lines that parse as record headers
	Other   int // lines that are neither headers nor continuations
	Form    bsd.TimeForm
	OS      string
}

// Guess reads the first lines of a kdump text and guesses its time form
// and OS.
func Guess(head []byte) Guessed {
	var g Guessed
	var h header
	var (
		times    []int64
		ntimes   int
		frac9    bool
		two      int
		bigTID   int
		slash    bool
		colon    bool
		abi      bool
		netbsd   int
		openbsd  int
		freebsd  int
		dfly     int
		emul     string
		argsType bool
	)
	for len(head) > 0 {
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
		if !parseHeader(line, &h) {
			if line[0] != ' ' && line[0] != '\t' && !bytes.HasPrefix(line, []byte("Events dropped")) {
				g.Other++
			}
			continue
		}
		g.Headers++
		if h.ntimes > 0 {
			if len(times) < 4096 {
				times = append(times, h.times[0])
			}
			ntimes = max(ntimes, h.ntimes)
			if h.frac == 9 {
				frac9 = true
			}
		}
		switch h.form {
		case idTwo:
			two++
			if h.tid >= 100000 {
				bigTID++
			}
		case idSlash:
			slash = true
		case idColon:
			colon = true
		}
		abi = abi || h.abi
		switch h.typ {
		case "EMUL":
			if emul == "" {
				emul = string(bytes.Trim(h.payload, `" `))
			}
		case "ARGS", "PLDG", "STRT":
			argsType = true
		case "MISC", "MMSG", "MOOL", "ARG", "SAU", "MIB":
			netbsd++
		case "SCTL", "CAP", "PFLT", "PRET":
			freebsd++
		case "CALL":
			name, _ := splitCall(h.payload)
			switch {
			case bytes.HasPrefix(name, []byte("_lwp_")), bytes.Equal(name, []byte("__vfork14")),
				bytes.Equal(name, []byte("posix_spawn")), bytes.Equal(name, []byte("obreak")),
				bytes.HasPrefix(name, []byte("__")) && len(name) > 2 && isDigits(name[len(name)-2:]):
				netbsd++
			case bytes.Equal(name, []byte("__tfork")), bytes.Equal(name, []byte("__threxit")),
				bytes.Equal(name, []byte("pledge")), bytes.Equal(name, []byte("kbind")),
				bytes.Equal(name, []byte("msyscall")), bytes.Equal(name, []byte("mquery")),
				bytes.Equal(name, []byte("mimmutable")), bytes.Equal(name, []byte("__set_tcb")):
				openbsd++
			case bytes.HasPrefix(name, []byte("thr_")), bytes.HasPrefix(name, []byte("cap_")),
				bytes.Equal(name, []byte("_umtx_op")), bytes.Equal(name, []byte("rfork")),
				bytes.Equal(name, []byte("pdfork")), bytes.Equal(name, []byte("sysarch")):
				freebsd++
			case bytes.HasPrefix(name, []byte("lwp_")), bytes.Equal(name, []byte("extexit")):
				dfly++
			}
		}
	}
	switch {
	case colon || dfly > netbsd+openbsd+freebsd && dfly > 0:
		g.OS = "dragonfly"
	case slash || argsType || openbsd > netbsd && openbsd > freebsd || emul == "native":
		g.OS = "openbsd"
	case abi || bigTID > 0 || freebsd > netbsd && freebsd > openbsd:
		g.OS = "freebsd"
	case emul == "netbsd" || frac9 || netbsd > 0 || two > 0:
		g.OS = "netbsd"
	case g.Headers > 0:
		g.OS = "freebsd" // pid and comm only: FreeBSD, or OpenBSD without hints
	}
	switch {
	case ntimes == 0:
		g.Form = bsd.TimeNone
	case times[0] >= 1e8*1e9:
		g.Form = bsd.TimeAbsolute
	case ntimes >= 2:
		g.Form = bsd.TimeElapsed
	default:
		g.Form = bsd.TimeElapsed
		for i := 1; i < len(times); i++ {
			if times[i] < times[i-1] {
				g.Form = bsd.TimeRelative
				break
			}
		}
	}
	return g
}

// Sniff reports whether head (a log's first bytes, decompressed) is kdump
// output: most of its unindented lines are record headers.
func Sniff(head []byte) bool {
	g := Guess(head)
	return g.Headers > 0 && g.Headers >= 2*g.Other
}

// Score is the share of head's unindented lines that are kdump headers.
func Score(head []byte) float64 {
	g := Guess(head)
	if g.Headers == 0 {
		return 0
	}
	return float64(g.Headers) / float64(g.Headers+g.Other)
}
