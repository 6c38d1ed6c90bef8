package strace

import (
	"fmt"
	"strconv"

	"github.com/forkcost/forkcost/trace/textconv"
)

// RecordKind says what a Record holds.
type RecordKind uint8

const (
	// KindCall is a system call, complete or rebuilt from its
	// <unfinished ...> and <... resumed> halves.
	KindCall RecordKind = iota + 1
	// KindExit is a "+++ exited with N +++", "+++ killed by SIG +++" or
	// "+++ superseded by execve in pid N +++" line.
	KindExit
	// KindSignal is a "--- SIG... ---" line.
	KindSignal
	// KindMessage is a message of strace itself ("strace: Process N
	// attached"), found on a line of its own or spliced into another.
	KindMessage
)

// TimeForm is how a log's lines are timestamped.
type TimeForm uint8

const (
	TimeNone     TimeForm = iota // no timestamps
	TimeUnix                     // -ttt: seconds since the epoch
	TimeOfDay                    // -t, -tt: wall clock without date
	TimeRelative                 // -r: delta from the previous line
)

func (f TimeForm) String() string {
	switch f {
	case TimeUnix:
		return "unix"
	case TimeOfDay:
		return "time-of-day"
	case TimeRelative:
		return "relative"
	}
	return "none"
}

// RetKind says what a call returned.
type RetKind uint8

const (
	RetNone    RetKind = iota // no return value: "= ?", or the call never returned
	RetValue                  // a number (decimal or hex), Ret holds it
	RetError                  // -1 with an errno name in Errno
	RetUnavail                // "= ? <unavailable>"
)

// Record is one logical record of a strace log. The Reader owns it and the
// byte slices in it: they stay valid until the next call to Next.
type Record struct {
	Kind RecordKind
	// Line is the line number (from 1) of the record's first line in File.
	Line int
	File string

	// PID is the process (thread) the line belongs to. HasPID is false
	// for lines that carry no pid (stderr logs print none while only one
	// tracee is alive; logs without -f never do).
	PID    int32
	HasPID bool
	// Comm is the -Y decoration of the pid, if any.
	Comm []byte

	// Time is the line's time in nanoseconds, in the log's own clock: Unix
	// time for -ttt, time of day plus 24 h per midnight crossed for
	// -t/-tt, the running sum of deltas for -r. For a rebuilt call it is
	// the time of its <unfinished ...> half, when the call was entered.
	Time     int64
	TimeForm TimeForm

	// Calls.
	Name     []byte // system call name
	Args     []byte // argument text between the parentheses (joined for split calls)
	Ret      RetKind
	RetVal   int64  // for RetValue; hex values above MaxInt64 wrap
	Errno    []byte // for RetError, or ERESTART* after "= ?"
	Duration int64  // -T, in ns; -1 when absent
	// Resumed is true for a call rebuilt from two halves. Orphan is true
	// for a <... resumed> half whose <unfinished ...> half was not in the
	// log: Args then holds only the tail.
	Resumed, Orphan bool
	// Interrupted is true for a call that never returned: killed while
	// blocked ("<unfinished ...>) = ?") or detached ("<detached ...>").
	Interrupted bool

	// Exit lines.
	ExitStatus   int32  // "exited with N"
	KillSignal   []byte // "killed by SIGX"
	CoreDumped   bool
	SupersededBy int32 // "superseded by execve in pid N"

	// Signal lines: Signal is the signal name (or number), SigInfo the text
	// between the braces.
	Signal  []byte
	SigInfo []byte

	// PendingCreation is true when, after this record, some task of the
	// same log is inside a clone, fork or vfork call that has not returned:
	// a pid not seen before is then taken for its child.
	PendingCreation bool

	// Messages: the text after "strace: ". Attached is the pid of a
	// "Process N attached" message, else 0.
	Msg      []byte
	Attached int32

	// sys is the call Name names, set by the Reader (0: not yet known,
	// see sysCall).
	sys sysCall
	// An exec's path and argv, decoded ahead by the pipeline's lexer
	// (lexer.execAhead): left as they were when decoded is false
	// (resetLine), but for execFile and execArgv, which the Converter
	// takes out once it has read them (Converter.exec).
	decoded  bool
	execFile string
	execArgv []string
	execCut  bool
}

// sysCall returns the call the record's Name names.
func (r *Record) sysCall() sysCall {
	if r.sys == 0 {
		r.sys = sysOf(r.Name)
	}
	return r.sys
}

// sysCall is a system call the Converter tells apart. The Reader names a
// call's record once (sysOf), so that the decoder and the Converter switch
// on a byte, not on the name's bytes three or four times a record.
type sysCall uint8

