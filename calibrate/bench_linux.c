//go:build linux && cgo

// The measuring half of analyze calibrate. It runs in a fresh process: the
// Go side re-executes its own binary with FORKCOST_CALIB_CHILD set, and the
// constructor below runs the benchmark before the Go runtime has started a
// single thread, so that every fork here is a fork of a small,
// single-threaded C process whose address space is known (the binary, libc,
// the stack, and the buffer this code maps). It writes one line per result
// on standard output and _exits.
//
// The child side of every fork, vfork and posix_spawn here calls only
// execve and _exit, both async-signal-safe.
//
// The creation paths, as the kernel sees them (checked with strace by
// TestCloneFlags):
//
//   fork()        glibc's fork: clone(flags=CLONE_CHILD_CLEARTID|
//                 CLONE_CHILD_SETTID|SIGCHLD), no CLONE_VM: a copy-on-write
//                 fork.
//   vfork()       glibc's vfork: the vfork system call, which the kernel
//                 defines as clone with CLONE_VM|CLONE_VFORK (kernel/fork.c,
//                 SYSCALL_DEFINE0(vfork)).
//   posix_spawn() glibc 2.24+: clone or clone3 with CLONE_VM|CLONE_VFORK on
//                 a stack of its own.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PAGE 4096UL

static uint64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

// cpu_ns is this (single-threaded) process's CPU time: it leaves out the
// time spent waiting for a CPU, which on a shared machine is most of the
// noise. Each benchmark reports its wall time and its CPU time, the
// parent's plus the child's (from wait4's rusage).
static uint64_t cpu_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

// The CPU time of the last benchmark run, parent plus child.
static uint64_t last_cpu;

static void die(const char *what) {
	printf("error %s: %s\n", what, strerror(errno));
	fflush(stdout);
	_exit(3);
}

// opt returns the value of KEY in a spec "k1=v1;k2=v2", or def.
static long opt(const char *spec, const char *key, long def) {
	size_t n = strlen(key);
	const char *p = spec;
	while (p && *p) {
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			return atol(p + n + 1);
		p = strchr(p, ';');
		if (p)
			p++;
	}
	return def;
}

static const char *optstr(const char *spec, const char *key, char *buf, size_t len) {
	size_t n = strlen(key);
	const char *p = spec;
	while (p && *p) {
		if (strncmp(p, key, n) == 0 && p[n] == '=') {
			const char *v = p + n + 1, *e = strchr(v, ';');
			size_t l = e ? (size_t)(e - v) : strlen(v);
			if (l >= len)
				l = len - 1;
			memcpy(buf, v, l);
			buf[l] = 0;
			return buf;
		}
		p = strchr(p, ';');
		if (p)
			p++;
	}
	buf[0] = 0;
	return buf;
}

// touch writes one byte of every page: each page becomes resident,
// private and writable (or, after a fork, takes one write fault).
static void touch(volatile char *buf, size_t bytes, char v) {
	for (size_t off = 0; off < bytes; off += PAGE)
		buf[off] = v;
}

// meta reports the process's own address space, as the model's snapshot
// wants it: resident, anonymous, huge-page bytes and the number of mappings.
static void meta(const char *tag) {
	long rss = -1, anon = -1, thp = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	if (f) {
		char line[256];
		long v;
		while (fgets(line, sizeof line, f)) {
			if (sscanf(line, "Rss: %ld kB", &v) == 1)
				rss = v * 1024;
			else if (sscanf(line, "Anonymous: %ld kB", &v) == 1)
				anon = v * 1024;
			else if (sscanf(line, "AnonHugePages: %ld kB", &v) == 1)
				thp = v * 1024;
		}
		fclose(f);
	}
	long maps = 0;
	f = fopen("/proc/self/maps", "r");
	if (f) {
		int c, last = '\n';
		while ((c = fgetc(f)) != EOF) {
			if (c == '\n')
				maps++;
			last = c;
		}
		(void)last;
		fclose(f);
	}
	printf("meta %s rss=%ld anon=%ld thp=%ld maps=%ld\n", tag, rss, anon, thp, maps);
}

