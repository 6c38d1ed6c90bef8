/* memheavy: a process tree whose log is almost only memory calls, the
 * shape of an allocator-heavy program (an interpreter, a JIT, a browser)
 * traced with strace -e trace=process,memory. Four workers are forked; each
 * maps, protects, grows and unmaps anonymous regions of varied sizes, and
 * moves its heap break, then execs /bin/true. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void churn(unsigned seed, int rounds) {
	void *keep[64] = {0};
	size_t klen[64] = {0};
	for (int i = 0; i < rounds; i++) {
		seed = seed * 1103515245u + 12345u;
		size_t len = (size_t)((seed >> 8) % 64 + 1) * 4096;
		int k = (seed >> 4) % 64;
		if (keep[k]) {
			if (seed & 1) {
				void *p = mremap(keep[k], klen[k], 2 * klen[k], MREMAP_MAYMOVE);
				if (p != MAP_FAILED) { keep[k] = p; klen[k] *= 2; }
			}
			munmap(keep[k], klen[k]);
			keep[k] = 0;
		}
		void *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) continue;
		if (seed & 2) mprotect(p, 4096, PROT_READ);
		keep[k] = p;
		klen[k] = len;
		if (i % 16 == 0) { void *b = sbrk(8192); (void)b; }
	}
}

int main(void) {
	for (int w = 0; w < 4; w++) {
		pid_t pid = fork();
		if (pid == 0) {
			churn(w + 1, 1500);
			execl("/bin/true", "true", (char *)0);
			_exit(127);
		}
	}
	churn(99, 1000);
	while (wait(0) > 0) {}
	return 0;
}
