// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
//
// forkcost's eBPF recorder: process creations, execs, exec failures,
// exits and signals of the watched processes, each with what the kernel
// knows at that instant, sent to user space through one ring buffer.
// Nothing here stops a task. See the package documentation (doc.go) for
// what each event holds and where it is read.

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// Set by the loader before the programs are loaded.
volatile const __u32 mode = 0;       // MODE_*
volatile const __u32 self_tgid = 0;  // the recorder: never watched
volatile const __u32 nr_cpus = 1;    // possible CPUs, for the RSS sums
volatile const __s32 nr_fork = -1;   // system call numbers of this arch
volatile const __s32 nr_vfork = -1;
volatile const __s32 nr_clone = -1;
volatile const __s32 nr_clone3 = -1;
volatile const __s32 nr_execve = -1;
volatile const __s32 nr_execveat = -1;
volatile const __u64 wakeup_bytes = 0; // wake the reader past this much unread data

#define MODE_TRACKED 0 // the tgids in the tracked map, and their new children
#define MODE_CGROUP 1  // tasks in the cgroup in cgroup_map (or below it)
#define MODE_ALL 2     // every task but the recorder

#define PATH_MAX_LEN 256
#define ARGS_MAX_LEN 1024

#define VM_WRITE 0x2
#define VM_SHARED 0x8

#define CLONE_VFORK 0x4000
#define CLONE_THREAD 0x10000

#define MM_FILEPAGES 0
#define MM_ANONPAGES 1
#define MM_SHMEMPAGES 3

// How the creating call was made (the loader maps it back to the arch's
// system call for Classify).
#define CALL_NONE 0
#define CALL_FORK 1
#define CALL_VFORK 2
#define CALL_CLONE 3
#define CALL_CLONE3 4

enum event_type {
	EV_FORK = 1,    // a new process
	EV_THREAD,      // a new thread
	EV_EXEC,        // a successful exec (sent at its return)
	EV_EXEC_FAILED, // a failed exec attempt (sent at its return)
	EV_EXIT,        // the last thread of a process exited
	EV_SIGNAL,      // a signal delivered
	EV_BLOCKED,     // a vfork parent's call returned: value = blocked ns
	EV_FAULTS,      // a creation's fault window closed: value = faults
};

struct event {
	__u64 ts;       // bpf_ktime_get_ns (CLOCK_MONOTONIC)
	__u32 type;
	__u32 pid;      // tgid of the process the event belongs to
	__u32 tid;
	__u32 ppid;     // tgid of its parent
	__u32 child;    // creations: the child's tgid (tid for threads); EV_BLOCKED, EV_FAULTS: the child
	__u32 call;     // CALL_*
	__u64 flags;    // clone flags
	__u32 has_flags;
	__s32 exit_code; // EV_EXIT: task->exit_code; EV_SIGNAL: the signal
	__s64 value;    // EV_FORK: create_ns (-1: unknown); EV_EXEC: exec_ns; EV_BLOCKED, EV_FAULTS: see above
	__u64 min_flt, maj_flt;
	// EV_FORK: the parent's address space.
	__u64 total_vm, map_count, pgtables_bytes;
	__u64 file_pages, anon_pages, shmem_pages;
	__u64 writable_bytes; // private writable VMAs, walked with bpf_iter_task_vma
	__u32 threads;
	__u32 vma_walked;     // 1: writable_bytes is from the VMA walk
	char comm[16];
};

struct exec_event {
	struct event e;
	__u32 args_len;  // bytes of the argument area copied
	__u32 args_cut;  // the area was longer than ARGS_MAX_LEN
	char path[PATH_MAX_LEN];
	char args[ARGS_MAX_LEN];
};

// A call in flight on a thread: a creating call or an exec attempt.
struct inflight {
	__u64 enter_ts;
	__u64 fork_ts;   // when the child came to exist
	__u64 exec_ts;   // when the exec took effect (sched_process_exec)
	__u64 flags;
	__u32 call;      // CALL_* or 0 for an exec attempt
	__u32 child;
	__u32 has_flags;
	__u32 vfork;     // the parent stays blocked until the child execs or exits
	__u64 path_ptr;  // exec: the user's path argument
	char path[PATH_MAX_LEN]; // exec: the path, once the exec took effect
};

// The fault window of a creating thread: from its last creation until its
// next creation, exec or exit.
struct faultwin {
	__u64 min_flt;
	__u32 child;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

// The hash maps allocate their entries as they fill (BPF_F_NO_PREALLOC):
// preallocating some 10 MiB of entries that a build never uses cost
// milliseconds at every start, before the command may run.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct faultwin);
} faultwins SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_map SEC(".maps");

