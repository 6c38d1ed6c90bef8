// Package record records every process creation, exec, exit and signal
// of a command and its descendants (or, with eBPF, of a running process,
// a cgroup or the whole system) as a forkcost trace, with the creating
// parent's real address space at the instant of each creation.
//
// # Two backends, one row builder
//
// The eBPF backend (Options.Via "ebpf"; the kernel side is package
// record/ebpf) runs BPF programs on kernel tracepoints: no process is ever
// stopped, the parent's address space is read from its mm_struct in the
// kernel at sched_process_fork, and each creation's and exec's kernel cost
// is measured (create_ns, parent_blocked_ns, post_create_faults, exec_ns;
// see package record/ebpf for where each comes from and which sizes are
// approximations). It needs root (or CAP_BPF and CAP_PERFMON), a kernel
// with BTF and the task-VMA iterator (6.7 or later). A refusal is a
// *ebpf.RefusedError saying why and how to fix it; in "auto" mode a
// command is then recorded with ptrace and Result.BackendWhy says why.
//
// The ptrace backend (the default of Run, "ptrace") follows a command it
// starts and reads /proc at each stop, as described below. Both turn
// their events into rows with the same code: Classify for the kind of a
// creation, the emitter (output.go, over a trace/lookahead Queue) that
// holds rows until what they await is known and never writes a guessed
// outcome, fillExit for exit rows, the helper that starts the command and
// waits until it is watched, and the staging file renamed (or, when its
// metadata changed, copied) into place at the end.
//
// # The ptrace backend
//
// The recorder stops the traced processes only at process events (fork,
// vfork, clone, exec, signal delivery, and a new process's first stop)
// and at exec attempts, never at every system call: exec attempts are
// caught by a seccomp filter that traps execve and execveat only, so that
// failed execs (a shell's PATH search) are recorded too. An attempt is
// known to have failed when the next event of its thread is anything but
// an exec, so the end of the call costs no stop. Exits cost none either:
// an exited process stays a zombie until the tracer reaps it, and its
// counters are read then. Every stop is a round trip through the tracer
// and two context switches, which dominate the recording's overhead. At a
// creation, the parent is stopped while its /proc/PID/smaps, status and
// stat are read, so the sizes are those of the address space the kernel
// duplicates (or shares).
//
// What the rows hold:
//
//   - creation rows (fork, vfork, spawn, clone; kind by the system call
//     and its clone flags, see Classify) carry the parent's snapshot,
//     comm and cumulative fault counters (min_faults, maj_faults), and
//     child_exec_ns when the child exec'd soon enough (rows are held
//     back up to 2 s or 8192 rows to learn it; a row forced out lacks
//     it, and Stats.Unresolved counts such rows); thread rows carry only
//     the new thread's id and flags;
//   - exec rows carry the path as passed to execve (or /proc/PID/exe),
//     the argv from /proc/PID/cmdline and the new comm; exec_failed rows
//     the path that failed, at the time of the attempt (an attempt held
//     past the bound is written only once it is known to have failed, at
//     that time; one still unknown at the end is listed in the metadata
//     key MetaUnknownExec, never guessed);
//   - exit rows carry the exit status or the killing signal and whether
//     a core was dumped, and the process's final fault counters, read
//     from its zombie before the recorder reaps it;
//   - signal rows record every signal delivered to a traced process
//     (SIGCHLD included); the signal is then delivered as it would have
//     been without the recorder.
//
// A process that dies between its event and the /proc read (a SIGKILL
// from outside) yields its row with proc_gone set and without the parts
// /proc would have given.
//
// The command is started through a helper (the recorder's own executable,
// see helperEnv) that waits until it is seized, so that nothing the
// command does escapes the recorder. Signals given to Options.Signals are
// forwarded to the command's first process (to every traced process once
// it has exited). A Ctrl-C at a terminal reaches the command directly as
// well, so it sees SIGINT twice; programs that handle SIGINT do not mind.
//
// # What differs between the backends
//
// eBPF rows have snapshot_source "estimated": writable_resident_bytes is
// the anonymous resident size (the kernel keeps no per-mapping resident
// count a BPF program can read), huge_resident_bytes is 0, and a creation
// row's fault counters are the creating thread's plus the dead threads'
// (/proc sums the live threads too). eBPF signal rows are the signals the
// kernel delivers: a SIGCHLD or SIGCONT whose action is the default is
// discarded when sent and never appears, whereas under ptrace every signal
// sent is stopped for and recorded. An eBPF exec_failed row is stamped at
// the failed call's return; an argv longer than 1 KiB is cut and ends
// with ArgvCutMark. Events lost to a full ring buffer are counted
// (Result.EventsLost) and mark the trace incomplete.
//
// Recording works on Linux on amd64; elsewhere Run returns ErrUnsupported.
package record

import (
	"errors"
	"os"
	"time"

	"github.com/forkcost/forkcost/trace"
)

