// Package bsd turns the records of BSD system call logs (kdump's rendering
// of ktrace files from NetBSD, FreeBSD, OpenBSD and DragonFly, and FreeBSD's
// truss) into forkcost trace events. The readers live in trace/kdump and
// trace/truss; both produce the Record of this package, and one Converter
// gives them the same semantics:
//
//   - fork, pdfork and rfork(RFPROC) without RFMEM are forks; vfork and
//     NetBSD's __vfork14 are vforks; rfork(RFPROC|RFMEM) is a clone, or a
//     spawn when it has vfork's semantics (RFSPAWN, or RFPPWAIT); NetBSD's
//     posix_spawn system call is a spawn. The raw rfork flags are kept in
//     clone_flags, and the metadata names the OS.
//   - _lwp_create, thr_new, __tfork and lwp_create make threads, not
//     processes.
//   - A child is linked to its parent by the pid the parent's RET returns;
//     its records may come before that RET (vfork always does this), so
//     a pid first seen while some creation call is open waits for it.
//     posix_spawn returns the pid through a pointer: its child is the first
//     unclaimed new pid seen during or after the call.
//   - execve: the CALL is logged under the old command name and the RET
//     under the new one; the first NAMI after the CALL is the path, and
//     OpenBSD's ARGS items are the argv.
//   - exit is "CALL exit(N)" without a RET; death by a signal is a PSIG with
//     SIG_DFL of a fatal signal followed by nothing from that process.
//   - Memory calls (mmap, munmap, mprotect, break/obreak, NetBSD mremap,
//     minherit) rebuild the address space with trace/addrspace, with the same
//     per-exec baseline and resident estimate as the strace converter, so
//     every creation row says snapshot_source=estimated.
//
// Rows are written in log order, each call at the time of its CALL record;
// a creation row waits (bounded by Options.MaxHeld) for its child's first
// exec, which gives child_exec_ns, in a trace/lookahead Queue: a call's
// row keeps the place of its CALL record until its RET comes.
package bsd

import (
	"fmt"
	"strconv"

	"github.com/forkcost/forkcost/trace/internal/lineread"
	"github.com/forkcost/forkcost/trace/textconv"
)

// Type says what a Record holds.
type Type uint8

const (
	// Call is a system call entry (kdump CALL).
	Call Type = iota + 1
	// Ret is a system call return (kdump RET).
	Ret
	// Syscall is a complete call with its return (a truss line).
	Syscall
	// Nami is a path looked up (kdump NAMI).
	Nami
	// Psig is a signal acted upon (kdump PSIG, truss SIGNAL).
	Psig
	// Emul names the process's emulation (kdump EMUL), logged at exec.
	Emul
	// ArgItem is one argument of an exec (an OpenBSD ARGS continuation line).
	ArgItem
	// ProcExit is the end of a process (truss "process exit" or "process
	// killed").
	ProcExit
	// NewProc is a new process announced by the tracer (truss "<new process>").
	NewProc
	// NewThread and ThreadExit are truss's "<new thread N>" and "<thread N
	// exited>".
	NewThread
	ThreadExit
	// Other is a record of a known type that carries nothing for the trace
	// (GIO, STRU, CSW, ...), or of an unknown type (Unknown is then true).
	Other
)

var typeNames = [...]string{"?", "CALL", "RET", "SYSCALL", "NAMI", "PSIG", "EMUL", "ARG", "EXIT", "NEWPROC", "NEWTHREAD", "THREADEXIT", "OTHER"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "?"
}

// RetKind says how a call returned.
type RetKind uint8

const (
	RetNone       RetKind = iota // no return value
	RetValue                     // a value, in RetVal
	RetError                     // an error, errno in Errno
	RetJustReturn                // JUSTRETURN / EJUSTRETURN (successful execve)
	RetRestart                   // RESTART / ERESTART: the call will be restarted
)

// TimeForm is how a log's records are timestamped.
type TimeForm uint8

const (
	TimeNone     TimeForm = iota // no timestamps: times come from record order
	TimeAbsolute                 // kdump -T: seconds since the epoch
	TimeElapsed                  // kdump -E, truss -d: since the first record
	TimeRelative                 // kdump -R: since the previous record
	TimeDuration                 // truss -D alone: time spent in the call, not a clock
	TimeAuto                     // (an option) decide from the first lines
)

func (f TimeForm) String() string {
	switch f {
	case TimeAbsolute:
		return "absolute"
	case TimeElapsed:
		return "elapsed"
	case TimeRelative:
		return "relative"
	case TimeDuration:
		return "duration"
	case TimeAuto:
		return "auto"
	}
	return "none"
}