// drops[0]: events lost to a full ring buffer; drops[1]: in-flight calls
// not remembered (map full), so a measured cost is missing.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

// Scratch space for an inflight entry (too big for the stack).
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct inflight);
} scratch SEC(".maps");

// Needed by bpf2go to generate the Go types.
const struct event *unused_event __attribute__((unused));
const struct exec_event *unused_exec_event __attribute__((unused));

static __always_inline void count_drop(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &which);
	if (n)
		*n += 1;
}

static __always_inline bool watched(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (mode == MODE_ALL)
		return true;
	if (mode == MODE_CGROUP)
		return bpf_current_task_under_cgroup(&cgroup_map, 0) == 1;
	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

// Arch-neutral system call arguments: x86-64 and arm64 name the
// registers differently, so the program reads whichever layout the
// running kernel has (CO-RE).
struct pt_regs___arm64 {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
	__u64 orig_x0;
	__s32 syscallno;
} __attribute__((preserve_access_index));

static __always_inline __u64 arg(struct pt_regs *regs, int n)
{
	if (bpf_core_field_exists(regs->di)) {
		if (n == 0)
			return BPF_CORE_READ(regs, di);
		return BPF_CORE_READ(regs, si);
	}
	struct pt_regs___arm64 *a = (void *)regs;
	if (n == 0)
		return BPF_CORE_READ(a, orig_x0);
	return BPF_CORE_READ(a, regs[1]);
}

static __always_inline long syscall_nr(struct pt_regs *regs)
{
	// Every system call of every task comes here: a direct (BTF) load is
	// cheaper than a helper call.
	if (bpf_core_field_exists(regs->orig_ax))
		return regs->orig_ax;
	struct pt_regs___arm64 *a = (void *)regs;
	return BPF_CORE_READ(a, syscallno);
}

static __always_inline void fill_common(struct event *e, struct task_struct *t, __u32 type)
{
	e->ts = bpf_ktime_get_ns();
	e->type = type;
	e->pid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &t->comm);
}

// The process's fault counters as /proc/PID/stat sums them, less the
// live threads other than t: t's own plus those of its dead threads.
static __always_inline void fill_faults(struct event *e, struct task_struct *t)
{
	e->min_flt = BPF_CORE_READ(t, min_flt) + BPF_CORE_READ(t, signal, min_flt);
	e->maj_flt = BPF_CORE_READ(t, maj_flt) + BPF_CORE_READ(t, signal, maj_flt);
}

// submit_flags lets the reader sleep between its polls: a submit wakes it
// only once the unread data passes wakeup_bytes (a quarter of the ring).
// Waking it at every event cost a context switch per event, taken from
// the traced build's CPUs; the reader drains the ring every few
// milliseconds anyway.
static __always_inline __u64 submit_flags(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline struct event *reserve_small(void)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(struct event), 0);
	if (!e)
		count_drop(0);
	else
		__builtin_memset(e, 0, sizeof(*e));
	return e;
}

// close_window sends the fault count of thread tid's open fault window,
// if any, and forgets it.
static __always_inline void close_window(__u32 tid, struct task_struct *t)
{
	struct faultwin *w = bpf_map_lookup_elem(&faultwins, &tid);
	if (!w)
		return;
	struct event *e = reserve_small();
	if (e) {
		fill_common(e, t, EV_FAULTS);
		e->child = w->child;
		e->value = (__s64)(BPF_CORE_READ(t, min_flt) - w->min_flt);
		bpf_ringbuf_submit(e, submit_flags());
	}
	bpf_map_delete_elem(&faultwins, &tid);
}

