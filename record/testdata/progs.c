/* Small programs recorded by the record package's tests: progs MODE [ARGS].
   Built by the tests with: gcc -O1 -pthread -o progs progs.c */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int waitall(void) {
	int st, bad = 0;
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad++;
	return bad;
}

/* fork: a child that exits 7. */
static int do_fork(void) {
	pid_t p = fork();
	if (p == 0) _exit(7);
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : 1;
}

/* vfork: a child that execs /bin/true. */
static int do_vfork(void) {
	pid_t p = vfork();
	if (p == 0) {
		char *argv[] = {"true", "vfork-arg", NULL};
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	return waitall();
}

/* spawn: posix_spawn of /bin/true. */
static int do_spawn(void) {
	pid_t p;
	char *argv[] = {"true", "spawn-arg", NULL};
	if (posix_spawn(&p, "/bin/true", NULL, NULL, argv, environ) != 0) return 1;
	return waitall();
}

static void *sleeper(void *a) { usleep(20000); return a; }

/* threads: three threads, joined. */
static int do_threads(void) {
	pthread_t t[3];
	for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, sleeper, NULL);
	for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
	return 0;
}

static void *execer(void *a) {
	char *argv[] = {"true", "thread-exec", NULL};
	execve("/bin/true", argv, environ);
	return a;
}

/* threadexec: a second thread execs /bin/true (the process becomes
   true, its other threads vanish). */
static int do_threadexec(void) {
	pthread_t t;
	pthread_create(&t, NULL, execer, NULL);
	pthread_join(t, NULL);
	return 1; /* not reached */
}

/* execfail: a child whose first exec fails (ENOENT), then succeeds. */
static int do_execfail(void) {
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = {"true", NULL};
		execve("/nonexistent/forkcost-no-such-program", argv, environ);
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	return waitall();
}

/* execfailexit: a child whose two execs fail, which then exits 127 (a
   shell's "command not found"). */
static int do_execfailexit(void) {
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = {"nothing", NULL};
		execve("/nonexistent/forkcost-no-such-program", argv, environ);
		execve("/nonexistent/forkcost-nor-this-one", argv, environ);
		_exit(127);
	}
	return waitall();
}