const (
	sysOther sysCall = iota + 1
	sysClone
	sysClone3
	sysFork
	sysVFork
	sysExecve
	sysExecveat
	sysExit
	sysExitGroup
	sysWait // wait4, waitpid, waitid
	sysMmap // mmap, mmap2
	sysMunmap
	sysMremap
	sysMprotect // mprotect, pkey_mprotect
	sysBrk
)

func sysOf(name []byte) sysCall {
	switch string(name) {
	case "mmap", "mmap2":
		return sysMmap
	case "munmap":
		return sysMunmap
	case "mprotect", "pkey_mprotect":
		return sysMprotect
	case "brk":
		return sysBrk
	case "mremap":
		return sysMremap
	case "clone":
		return sysClone
	case "clone3":
		return sysClone3
	case "fork":
		return sysFork
	case "vfork":
		return sysVFork
	case "execve":
		return sysExecve
	case "execveat":
		return sysExecveat
	case "exit":
		return sysExit
	case "exit_group":
		return sysExitGroup
	case "wait4", "waitpid", "waitid":
		return sysWait
	}
	return sysOther
}

func (s sysCall) isCreation() bool { return s >= sysClone && s <= sysVFork }

func (s sysCall) isMemory() bool { return s >= sysMmap && s <= sysBrk }

func (r *Record) reset() {
	*r = Record{Comm: r.Comm[:0], Duration: -1}
}

// resetLine is reset for the Reader's parse, of the fields a line may
// leave as they were: every record parse makes sets Kind, File, Line, the
// head's fields (PID, HasPID, Time, TimeForm; Comm, which parse clears)
// and the call's (Name, Args, Duration, sys), or clears them (clearCall).
// The fields of exit, signal and message lines are set only after Kind
// says so, and exec* mean nothing without decoded. Zeroing all
// 400 bytes was a quarter of the lexing of a call's line.
func (r *Record) resetLine() {
	if r.Kind > KindCall {
		r.clearRare()
	}
	r.Ret, r.RetVal, r.Errno = 0, 0, nil
	r.Resumed, r.Orphan, r.Interrupted, r.PendingCreation = false, false, false, false
	r.decoded = false
}

// clearRare clears the fields of exit, signal and message lines.
func (r *Record) clearRare() {
	r.ExitStatus, r.KillSignal, r.CoreDumped, r.SupersededBy = 0, nil, false, 0
	r.Signal, r.SigInfo = nil, nil
	r.Msg, r.Attached = nil, 0
}

// clearCall clears the fields a call sets, for the lines that are not
// calls (see resetLine).
func (r *Record) clearCall() {
	r.Name, r.Args, r.Duration, r.sys = nil, nil, -1, 0
}

// String formats the record for tests and debugging.
func (r *Record) String() string {
	pid := "-"
	if r.HasPID {
		pid = strconv.Itoa(int(r.PID))
	}
	switch r.Kind {
	case KindCall:
		ret := "?"
		switch r.Ret {
		case RetValue:
			ret = strconv.FormatInt(r.RetVal, 10)
		case RetError:
			ret = "-1 " + string(r.Errno)
		case RetUnavail:
			ret = "? <unavailable>"
		}
		flags := ""
		if r.Resumed {
			flags += " resumed"
		}
		if r.Orphan {
			flags += " orphan"
		}
		if r.Interrupted {
			flags += " interrupted"
		}
		return fmt.Sprintf("%d pid=%s t=%d %s(%s) = %s%s", r.Line, pid, r.Time, r.Name, r.Args, ret, flags)
	case KindExit:
		switch {
		case r.SupersededBy != 0:
			return fmt.Sprintf("%d pid=%s t=%d +++ superseded by %d", r.Line, pid, r.Time, r.SupersededBy)
		case r.KillSignal != nil:
			return fmt.Sprintf("%d pid=%s t=%d +++ killed by %s core=%v", r.Line, pid, r.Time, r.KillSignal, r.CoreDumped)
		}
		return fmt.Sprintf("%d pid=%s t=%d +++ exited %d", r.Line, pid, r.Time, r.ExitStatus)
	case KindSignal:
		return fmt.Sprintf("%d pid=%s t=%d --- %s {%s}", r.Line, pid, r.Time, r.Signal, r.SigInfo)
	case KindMessage:
		return fmt.Sprintf("%d strace: %s (attached %d)", r.Line, r.Msg, r.Attached)
	}
	return "?"
}

// SyntaxError is a line the Reader could not parse (textconv's). The
// Reader reports it and goes on with the next line.
type SyntaxError = textconv.SyntaxError