// launder returns a pointer's value as a plain number (the verifier
// tracks pointers through registers and the stack, not through a
// bpf_probe_read_kernel of the slot holding one).
static __always_inline __u64 launder(void *p)
{
	__u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

// rss sums a percpu_counter exactly: its total plus every CPU's delta not
// yet folded in. A per-CPU pointer is followed to CPU c's copy by adding
// that CPU's per-CPU offset, which BPF cannot read directly (the kernel
// exports neither __per_cpu_offset nor a percpu-tagged rss_stat to
// programs); it is found from the recorder's own per-CPU map, whose value
// on CPU c (bpf_map_lookup_percpu_elem) lies at the offset from the map's
// per-CPU pointer (struct bpf_array's pptrs[0]). Where any of this fails,
// the sum is the counter's total alone, which lags by up to the counter's
// batch (32 pages or more) per CPU.
static __always_inline __s64 rss(struct mm_struct *mm, int i)
{
	struct percpu_counter *pc = &mm->rss_stat[i];
	__s64 sum = BPF_CORE_READ(pc, count);
	__u64 base = launder(BPF_CORE_READ(pc, counters));
	__u64 arr = launder(&drops);
	__u64 pp = 0;
	if (bpf_probe_read_kernel(&pp, sizeof(pp), (void *)(arr + bpf_core_field_offset(struct bpf_array, pptrs))))
		return sum < 0 ? 0 : sum;
	for (__u32 cpu = 0; cpu < 256; cpu++) {
		if (cpu >= nr_cpus)
			break;
		__u32 key = 0;
		void *v = bpf_map_lookup_percpu_elem(&drops, &key, cpu);
		if (!v)
			continue;
		__u64 off = launder(v) - pp;
		__s32 d = 0;
		if (bpf_probe_read_kernel(&d, sizeof(d), (void *)(base + off)) == 0)
			sum += d;
	}
	return sum < 0 ? 0 : sum;
}

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task, __u64 addr) __ksym __weak;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym __weak;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym __weak;

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u32 call = CALL_NONE;
	bool exec = false;
	if (id == nr_clone)
		call = CALL_CLONE;
	else if (id == nr_clone3)
		call = CALL_CLONE3;
	else if (id == nr_fork)
		call = CALL_FORK;
	else if (id == nr_vfork)
		call = CALL_VFORK;
	else if (id == nr_execve || id == nr_execveat)
		exec = true;
	else
		return 0;
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pt;
	if (!watched(pt >> 32))
		return 0;
	__u32 zero = 0;
	struct inflight *in = bpf_map_lookup_elem(&scratch, &zero);
	if (!in)
		return 0;
	in->enter_ts = bpf_ktime_get_ns();
	in->fork_ts = 0;
	in->exec_ts = 0;
	in->call = call;
	in->child = 0;
	in->flags = 0;
	in->has_flags = 0;
	in->vfork = call == CALL_VFORK;
	in->path[0] = 0;
	in->path_ptr = 0;
	if (call == CALL_CLONE) {
		in->flags = arg(regs, 0);
		in->has_flags = 1;
	} else if (call == CALL_CLONE3) {
		__u64 flags;
		if (bpf_probe_read_user(&flags, sizeof(flags), (void *)arg(regs, 0)) == 0) {
			in->flags = flags;
			in->has_flags = 1;
		}
	} else if (exec) {
		// The string is read at the call's return: here its page may
		// not be mapped yet (a child's first exec after fork), and a BPF
		// program cannot fault it in; the call itself does.
		in->path_ptr = arg(regs, id == nr_execveat ? 1 : 0);
	}
	if (in->has_flags && (in->flags & CLONE_VFORK))
		in->vfork = 1;
	if (bpf_map_update_elem(&inflight, &tid, in, BPF_ANY))
		count_drop(1);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ptid = parent->pid;
	if (!watched(ptgid))
		return 0;
	__u64 now = bpf_ktime_get_ns();
	__u32 ctgid = child->tgid, ctid = child->pid;
	struct inflight *in = bpf_map_lookup_elem(&inflight, &ptid);
	bool thread = ctgid == ptgid;
	if (thread) {
		struct event *e = reserve_small();
		if (!e)
			return 0;
		fill_common(e, parent, EV_THREAD);
		e->ts = now;
		e->child = ctid;
		if (in) {
			e->call = in->call;
			e->flags = in->flags;
			e->has_flags = in->has_flags;
		}
		bpf_ringbuf_submit(e, submit_flags());
		return 0;
	}
	if (mode == MODE_TRACKED) {
		__u8 one = 1;
		bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY);
	}
	struct event *e = reserve_small();
	if (!e)
		return 0;
	fill_common(e, parent, EV_FORK);
	e->ts = now;
	e->child = ctgid;
	e->value = -1;
	if (in) {
		e->value = now - in->enter_ts;
		e->call = in->call;
		e->flags = in->flags;
		e->has_flags = in->has_flags;
		in->fork_ts = now;
		in->child = ctgid;
	}
	fill_faults(e, parent);
	struct mm_struct *mm = parent->mm;
	if (mm) {
		e->total_vm = mm->total_vm;
		e->map_count = mm->map_count;
		e->pgtables_bytes = mm->pgtables_bytes.counter;
		e->file_pages = rss(mm, MM_FILEPAGES);
		e->anon_pages = rss(mm, MM_ANONPAGES);
		e->shmem_pages = rss(mm, MM_SHMEMPAGES);
	}
	e->threads = BPF_CORE_READ(parent, signal, nr_threads);
	if (bpf_iter_task_vma_new) {
		struct bpf_iter_task_vma it;
		struct vm_area_struct *vma;
		__u64 w = 0;
		if (bpf_iter_task_vma_new(&it, parent, 0) == 0) {
			while ((vma = bpf_iter_task_vma_next(&it))) {
				if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
					w += vma->vm_end - vma->vm_start;
			}
			e->vma_walked = 1;
		}
		bpf_iter_task_vma_destroy(&it);
		e->writable_bytes = w;
	}
	bpf_ringbuf_submit(e, submit_flags());

	// A new fault window for the creating thread; the previous one ends.
	close_window(ptid, parent);
	struct faultwin w = {.min_flt = parent->min_flt, .child = ctgid};
	bpf_map_update_elem(&faultwins, &ptid, &w, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid, tid = p->pid;
	if (!watched(tgid))
		return 0;
	__u32 old = old_pid;
	struct inflight *in;
	if (old != tid) {
		// A non-leader thread exec'd and took the leader's id: its call
		// goes on under that id.
		in = bpf_map_lookup_elem(&inflight, &old);
		if (in) {
			bpf_map_update_elem(&inflight, &tid, in, BPF_ANY);
			bpf_map_delete_elem(&inflight, &old);
		}
		close_window(old, p);
	}
	close_window(tid, p);
	in = bpf_map_lookup_elem(&inflight, &tid);
	if (in) {
		in->exec_ts = bpf_ktime_get_ns();
		bpf_probe_read_kernel_str(in->path, sizeof(in->path), BPF_CORE_READ(bprm, filename));
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	long id = syscall_nr(regs);
	bool exec = id == nr_execve || id == nr_execveat;
	if (!exec && id != nr_clone && id != nr_clone3 && id != nr_fork && id != nr_vfork)
		return 0;
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pt;
	struct inflight *in = bpf_map_lookup_elem(&inflight, &tid);
	if (!in)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 now = bpf_ktime_get_ns();
	if (!exec) {
		if (in->vfork && in->fork_ts && ret > 0) {
			struct event *e = reserve_small();
			if (e) {
				fill_common(e, t, EV_BLOCKED);
				e->child = in->child;
				e->value = now - in->fork_ts;
				bpf_ringbuf_submit(e, submit_flags());
			}
		}
		bpf_map_delete_elem(&inflight, &tid);
		return 0;
	}
	struct exec_event *x = bpf_ringbuf_reserve(&events, sizeof(struct exec_event), 0);
	if (!x) {
		count_drop(0);
		bpf_map_delete_elem(&inflight, &tid);
		return 0;
	}
	__builtin_memset(&x->e, 0, sizeof(x->e));
	x->args_len = 0;
	x->args_cut = 0;
	fill_common(&x->e, t, ret == 0 ? EV_EXEC : EV_EXEC_FAILED);
	if (ret == 0)
		bpf_probe_read_kernel_str(x->path, sizeof(x->path), in->path);
	else
		bpf_probe_read_user_str(x->path, sizeof(x->path), (void *)in->path_ptr);
	if (ret == 0) {
		x->e.ts = in->exec_ts ? in->exec_ts : now;
		x->e.value = now - in->enter_ts;
		fill_faults(&x->e, t);
		struct mm_struct *mm = t->mm;
		if (mm) {
			unsigned long start = mm->arg_start, end = mm->arg_end;
			__u64 n = end - start;
			if (end > start) {
				if (n > ARGS_MAX_LEN) {
					n = ARGS_MAX_LEN;
					x->args_cut = 1;
				}
				if (bpf_probe_read_user(x->args, n & (ARGS_MAX_LEN - 1) ? n & (ARGS_MAX_LEN - 1) : ARGS_MAX_LEN, (void *)start) == 0)
					x->args_len = n;
			}
		}
	} else {
		x->e.exit_code = ret;
	}
	bpf_ringbuf_submit(x, submit_flags());
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p, bool group_dead)
{
	__u32 tgid = p->tgid, tid = p->pid;
	if (!watched(tgid))
		return 0;
	close_window(tid, p);
	bpf_map_delete_elem(&inflight, &tid);
	if (!group_dead)
		return 0;
	struct event *e = reserve_small();
	if (e) {
		fill_common(e, p, EV_EXIT);
		e->pid = tgid;
		e->exit_code = p->exit_code;
		fill_faults(e, p);
		bpf_ringbuf_submit(e, submit_flags());
	}
	if (mode == MODE_TRACKED)
		bpf_map_delete_elem(&tracked, &tgid);
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	// The SIGKILL that ends the other threads at a group exit or exec
	// comes without siginfo: not a signal anyone sent.
	if (!info)
		return 0;
	__u64 pt = bpf_get_current_pid_tgid();
	if (!watched(pt >> 32))
		return 0;
	struct event *e = reserve_small();
	if (!e)
		return 0;
	fill_common(e, bpf_get_current_task_btf(), EV_SIGNAL);
	e->exit_code = sig;
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}