static char *target;
static char *const target_argv[] = {"forkcost-calibrate-true", NULL};

// reap waits for pid and returns the CPU time it used.
static uint64_t reap(pid_t pid) {
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("error child status %d\n", st);
		fflush(stdout);
		_exit(3);
	}
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ULL +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ULL;
}

/* fork_exec_wait and vfork_exec_wait are copies on purpose: the creation
 * call cannot move into a shared helper, because a vfork child must not
 * return from the function that called vfork. */
static uint64_t fork_exec_wait(void) {
	uint64_t c0 = cpu_ns(), t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0) {
		execve(target, target_argv, environ);
		_exit(127);
	}
	if (pid < 0)
		die("fork");
	uint64_t child = reap(pid);
	uint64_t t = now_ns() - t0;
	last_cpu = cpu_ns() - c0 + child;
	return t;
}

static uint64_t vfork_exec_wait(void) {
	uint64_t c0 = cpu_ns(), t0 = now_ns();
	pid_t pid = vfork();
	if (pid == 0) {
		execve(target, target_argv, environ);
		_exit(127);
	}
	if (pid < 0)
		die("vfork");
	uint64_t child = reap(pid);
	uint64_t t = now_ns() - t0;
	last_cpu = cpu_ns() - c0 + child;
	return t;
}

static uint64_t spawn_wait(void) {
	uint64_t c0 = cpu_ns(), t0 = now_ns();
	pid_t pid;
	int err = posix_spawn(&pid, target, NULL, NULL, target_argv, environ);
	if (err != 0) {
		errno = err;
		die("posix_spawn");
	}
	uint64_t child = reap(pid);
	uint64_t t = now_ns() - t0;
	last_cpu = cpu_ns() - c0 + child;
	return t;
}

static uint64_t fork_exit_wait(void) {
	uint64_t c0 = cpu_ns(), t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		die("fork");
	uint64_t child = reap(pid);
	uint64_t t = now_ns() - t0;
	last_cpu = cpu_ns() - c0 + child;
	return t;
}

// fork_only times the fork call in the parent: it returns once the child
// exists; the child exits and is reaped outside the timed region.
static uint64_t fork_only(void) {
	uint64_t c0 = cpu_ns(), t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	uint64_t t = now_ns() - t0;
	last_cpu = cpu_ns() - c0;
	if (pid < 0)
		die("fork");
	reap(pid);
	return t;
}

// share_only times a creation that shares the parent's address space,
// clone(CLONE_VM) without CLONE_VFORK: it returns once the child exists,
// and no mm is duplicated, so it is the creation's cost apart from the
// address space (what a vfork or posix_spawn pays before the parent
// blocks). The child exits at once on a stack of its own.
static char share_stack[64 * 1024] __attribute__((aligned(16)));
static int share_child(void *arg) {
	(void)arg;
	syscall(SYS_exit, 0);
	return 0;
}

static uint64_t share_only(void) {
	uint64_t c0 = cpu_ns(), t0 = now_ns();
	pid_t pid = clone(share_child, share_stack + sizeof share_stack, CLONE_VM | SIGCHLD, NULL);
	uint64_t t = now_ns() - t0;
	last_cpu = cpu_ns() - c0;
	if (pid < 0)
		die("clone");
	reap(pid);
	return t;
}

// The cold creations (mode 3) start from caches that other work has
// used, as a creation in a running program does: the program computed, or
// slept while others ran, since its last creation. evict writes one byte of
// every cache line of a buffer many times the CPU's private caches (L1, L2)
// before each. Measured on the 2-vCPU KVM guest this was written on (2 MiB
// of L2 per core; load 6.5), a sharing clone's median CPU time rose with the
// swept size, from 6-9 us back to back to 7-12 at 1 MiB, 16-22 at 4 MiB and
// 22-36 at 16-64 MiB, below a clone after a 20 ms sleep (34-52 us); the
// shared L3 (300 MiB there) is left alone, as a compilation between two
// creations leaves most of it.
static volatile char *evict_buf;
static size_t evict_bytes;