// ParseTimeForm reads a --time-form value.
func ParseTimeForm(s string) (TimeForm, error) {
	for _, f := range []TimeForm{TimeNone, TimeAbsolute, TimeElapsed, TimeRelative, TimeDuration, TimeAuto} {
		if f.String() == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown time form %q (want auto, absolute, elapsed, relative, duration or none)", s)
}

// Record is one record of a kdump or truss log. The Reader that returns it
// owns it and its byte slices, which stay valid until its next call to Next.
type Record struct {
	Type Type
	File string
	Line int // line number (from 1) of the record's first line

	PID    int32
	TID    int32 // lwp or thread id, when HasTID
	HasTID bool
	HasPID bool // false for truss logs without -f
	Comm   []byte

	// Time is the record's time in ns on the log's clock (Unix time for
	// TimeAbsolute; since the first record otherwise), when HasTime.
	Time    int64
	HasTime bool

	// Calls and returns.
	Name   []byte
	Args   []byte // between the parentheses
	Ret    RetKind
	RetVal int64
	Errno  int32

	// NAMI path, EMUL name, or the value of an ARGS item (unquoted).
	Text  []byte
	Index int // ARGS item index

	// Signals: Signal is the number (BSD numbering), SigName the name as
	// printed; Default is true for SIG_DFL. Info is the rest of the line
	// (code=, pid=, status=).
	Signal  int32
	SigName []byte
	Default bool
	Info    []byte

	// ProcExit.
	Status     int32
	Killed     bool // killed by Signal
	CoreDumped bool

	Unknown bool // an unknown record type (Other)
}

// String formats the record for tests and debugging.
func (r *Record) String() string {
	id := strconv.Itoa(int(r.PID))
	if r.HasTID {
		id += "/" + strconv.Itoa(int(r.TID))
	}
	s := fmt.Sprintf("%d %s %q", r.Line, id, r.Comm)
	if r.HasTime {
		s += " t=" + strconv.FormatInt(r.Time, 10)
	}
	s += " " + r.Type.String()
	switch r.Type {
	case Call:
		s += fmt.Sprintf(" %s(%s)", r.Name, r.Args)
	case Ret, Syscall:
		if r.Type == Syscall {
			s += fmt.Sprintf(" %s(%s)", r.Name, r.Args)
		} else {
			s += " " + string(r.Name)
		}
		switch r.Ret {
		case RetValue:
			s += " = " + strconv.FormatInt(r.RetVal, 10)
		case RetError:
			s += fmt.Sprintf(" errno %d", r.Errno)
		case RetJustReturn:
			s += " JUSTRETURN"
		case RetRestart:
			s += " RESTART"
		}
	case Nami, Emul:
		s += fmt.Sprintf(" %q", r.Text)
	case ArgItem:
		s += fmt.Sprintf(" [%d] %q", r.Index, r.Text)
	case Psig:
		s += fmt.Sprintf(" %d %s default=%v %s", r.Signal, r.SigName, r.Default, r.Info)
	case ProcExit:
		if r.Killed {
			s += fmt.Sprintf(" killed %d core=%v", r.Signal, r.CoreDumped)
		} else {
			s += fmt.Sprintf(" status %d", r.Status)
		}
	case NewThread, ThreadExit:
		s += fmt.Sprintf(" %d", r.TID)
	case Other:
		if r.Unknown {
			s += " unknown"
		}
	}
	return s
}

// SyntaxError is a line a Reader could not parse (textconv's). Readers
// report it and go on with the next line.
type SyntaxError = textconv.SyntaxError

// Source is what the Converter's driver reads: a kdump or truss Reader.
type Source interface {
	// Next advances to the next record or syntax error; false at the end.
	Next() bool
	// Record returns the current record, or nil when the current result
	// is a syntax error (see SyntaxError) or nothing (after YieldSoon).
	Record() *Record
	SyntaxError() *SyntaxError
	// Err returns the first I/O error.
	Err() error
	// TimeForm returns the log's time form (decided from its first lines).
	TimeForm() TimeForm
	// OS returns the operating system the log comes from, as far as the
	// lines read so far tell ("" when unknown).
	OS() string
	// BytesRead returns the bytes consumed so far.
	BytesRead() int64
	// LineReader returns the line reader, which a pipelined conversion
	// switches to reading ahead (after TimeForm and OS: they peek).
	LineReader() *lineread.Reader
	// YieldSoon makes Next return true with neither a record nor a syntax
	// error after the next line that makes neither (textconv.Yield).
	YieldSoon()
}