// ErrUnsupported is returned by Run where recording is not implemented.
var ErrUnsupported = errors.New("recording needs Linux on amd64 (ptrace, /proc); record elsewhere and analyze the trace here")

// ErrPtraceRefused is wrapped by the error Run returns when the kernel does
// not let the recorder trace the command.
var ErrPtraceRefused = errors.New("ptrace refused")

// Options configure a recording.
type Options struct {
	// Args is the command and its arguments; Args[0] is looked up in PATH.
	Args []string
	// Dir and Env are the command's working directory and environment
	// (empty: the recorder's own).
	Dir string
	Env []string
	// Stdin, Stdout and Stderr default to the recorder's own.
	Stdin, Stdout, Stderr *os.File
	// Output is the trace file (.arrow or .parquet). It appears only when
	// the recording ends; until then rows go to a temporary file beside it.
	Output string
	// Origin is recorded in the trace's metadata (default: the command line).
	Origin string
	// Signals, when not nil, delivers signals received by the recorder
	// (SIGINT, SIGTERM, SIGHUP): each is forwarded to the command, and the
	// trace is then marked incomplete.
	Signals <-chan os.Signal
	// Progress, when not nil, is called from a goroutine of its own every
	// ProgressEvery (default 250ms) while the command runs, and once at
	// the end.
	Progress      func(Stats)
	ProgressEvery time.Duration
	// BatchRows is the number of rows per record batch (default 4096).
	BatchRows int
	// NoExecFailures skips the seccomp filter that traps exec attempts:
	// successful execs are still recorded, failed ones are not (ptrace).
	NoExecFailures bool

	// Via selects the backend: ViaPtrace (also ""), ViaEBPF, or ViaAuto
	// (eBPF where the kernel and privileges allow it, else ptrace).
	Via string
	// What to watch instead of a command (eBPF only; Args must then be
	// empty): PID and every process it creates from then on, the cgroup
	// v2 directory Cgroup, or All the system. The recording runs until
	// Duration (0: no limit) has passed, a signal arrives on Signals, or
	// (PID) the process and its descendants have all exited.
	PID      int
	Cgroup   string
	All      bool
	Duration time.Duration

	// Test hooks.
	seize      func(pid int, options int) error // PTRACE_SEIZE
	ebpfRefuse error                            // make loading the BPF program fail with this
	ebpfRing   int                              // ring buffer bytes (0: the default)
	ebpfStall  time.Duration                    // wait this long before reading events
	procGone   func(pid int) bool               // pretend /proc/PID has gone
	procRoot   string                           // read snapshots here instead of /proc
}

// Stats counts what a recording has seen so far.
type Stats struct {
	Elapsed   time.Duration
	Rows      int64 // rows written or queued
	Creations int64 // fork, vfork, spawn and clone rows
	Execs     int64
	Processes int // processes alive now
	Tasks     int // traced threads alive now
	// Unresolved counts creation rows written before everything they
	// awaited was known (a hold bound, or the end of the recording): the
	// fields still awaited are null.
	Unresolved int64
	// TracerCPU is the CPU time (user and system) of the recording
	// process itself, not of the command: the recorder's own share of
	// the overhead. Set at the end.
	TracerCPU time.Duration
}

// Result is the outcome of a recording.
type Result struct {
	// ExitStatus is the command's exit status: its exit code, or 128+N
	// when signal N killed it.
	ExitStatus int
	// Signal is the signal that killed the command, 0 if it exited.
	Signal int
	// Incomplete is why the trace stops early ("" when it does not); the
	// same text is in the trace's metadata (forkcost.incomplete).
	Incomplete string
	Stats      Stats
	Meta       trace.Meta
	// Warnings are problems that did not stop the recording.
	Warnings []string
	// Backend is the backend that recorded (ViaPtrace or ViaEBPF), and
	// BackendWhy why it was chosen (auto mode).
	Backend, BackendWhy string
	// EventsLost counts events the eBPF backend lost to a full ring
	// buffer (the trace is then marked incomplete).
	EventsLost uint64
}

// Backends.
const (
	ViaAuto   = "auto"
	ViaEBPF   = "ebpf"
	ViaPtrace = "ptrace"
)

// MetaBackend is the metadata key naming the recorder's backend.
const MetaBackend = "forkcost.record_backend"

// watchesCommand reports whether opts asks to record a command it starts.
func (o *Options) watchesCommand() bool { return o.PID == 0 && o.Cgroup == "" && !o.All }

// CheckTarget checks that exactly one thing to watch is given.
func (o *Options) CheckTarget() error {
	n := 0
	for _, set := range []bool{len(o.Args) > 0, o.PID != 0, o.Cgroup != "", o.All} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return errors.New("nothing to record: give one of a command, a pid, a cgroup or all")
	case n > 1:
		return errors.New("give only one of a command, a pid, a cgroup or all")
	}
	return nil
}

// ExitCode returns the status a shell would see for the command.
func (r Result) ExitCode() int { return r.ExitStatus }