static void evict_map(void) {
	long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
	evict_bytes = 32UL << 20;
	if (l2 > 0 && (size_t)l2 * 16 > evict_bytes)
		evict_bytes = (size_t)l2 * 16;
	char *m = mmap(NULL, evict_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("mmap");
	// Not the forks' business: a fork neither copies nor write-protects a
	// MADV_DONTFORK mapping, so the cold fork duplicates the same address
	// space as the warm one beside it.
	if (madvise(m, evict_bytes, MADV_DONTFORK) != 0)
		die("madvise(MADV_DONTFORK)");
	madvise(m, evict_bytes, MADV_NOHUGEPAGE);
	evict_buf = m;
	touch(evict_buf, evict_bytes, 1);
	printf("note cold creations follow a sweep of %zu MiB\n", evict_bytes >> 20);
}

static void evict(void) {
	for (size_t off = 0; off < evict_bytes; off += 64)
		evict_buf[off]++;
}

static uint64_t timed_touch(volatile char *buf, size_t bytes, char v) {
	uint64_t c0 = cpu_ns(), t0 = now_ns();
	touch(buf, bytes, v);
	uint64_t t = now_ns() - t0;
	last_cpu = cpu_ns() - c0;
	return t;
}

// size runs the per-size benchmarks on a buffer of mib MiB. mode is 0 for
// a buffer whose every page is written, 1 for one mapped and never touched,
// 2 for one written after madvise(MADV_HUGEPAGE), 3 for the cold creations:
// the sharing clone and fork alone, each warm (as in every other mode) and
// cold (after evict), alternately.
static void bench_size(const char *spec) {
	long mib = opt(spec, "mib", 0), reps = opt(spec, "reps", 10), mode = opt(spec, "mode", 0);
	// A pause before each measurement lets the kernel finish work it
	// deferred from the previous one (page tables and task structures
	// freed after an RCU grace period, in softirq context, would otherwise
	// be charged to whatever runs next).
	long idle = opt(spec, "idle", 0);
	// mask selects the benchmarks (bit b for benchmark b below; all by default).
	long mask = opt(spec, "mask", 255);
	size_t bytes = (size_t)mib << 20;
	char *buf = NULL;
	uint64_t setup0 = now_ns();
	// Warm up, before the buffer is written: the exec target's page
	// cache, the kernel's creation and exec paths, the allocator. Done
	// with the buffer in place it would cost two write-fault loops over
	// the whole buffer, seconds at a gigabyte, for nothing measured.
	for (int i = 0; i < 2; i++) {
		fork_exec_wait();
		vfork_exec_wait();
		spawn_wait();
		fork_exit_wait();
	}
	if (bytes > 0) {
		size_t map = bytes + (mode == 2 ? (2UL << 20) : 0);
		char *m = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			die("mmap");
		buf = m;
		if (mode == 2) {
			buf = (char *)(((uintptr_t)m + (2UL << 20) - 1) & ~((2UL << 20) - 1));
			if (madvise(buf, bytes, MADV_HUGEPAGE) != 0)
				printf("note madvise(MADV_HUGEPAGE): %s\n", strerror(errno));
		} else {
			madvise(buf, bytes, MADV_NOHUGEPAGE);
		}
		if (mode != 1)
			touch(buf, bytes, 1);
	}
	meta("size");
	if (mode == 3)
		evict_map(); // after meta: the forks' children never see it
	int touched = bytes > 0 && mode != 1 && mode != 3;
	// What this run cost, wall time: the set-up, and each repetition of
	// the two phases below. The Go side plans the next runs' repetitions
	// from these, to fit its time budget whatever the host's fault cost.
	printf("cost setup %llu\n", (unsigned long long)(now_ns() - setup0));
	fflush(stdout);
	char v = 3;
	// Two phases. First the creations that leave the parent's pages alone
	// (vfork, posix_spawn); then those that write-protect them (the forks),
	// each followed by the parent's write loops that make the buffer
	// private and writable again. Interleaving them would charge vfork
	// with the aftermath of the forks and write loops before it, in
	// proportion to the buffer: measured on a 2-core VM, vfork+exec+wait
	// alone is flat in the parent's size (73, 61, 54 us at 0, 256,
	// 1024 MiB), but doubles at 256 MiB and up when it follows them.
	// Within a phase the order rotates, so that drift spreads over every
	// benchmark.
	static const int phases[2][2][3] = {{{1, 2, 5}, {0, 3, 4}}, {{5, 6, -1}, {4, 7, -1}}};
	const int(*phase)[3] = phases[mode == 3];
	// vfork, posix_spawn and the sharing clone cost the same at every size and take well under
	// a millisecond: they get at least 30 repetitions per run even where
	// the forks, which write the whole buffer twice each, get few.
	long reps_a = opt(spec, "reps_a", reps);
	for (int ph = 0; ph < 2; ph++) {
		int nb = mode == 3 ? 2 : 3;
		long n = ph == 0 ? reps_a : reps;
		for (long r = 0; r < n; r++) {
			uint64_t rep0 = now_ns();
			for (int k = 0; k < nb; k++) {
				int b = phase[ph][(k + r) % nb];
				if (!(mask & (1L << b)))
					continue;
				// Start every measurement from the same state: the
				// kernel's process-creation and exec paths warm (the
				// write loops below sweep the caches with the whole
				// buffer), and the buffer untouched by this warm-up
				// (posix_spawn never touches the parent's pages).
				if (idle > 0)
					usleep((useconds_t)idle);
				spawn_wait();
				uint64_t t = 0;
				const char *name = "";
				switch (b) {
				case 0: t = fork_exec_wait(); name = "fork_exec_wait"; break;
				case 1: t = vfork_exec_wait(); name = "vfork_exec_wait"; break;
				case 2: t = spawn_wait(); name = "spawn_wait"; break;
				case 3: t = fork_exit_wait(); name = "fork_exit_wait"; break;
				case 4: t = fork_only(); name = "fork_only"; break;
				case 5: t = share_only(); name = "share_only"; break;
				case 6: evict(); t = share_only(); name = "share_cold"; break;
				case 7: evict(); t = fork_only(); name = "fork_cold"; break;
				}
				printf("sample %s %llu\n", name, (unsigned long long)t);
				printf("sample %s.cpu %llu\n", name, (unsigned long long)last_cpu);
				if (touched && ph == 1) {
					// The fork left every page write-protected and the
					// child is gone: one write fault per page, nothing
					// copied. Then the same loop again without faults,
					// as its baseline.
					uint64_t w = timed_touch(buf, bytes, v++), wc = last_cpu;
					uint64_t base = timed_touch(buf, bytes, v++), bc = last_cpu;
					printf("sample parent_write_after_fork %llu\n", (unsigned long long)w);
					printf("sample parent_write_after_fork.cpu %llu\n", (unsigned long long)wc);
					printf("sample parent_write_baseline %llu\n", (unsigned long long)base);
					printf("sample parent_write_baseline.cpu %llu\n", (unsigned long long)bc);
				}
			}
			printf("cost %s %llu\n", ph == 0 ? "rep_a" : "rep", (unsigned long long)(now_ns() - rep0));
			fflush(stdout);
		}
	}
	meta("size_end");
}

// ---- machine microbenchmarks ----

// The microbenchmarks report CPU time: they run in one process (the
// context switch in two, whose CPU times are added).

static uint64_t null_syscall(long n) {
	uint64_t t0 = cpu_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return cpu_ns() - t0;
}

static void *xmap(size_t bytes) {
	void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("mmap");
	madvise(m, bytes, MADV_NOHUGEPAGE);
	return m;
}

// chase follows a pointer chain of n links and returns ns per link.
static double chase(void **start, long n) {
	void **p = start;
	uint64_t t0 = cpu_ns();
	for (long i = 0; i < n; i++)
		p = (void **)*p;
	uint64_t t = cpu_ns() - t0;
	if (p == NULL)
		printf("note null\n");
	return (double)t / (double)n;
}

// build_chain links one 8-byte slot in each of n pages of region (stride
// bytes apart; the slot's offset within its page moves by a cache line per
// page so that the lines do not alias), visiting them in a random order.
static void **build_chain(char *region, long n, size_t stride, unsigned *seed) {
	long *perm = malloc(sizeof(long) * n);
	for (long i = 0; i < n; i++)
		perm[i] = i;
	for (long i = n - 1; i > 0; i--) {
		long j = rand_r(seed) % (i + 1);
		long t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (long i = 0; i < n; i++) {
		long a = perm[i], b = perm[(i + 1) % n];
		void **pa = (void **)(region + a * stride + (a % 64) * 64 % stride);
		void **pb = (void **)(region + b * stride + (b % 64) * 64 % stride);
		*pa = pb;
	}
	void **s = (void **)(region + perm[0] * stride + (perm[0] % 64) * 64 % stride);
	free(perm);
	return s;
}

static void bench_micro(const char *spec) {
	long reps = opt(spec, "reps", 21), quick = opt(spec, "quick", 0);
	// Null system call: getppid, which the C library does not cache.
	for (long r = 0; r < reps; r++) {
		long n = 20000;
		printf("sample null_syscall %.3f\n", (double)null_syscall(n) / n);
	}
	fflush(stdout);

	// Minor fault on fresh anonymous memory: allocate, zero, map a page.
	size_t fb = (quick ? 16UL : 64UL) << 20;
	for (long r = 0; r < reps; r++) {
		char *m = xmap(fb);
		timed_touch(m, fb, 1);
		printf("sample fresh_anon_fault %.3f\n", (double)last_cpu / (fb / PAGE));
		munmap(m, fb);
	}
	fflush(stdout);

	// 4 KiB page copy, cache-hot: the same two pages over and over.
	{
		char *m = xmap(2 * PAGE);
		memset(m, 1, 2 * PAGE);
		for (long r = 0; r < reps; r++) {
			long n = 20000;
			uint64_t t0 = cpu_ns();
			for (long i = 0; i < n; i++) {
				memcpy(m + PAGE, m, PAGE);
				__asm__ __volatile__("" ::"r"(m) : "memory");
			}
			printf("sample page_copy_hot %.3f\n", (double)(cpu_ns() - t0) / n);
		}
		munmap(m, 2 * PAGE);
	}
	fflush(stdout);

	// 4 KiB page copy, streaming: through buffers far larger than the caches.
	{
		size_t sb = (quick ? 64UL : 256UL) << 20;
		char *src = xmap(sb), *dst = xmap(sb);
		memset(src, 1, sb);
		memset(dst, 2, sb);
		for (long r = 0; r < reps; r++) {
			uint64_t t0 = cpu_ns();
			for (size_t off = 0; off < sb; off += PAGE) {
				memcpy(dst + off, src + off, PAGE);
				__asm__ __volatile__("" ::"r"(dst) : "memory");
			}
			printf("sample page_copy_stream %.3f\n", (double)(cpu_ns() - t0) / (sb / PAGE));
		}
		munmap(src, sb);
		munmap(dst, sb);
	}
	fflush(stdout);

	// TLB-miss-heavy walk: a random pointer chase touching one cache line in
	// each of 16384 pages (64 MiB of address space, 1 MiB of lines), against
	// the same number of lines packed into 256 pages. The difference per
	// access is the cost of a TLB miss whose page walk hits the caches.
	{
		long n = 16384;
		size_t sparse = (size_t)n * PAGE, dense = (size_t)n * 64;
		char *rs = xmap(sparse), *rd = xmap(dense);
		touch(rs, sparse, 0);
		touch(rd, dense, 0);
		unsigned seed = 12345;
		void **cs = build_chain(rs, n, PAGE, &seed);
		void **cd = build_chain(rd, n, 64, &seed);
		chase(cs, n);
		chase(cd, n);
		for (long r = 0; r < reps; r++) {
			double s = chase(cs, 4 * n), d = chase(cd, 4 * n);
			printf("sample tlb_walk_sparse %.3f\n", s);
			printf("sample tlb_walk_dense %.3f\n", d);
		}
		munmap(rs, sparse);
		munmap(rd, dense);
	}
	fflush(stdout);

	// Context switch: two processes on one CPU passing a byte through two
	// pipes; the pipe overhead is measured in one process and subtracted,
	// as lmbench's lat_ctx does. A fresh partner per repetition, so that
	// wait4 gives its CPU time.
	{
		cpu_set_t set;
		CPU_ZERO(&set);
		int cpu = sched_getcpu();
		CPU_SET(cpu < 0 ? 0 : cpu, &set);
		if (sched_setaffinity(0, sizeof set, &set) != 0)
			printf("note sched_setaffinity: %s\n", strerror(errno));
		char c = 0;
		long n = 5000;
		for (long r = 0; r < reps; r++) {
			int a[2], b[2], o[2];
			if (pipe(a) || pipe(b) || pipe(o))
				die("pipe");
			pid_t pid = fork();
			if (pid == 0) {
				close(a[1]);
				close(b[0]);
				for (;;) {
					if (read(a[0], &c, 1) != 1)
						_exit(0);
					if (write(b[1], &c, 1) != 1)
						_exit(0);
				}
			}
			if (pid < 0)
				die("fork");
			close(a[0]);
			close(b[1]);
			uint64_t t0 = cpu_ns();
			for (long i = 0; i < n; i++) {
				if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
					die("pipe i/o");
			}
			uint64_t mine = cpu_ns() - t0;
			close(a[1]);
			uint64_t theirs = reap(pid);
			close(b[0]);
			t0 = cpu_ns();
			for (long i = 0; i < n; i++) {
				if (write(o[1], &c, 1) != 1 || read(o[0], &c, 1) != 1)
					die("pipe i/o");
			}
			double ov = (double)(cpu_ns() - t0) / n;
			close(o[0]);
			close(o[1]);
			// Per round trip: two switches, and on each side one write and
			// one read (ov each side).
			double rt = (double)(mine + theirs) / n;
			printf("sample ctx_switch %.3f\n", (rt - 2 * ov) / 2);
			printf("sample pipe_overhead %.3f\n", ov);
		}
	}
	meta("micro");
}

__attribute__((constructor)) static void forkcost_calibrate_child(void) {
	const char *spec = getenv("FORKCOST_CALIB_CHILD");
	if (spec == NULL || *spec == 0)
		return;
	static char tbuf[4096], kind[64];
	target = (char *)optstr(spec, "target", tbuf, sizeof tbuf);
	optstr(spec, "bench", kind, sizeof kind);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	printf("start %s pid=%d\n", kind, (int)getpid());
	if (strcmp(kind, "size") == 0)
		bench_size(spec);
	else if (strcmp(kind, "micro") == 0)
		bench_micro(spec);
	else if (strcmp(kind, "probe") == 0) {
		meta("probe");
		printf("sample fork_exec_wait %llu\n", (unsigned long long)fork_exec_wait());
		printf("sample vfork_exec_wait %llu\n", (unsigned long long)vfork_exec_wait());
		printf("sample spawn_wait %llu\n", (unsigned long long)spawn_wait());
		printf("sample fork_exit_wait %llu\n", (unsigned long long)fork_exit_wait());
	} else
		printf("error unknown bench %s\n", kind);
	printf("done\n");
	fflush(stdout);
	_exit(0);
}
