// Package strace converts strace(1) logs into forkcost traces.
//
// # Pipeline
//
// A conversion has three stages, each bounded in memory:
//
//	Reader     lines -> Records       lexes one line at a time, joins split calls
//	Converter  Records -> trace.Events  processes, address spaces, look-ahead
//	writer     Events -> .arrow/.parquet  arrowio.Writer (temporary file, renamed at the end)
//
// ConvertFiles runs them on five goroutines for a single log (RunPipelined),
// handing over batches through channels of a few batches, so a conversion
// keeps both cores of a small machine busy:
//
//	read-ahead  reads (and decompresses) the input into blocks of whole lines
//	Reader      lexes the lines straight into a batch of Records
//	decoder     decodes the arguments of memory calls and execs
//	Converter   turns the Records into Events
//	writer      encodes the Events
//
// A record's slices point into the block its line came from, not into a
// copy; a block is released when the Converter is done with every batch
// that refers to it, so memory is bounded by the blocks and batches in
// flight. The -ff files of one run are merged by time on one goroutine
// (Merge). FuzzParse checks that both paths give the same rows.
//
// # Grammar
//
// The Reader, in the style of golang.org/x/perf/benchfmt, returns a *Record
// or a *SyntaxError per step and owns every buffer it returns. A line is
//
//	[PID PREFIX] [TIMESTAMP] [-n [ SYSNO]] [-i [IP]] BODY [-T <DURATION>]
//
// PID PREFIX is one of "%-5u " (-f -o, one space after 6-digit pids),
// "[pid %5u] " (-f to stderr, where lines printed while one tracee lives
// have no prefix), "PID<comm> " (-Y), or nothing (no -f; -ff, whose pid is
// the file's suffix and is given as Reader.DefaultPID).
//
// TIMESTAMP is HH:MM:SS (-t), HH:MM:SS.us (-tt), SECONDS.us (-ttt) or .ns
// (--absolute-timestamps=precision:ns), "SECONDS.us" deltas (-r, from the
// previous line of any pid: the Reader adds them up), or
// "HH:MM:SS (+ SECONDS.us)" (-t -r). A time of day that goes back by more
// than 12 hours has crossed midnight and gains a day. A number with fewer
// than 9 integer digits is a -r delta, more is Unix time.
//
// BODY is one of
//
//	NAME(ARGS) = RET[ ERRNO (text)][ (INJECTED)]     a complete call
//	NAME(ARGS <unfinished ...>                       the first half of a split call
//	<... NAME resumed>ARGS) = RET                    its second half
//	<... NAME resumed> <unfinished ...>) = ?         killed while blocked
//	NAME(ARGS <detached ...>                         strace detached
//	+++ exited with N +++ | +++ killed by SIG[ (core dumped)] +++ | +++ superseded by execve in pid N +++
//	--- SIGNAME {siginfo} --- | --- stopped by SIG --- | --- SIGCHLD (Child exited) @ 0 (0) --- (old strace)
//
// RET is a decimal or hex number, possibly with a -Y "<comm>", "?",
// "? <unavailable>" or "? ERESTART...". The return value is found from the
// right, as the last "= " preceded by ") ", so strings in the arguments
// cannot fool it. Split calls are joined per pid (the first half's text,
// then the second's), wherever the split falls, even mid-argument
// (--seccomp-bpf), and the joined call carries the time of its first half.
// In stderr logs, a second half without a pid joins the pid-less first half
// of the same name, or the only pid waiting in a call of that name. A
// thread's execve, resumed under the leader's pid after "+++ superseded", is
// joined with the thread's first half. A task that dies inside a call
// (exit_group in another thread) drops its first half.
//
// Messages of strace itself ("strace: Process N attached") are records of
// their own, also when stderr mode spliced them into the middle of a line,
// whose two pieces are then joined. -k stack frames (" > ...") are skipped,
// and the ANSI color escapes of strace 7 are dropped.
// Arguments keep -y/-yy decorations ("3</etc/ld.so.cache>"), -X raw and
// verbose flags ("0x1200000 /* CLONE_CHILD_CLEARTID|... */|17"), full -v
// environments, strace 4.x "[/* 25 vars */]", C escapes (octal, hex) and
// truncation marks ("str"..., a bare ... element) and -N argument names
// ("pathname=..."), all decoded where the Converter needs them.
//
// A line that fits none of this is a *SyntaxError naming the file, the line
// and what was expected; the Reader goes on with the next line, so a bad
// line never stops a conversion nor corrupts its output (Config.Strict makes
// the first one fatal). A line longer than Reader.MaxLine (4 MiB) is
// reported and skipped without being held in memory.
//
// # Semantics
//
// Creations are classified by their flags, not the call's name: vfork is
// VFork; fork, and clone/clone3 without CLONE_VM, are Fork; clone/clone3
// with CLONE_VM|CLONE_VFORK (glibc posix_spawn, Go's os/exec) are Spawn;
// CLONE_THREAD makes a Thread row (a new tid of the same process); other
// flag sets are Clone. Flags are read symbolically, numerically or both, from
// clone's flags= and clone3's {flags=...}; CLONE_PARENT makes the caller's
// parent the new process's parent. A failed or interrupted creation creates
// nothing. A child whose lines come before its parent's call returns (vfork,
// posix_spawn) is held until the creation is known, then linked.
//
// A successful execve (or execveat) is an exec row that replaces the image:
// a fresh address space, one thread, the comm (base name, 15 bytes) of the
// path. A failed one (PATH search) is exec_failed. Exit status comes from
// "+++" lines, else exit_group(N) (or exit(N) of a single-threaded process),
// else the parent's SIGCHLD (si_code, si_status) or wait4's decoded status.
// Thread exits are not process exits. Pids that appear again after their
// process ended are new processes.
//
// Lines without a pid in a stderr log belong to the only tracee alive. The
// first process's pid is not printed until a second tracee exists: its rows
// are held and given the pid when the first "[pid N]" line of a pid not
// created in the log appears. In a log without -f, pids are unknown and rows
// say pid 0.
//
// # Address spaces
//
// Each process has an addrspace.Space rebuilt from mmap, munmap, mremap,
// mprotect and brk (successful calls only): fork copies it, CLONE_VM shares
// it until exec, exec empties it. Every creation row gets the parent's
// sizes at the creation, plus addrspace.DefaultBaseline (Options.Baseline)
// for the mappings the kernel makes at exec, which strace cannot see.
// Resident sizes cannot be seen at all: they are Options.ResidentFraction of
// the mapped sizes (addrspace.Estimate), so every creation row says
// snapshot_source=estimated, and the trace's metadata (forkcost.strace.*)
// records the rule, the fraction and the baseline. A log without memory
// calls still converts, with baseline sizes and a warning. A Space applies
// the calls it is told only when a creation reads it (see the addrspace
// package), so the calls of the many processes of a build that exec or
// exit without creating a child are read and decoded, but never applied.
//
// # Order and memory
//
// child_exec_ns needs look-ahead: a creation row is held until its child's
// first exec or its exit, with the rows of the child (and of its own
// children) that come before, so that every creation row precedes all rows
// of its child, as the spine's Eligibility expects. Rows of other processes
// are written meanwhile: the held rows wait in lanes of a trace/lookahead
// Tree, one per waiting creation (nested when the creation is itself
// held), and the rows of a process seen before its creation (an orphan)
// or before its pid (the pid-less first process of a stderr log) in a lane
// of their own, whose rows get their pid when it is known. Rows therefore
// leave the converter in time order except that a creation row may come
// after rows of unrelated processes later than it. Held rows are bounded by
// Options.MaxHeld (and, when set, the wait by Options.MaxAge); beyond it
// the oldest creation is written without child_exec_ns (counted in
// Stats.ForcedRelease). All other state is per live process or pending
// call, never per line (a Space holds at most addrspace.MaxDeferred calls
// unapplied): a log of any size converts in bounded memory.
package strace