/* killed: a child that SIGKILLs itself; the parent exits 0. */
static int do_killed(void) {
	pid_t p = fork();
	if (p == 0) { kill(getpid(), SIGKILL); pause(); }
	int st;
	waitpid(p, &st, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 1;
}

/* core: a child that dumps core (SIGABRT, core limit raised). */
static int do_core(void) {
	pid_t p = fork();
	if (p == 0) {
		struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
		setrlimit(RLIMIT_CORE, &rl);
		abort();
	}
	int st;
	waitpid(p, &st, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT ? 0 : 1;
}

/* die: the process itself dies of SIGTERM. */
static int do_die(void) {
	signal(SIGTERM, SIG_DFL);
	raise(SIGTERM);
	return 0;
}

static volatile sig_atomic_t got;
static void onusr1(int s) { got = s; }

/* signal: SIGUSR1 to itself must reach its handler (exit 0), under the
   recorder too. */
static int do_signal(void) {
	signal(SIGUSR1, onusr1);
	kill(getpid(), SIGUSR1);
	for (int i = 0; i < 100 && !got; i++) usleep(1000);
	return got == SIGUSR1 ? 0 : 1;
}

/* stopcont: stop itself (job control); a child continues it. The child
   counts the SIGCONTs it sent in shared memory before sending each, and
   sends them until the parent says it runs again; the parent fails
   (status 3) if it ran on before any SIGCONT was sent. */
static int do_stopcont(void) {
	volatile int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) return 1;
	pid_t parent = getpid();
	pid_t p = fork();
	if (p == 0) {
		usleep(50000);
		for (int i = 0; i < 500 && !shared[1]; i++) {
			__sync_fetch_and_add(&shared[0], 1);
			kill(parent, SIGCONT);
			usleep(10000);
		}
		_exit(0);
	}
	raise(SIGSTOP);
	int sent = __sync_fetch_and_add(&shared[0], 0);
	shared[1] = 1;
	int st;
	waitpid(p, &st, 0);
	if (sent == 0) return 3;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* touch N: touch N MiB of heap, then fork a child that exits at once. */
static int do_touch(long mib) {
	size_t n = (size_t)mib << 20;
	char *b = malloc(n);
	if (!b) return 1;
	memset(b, 1, n);
	pid_t p = fork();
	if (p == 0) _exit(0);
	int st;
	waitpid(p, &st, 0);
	return b[n / 2] == 1 ? 0 : 1;
}

/* many T N: T threads each fork N children that exit at once. */
static long many_n;
static int many_exec;
static void *forker(void *a) {
	for (long i = 0; i < many_n; i++) {
		pid_t p = fork();
		if (p == 0 && many_exec) {
			char *argv[] = {"true", NULL};
			execve("/bin/true", argv, environ);
			_exit(127);
		}
		if (p == 0) _exit(0);
		if (p > 0) waitpid(p, NULL, 0);
	}
	return a;
}
static int do_many(int threads, long n) {
	pthread_t t[64];
	many_n = n;
	for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, forker, NULL);
	for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
	return 0;
}

/* manyexec T N: as many, but the children exec /bin/true. */
static int do_manyexec(int threads, long n) {
	many_exec = 1;
	return do_many(threads, n);
}

/* vforksleep: a vfork child that sleeps 50 ms, then execs /bin/true. */
static int do_vforksleep(void) {
	pid_t p = vfork();
	if (p == 0) {
		char *argv[] = {"true", NULL};
		usleep(50000);
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	return waitall();
}

/* cowwrite N: touch N MiB (no huge pages), fork a child that execs
   /bin/true, wait for it, then write every page again. */
static int do_cowwrite(long mib) {
	size_t n = (size_t)mib << 20;
	char *b = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED) return 1;
	madvise(b, n, MADV_NOHUGEPAGE);
	memset(b, 1, n);
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = {"true", NULL};
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	int st;
	waitpid(p, &st, 0);
	for (size_t i = 0; i < n; i += 4096) b[i] = 2;
	return b[n / 2] == 2 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* forever: fork a child that sleeps, wait, repeat; until a signal. */
static int do_forever(void) {
	for (;;) {
		pid_t p = fork();
		if (p == 0) { usleep(10000); _exit(0); }
		waitpid(p, NULL, 0);
	}
}

/* forkexec N: fork+exec /bin/true N times (benchmark workload). */
static int do_forkexec(long n) {
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0) {
			char *argv[] = {"true", NULL};
			execve("/bin/true", argv, environ);
			_exit(127);
		}
		waitpid(p, NULL, 0);
	}
	return 0;
}

int main(int argc, char **argv) {
	if (argc < 2) { fprintf(stderr, "usage: progs MODE\n"); return 2; }
	const char *m = argv[1];
	if (!strcmp(m, "fork")) return do_fork();
	if (!strcmp(m, "vfork")) return do_vfork();
	if (!strcmp(m, "spawn")) return do_spawn();
	if (!strcmp(m, "threads")) return do_threads();
	if (!strcmp(m, "execfail")) return do_execfail();
	if (!strcmp(m, "execfailexit")) return do_execfailexit();
	if (!strcmp(m, "threadexec")) return do_threadexec();
	if (!strcmp(m, "killed")) return do_killed();
	if (!strcmp(m, "core")) return do_core();
	if (!strcmp(m, "die")) return do_die();
	if (!strcmp(m, "signal")) return do_signal();
	if (!strcmp(m, "stopcont")) return do_stopcont();
	if (!strcmp(m, "exit")) return argc > 2 ? atoi(argv[2]) : 0;
	if (!strcmp(m, "touch")) return do_touch(argc > 2 ? atol(argv[2]) : 64);
	if (!strcmp(m, "many")) return do_many(argc > 2 ? atoi(argv[2]) : 4, argc > 3 ? atol(argv[3]) : 250);
	if (!strcmp(m, "forever")) return do_forever();
	if (!strcmp(m, "manyexec")) return do_manyexec(argc > 2 ? atoi(argv[2]) : 8, argc > 3 ? atol(argv[3]) : 200);
	if (!strcmp(m, "vforksleep")) return do_vforksleep();
	if (!strcmp(m, "cowwrite")) return do_cowwrite(argc > 2 ? atol(argv[2]) : 64);
	if (!strcmp(m, "forkexec")) return do_forkexec(argc > 2 ? atol(argv[2]) : 100);
	fprintf(stderr, "progs: unknown mode %s\n", m);
	return 2;
}
