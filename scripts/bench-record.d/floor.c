/* floor: the least a ptrace recorder can do. It runs a command and follows
   every process it creates through process events only (fork, vfork,
   clone, exec; every signal-delivery stop, as any tracer must), resuming
   each stop at once: no /proc reads, no exec trap, no output. Its cost
   over the untraced command is the floor under any recorder that follows
   processes with ptrace, as 'analyze record' does; scripts/bench-record.sh
   measures it beside the recorder, in the same run.

   cc -O2 -o floor floor.c && ./floor make -j2 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXT 65536

static unsigned char seen[MAXT]; /* a task's first stop was handled */

int main(int argc, char **argv) {
	if (argc < 2) {
		fprintf(stderr, "usage: floor COMMAND [ARG...]\n");
		return 2;
	}
	pid_t root = fork();
	if (root < 0) { perror("fork"); return 1; }
	if (root == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) { perror("PTRACE_TRACEME"); _exit(126); }
		raise(SIGSTOP);
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	int st, status = 1;
	if (waitpid(root, &st, 0) < 0 || !WIFSTOPPED(st)) { fprintf(stderr, "floor: the command did not stop\n"); return 1; }
	long opts = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
	            PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	if (ptrace(PTRACE_SETOPTIONS, root, 0, (void *)opts) < 0) { perror("PTRACE_SETOPTIONS"); return 1; }
	seen[root % MAXT] = 1;
	ptrace(PTRACE_CONT, root, 0, 0);
	for (;;) {
		pid_t t = waitpid(-1, &st, __WALL);
		if (t < 0) {
			if (errno == EINTR) continue;
			break; /* ECHILD: no tracee left */
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			seen[t % MAXT] = 0;
			if (t == root) status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			continue;
		}
		if (!WIFSTOPPED(st)) continue;
		int sig = WSTOPSIG(st), deliver = 0;
		if (st >> 16) {
			/* a ptrace event: resume */
		} else if (sig == SIGSTOP && !seen[t % MAXT]) {
			seen[t % MAXT] = 1; /* an auto-attached task's first stop */
		} else {
			deliver = sig; /* a signal-delivery stop: pass the signal on */
		}
		ptrace(PTRACE_CONT, t, 0, (void *)(long)deliver);
	}
	return status;
}
