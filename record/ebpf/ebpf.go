// Package ebpf is the kernel side of forkcost's eBPF recorder: a BPF
// program (bpf/record.bpf.c, compiled by bpf2go into record_bpfel.o) on
// BTF-enabled tracepoints, which sends every process creation, exec, exec
// failure, exit and signal of the watched processes to user space through
// one BPF ring buffer, and the loader that attaches it and decodes its
// events. Package record turns the events into trace rows, with the same
// code as its ptrace backend; this package knows nothing of the trace.
//
// # Where each event comes from
//
// No task is ever stopped: the programs run in the kernel at
//
//   - tp_btf/sys_enter and tp_btf/sys_exit, which return at once for every
//     system call but fork, vfork, clone, clone3, execve and execveat, and
//     then for tasks that are not watched. At a creating call's entry the
//     entry time and clone flags (clone3's from its user struct) are kept
//     per thread; at an exec's entry its time and the path as passed. At
//     an exec's return the exec event is sent (exec_ns: entry to return),
//     or the exec_failed event with the error; at a vfork or CLONE_VFORK
//     call's return, the time the parent stayed blocked since the child
//     came to exist (parent_blocked_ns).
//   - tp_btf/sched_process_fork, with the parent and child tasks: the
//     creation event, with create_ns (the call's entry until now, when the
//     child exists) and the parent's address space read from its mm_struct
//     (see below). A new process of a watched one is watched from then on.
//   - tp_btf/sched_process_exec, which notes when the exec took effect and
//     follows a non-leader thread's exec into the leader's id.
//   - tp_btf/sched_process_exit: the exit event when the last thread of a
//     process exits, with the exit code (status, or signal and core flag),
//     comm and fault counters.
//   - tp_btf/signal_deliver: a signal delivered to a watched task. Unlike
//     under ptrace, a signal the kernel discards without delivering it
//     (SIGCHLD with its default action) is not seen, nor is the SIGKILL
//     without siginfo that ends the other threads at a group exit or exec.
//
// An exec's path is read at the call's return, not at its entry: a
// child's first exec after fork may pass a string on a page not yet
// mapped in the child, which a BPF program cannot fault in (the call
// does). A successful exec's path is the kernel's copy (bprm->filename,
// at sched_process_exec), a failed one's the user's string. argv is read
// from the new program's argument area (mm->arg_start..arg_end), at most
// 1 KiB (the event says when it was cut).
//
// Attaching these needs no mounted tracefs, and no kprobes. The syscall
// tracepoints make every system call of every task take the kernel's slow
// path and run the two (short) programs; fentry and fexit on the six
// calls' own functions would spare the others, but this project's kernel
// (6.18, CONFIG_KPROBES off) refuses them ("fentry __x64_sys_fork not
// supported"), so the tracepoints are what is used and measured.
//
// # The parent's address space at a creation
//
// Read in the kernel at sched_process_fork, with the parent still in its
// creating call:
//
//   - virt_bytes: mm->total_vm pages; map_entries: mm->map_count;
//     page_table_bytes: mm->pgtables_bytes; parent_threads:
//     signal->nr_threads.
//   - resident_bytes and anon_resident_bytes: the mm's RSS counters
//     (file + anon + shmem pages, and anon pages). They are per-CPU
//     counters (struct percpu_counter) in kernels 6.2 and later, whose
//     total (count) lags by up to the counter's batch per CPU; the
//     program adds every CPU's delta, so the sums are what /proc reads.
//     BPF cannot follow a per-CPU pointer read from an mm (the verifier
//     sees plain memory, and the kernel exports neither __per_cpu_offset
//     nor this_cpu_off to kallsyms here), so the program finds each CPU's
//     per-CPU offset from its own per-CPU map: the map's value on CPU c
//     (bpf_map_lookup_percpu_elem) lies that offset beyond the map's
//     per-CPU pointer (struct bpf_array's pptrs[0]). Where that read
//     fails, the sum is the total alone (an approximation).
//   - writable_bytes: a walk of the parent's VMAs with the kernel's
//     task-VMA iterator (bpf_iter_task_vma_*, kernels 6.7 and later),
//     summing the private writable ones, as /proc/PID/smaps would.
//   - writable_resident_bytes: the anonymous resident pages. The kernel
//     keeps no per-VMA resident count that a BPF program can read, and
//     walking page tables from BPF is not possible; anonymous pages are
//     what a Linux fork write-protects and copies PTEs for (resident
//     pages of private file mappings that were never written are mapped
//     read-only already). snapshot_source is therefore "estimated" on the
//     eBPF backend's rows.
//   - huge_resident_bytes: 0 (the mm keeps no count of huge pages).
//   - min_faults, maj_faults: the forking thread's counters plus those of
//     the process's dead threads (signal->min_flt), not the other live
//     threads' (which /proc/PID/stat would add).
//
// post_create_faults is the forking thread's minor faults (task->min_flt)
// from the creation until that thread's next creation, its exec or its
// exit: the copy-on-write faults the creation caused, which mostly come
// after the child has exec'd (the parent's pages stay write-protected),
// and any other faults of the thread in that interval.
//
// # Selection
//
// In Tracked mode a hash map of thread-group ids says which processes are
// watched; a new process of a watched one is added at sched_process_fork,
// a process is removed at its exit. Cgroup mode watches the tasks of a
// cgroup v2 directory and its descendants (bpf_current_task_under_cgroup);
// All mode watches every task but the recorder itself.
//
// Events lost to a full ring buffer are counted in a per-CPU map (Drops);
// the recorder reports them and marks its trace incomplete. A submit does
// not wake the reader until a quarter of the ring is unread: the reader
// polls (Next's deadline) and drains what came in between, so a traced
// build does not pay a context switch per event.
package ebpf

import "fmt"

// Mode selects what the tracer watches.
type Mode uint32

const (
	Tracked Mode = iota // the processes given to Track, and their descendants
	Cgroup              // the tasks of a cgroup and its descendants
	All                 // every task but the recorder
)

// Config configures Open.
type Config struct {
	Mode      Mode
	Cgroup    string // Cgroup mode: the cgroup v2 directory
	RingBytes int    // ring buffer size (power of two pages; default 8 MiB)

	// InjectLoadError, for tests, makes Open fail as if the kernel had
	// returned it, and explain it from Env.
	InjectLoadError error
	Env             Env
}

// Env is what the refusal diagnosis reads; empty fields are read from the
// system.
type Env struct {
	BTFPath  string // /sys/kernel/btf/vmlinux
	Status   string // contents of /proc/self/status
	Lockdown string // contents of /sys/kernel/security/lockdown
}

func (c Config) envOrDefault() Env {
	e := c.Env
	if e.BTFPath == "" {
		e.BTFPath = "/sys/kernel/btf/vmlinux"
	}
	return e
}

// Type is an event's type.
type Type uint32

const (
	Fork       Type = iota + 1 // a new process
	Thread                     // a new thread
	Exec                       // a successful exec, at its return
	ExecFailed                 // a failed exec attempt, at its return
	Exit                       // the last thread of a process exited
	Signal                     // a signal delivered
	Blocked                    // a vfork parent's call returned
	Faults                     // a creating thread's fault window closed
)

// Call is how a creation was asked for.
type Call uint32

const (
	CallUnknown Call = iota // the call's entry was not seen
	CallFork
	CallVFork
	CallClone
	CallClone3
)

// Event is one decoded event.
type Event struct {
	Type   Type
	TimeNs int64 // CLOCK_MONOTONIC
	// PID is the thread group the event belongs to (the parent, for a
	// creation), TID the thread, PPID the thread group's parent.
	PID, TID, PPID int32
	// Child is the new process (thread id for Thread), or, for Blocked and
	// Faults, the child of the creation they complete.
	Child    int32
	Call     Call
	Flags    uint64
	HasFlags bool
	// Code is the exit code (wait status form) for Exit, the signal for
	// Signal, the negative errno for ExecFailed.
	Code int32
	// Value is create_ns for Fork (-1: the call's entry was not seen),
	// exec_ns for Exec, the blocked time for Blocked, the fault count for
	// Faults.
	Value          int64
	MinFlt, MajFlt int64
	// Fork: the parent's address space (sizes in pages where named so).
	TotalVM, MapCount, PageTableBytes int64
	FilePages, AnonPages, ShmemPages  int64
	WritableBytes                     int64
	Threads                           int32
	VMAWalked                         bool
	Comm                              string
	Path                              string   // Exec, ExecFailed: the path as passed
	Argv                              []string // Exec
	ArgvCut                           bool     // Argv was longer than the 1 KiB copied
}

// RefusedError says why the kernel refused the eBPF recorder and how to fix
// it.
type RefusedError struct {
	Reason, Fix string
	Err         error
}

func (e *RefusedError) Error() string {
	return "eBPF refused: " + e.Reason + " (" + e.Err.Error() + "); to fix it: " + e.Fix
}

func (e *RefusedError) Unwrap() error { return e.Err }

func (ev Event) String() string {
	names := [...]string{"?", "fork", "thread", "exec", "exec_failed", "exit", "signal", "blocked", "faults"}
	n := "?"
	if int(ev.Type) < len(names) {
		n = names[ev.Type]
	}
	return fmt.Sprintf("%d %s pid=%d tid=%d ppid=%d child=%d call=%d flags=%#x code=%d value=%d comm=%q path=%q argv=%q",
		ev.TimeNs, n, ev.PID, ev.TID, ev.PPID, ev.Child, ev.Call, ev.Flags, ev.Code, ev.Value, ev.Comm, ev.Path, ev.Argv)
}
