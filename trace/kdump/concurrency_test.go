package kdump

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
)

// A make -j8 log: up to eight jobs in flight, their records interleaved at
// random, children's first records before or after their parent's RET,
// vforks whose children exec before the RET, pids reused. Every creation
// must be linked to its child, in order, with the child's exec time.
func TestConcurrentJobs(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		log, jobs := makeJ(seed, 300, 8)
		evs, c, _, errs := convertText(t, log, bsd.Options{})
		if len(errs) != 0 {
			t.Fatalf("seed %d: %v", seed, errs[0])
		}
		if err := bsd.CheckInvariants(evs, true); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		n := c.Stats.Creations[trace.Fork] + c.Stats.Creations[trace.VFork]
		if n != int64(jobs) || c.Stats.Execs != n || c.Stats.Unclaimed != 0 || c.Stats.NotExited != 1 {
			t.Fatalf("seed %d: %d jobs, stats %+v", seed, jobs, c.Stats)
		}
		parentOf := map[int32]int32{}
		for i := range evs {
			e := &evs[i]
			if e.Kind.IsCreation() {
				if !e.HasChildExec {
					t.Fatalf("seed %d: creation without child exec: %s", seed, bsd.FormatEvent(e))
				}
				parentOf[e.ChildPID] = e.PID
			}
			if e.Kind == trace.Exec && e.PPID != parentOf[e.PID] {
				t.Fatalf("seed %d: exec row with ppid %d, creation by %d: %s", seed, e.PPID, parentOf[e.PID], bsd.FormatEvent(e))
			}
		}
	}
}

// makeJ writes a kdump text of jobs children of make (pid 100), at most par
// at a time, and returns it with the number of jobs.
func makeJ(seed int64, jobs, par int) (string, int) {
	rng := rand.New(rand.NewSource(seed))
	type job struct {
		pid   int
		lines []string
	}
	var b strings.Builder
	hdr := func(pid int, comm, rest string) string {
		return fmt.Sprintf("%6d %-8s %s", pid, comm, rest)
	}
	var live []*job
	next := 0
	pidOf := func(i int) int { return 1000 + i%40 } // pids are reused
	inUse := func(live []*job, pid int) bool {
		for _, j := range live {
			if j.pid == pid {
				return true
			}
		}
		return false
	}
	for next < jobs || len(live) > 0 {
		if next < jobs && len(live) < par && rng.Intn(3) == 0 {
			pid := pidOf(next)
			next++
			for inUse(live, pid) { // the kernel does not reuse a live pid
				pid++
			}
			// make's fork is written at once: CALL, then the child's and
			// the parent's first records in a random order.
			vf := rng.Intn(4) == 0
			name := "fork"
			if vf {
				name = "vfork"
			}
			b.WriteString(hdr(100, "make", "CALL  "+name) + "\n")
			child := []string{
				hdr(pid, "make", "RET   "+name+" 0"),
				hdr(pid, "make", "CALL  execve(0x1,0x2,0x3)"),
				hdr(pid, "make", fmt.Sprintf("NAMI  \"/usr/bin/cc%d\"", pid)),
				hdr(pid, "cc", "RET   execve JUSTRETURN"),
			}
			ret := hdr(100, "make", fmt.Sprintf("RET   %s %d/%#x", name, pid, pid))
			k := rng.Intn(len(child) + 1)
			if vf {
				k = len(child) // the parent resumes after the exec
			}
			for i, l := range child {
				if i == k {
					b.WriteString(ret + "\n")
				}
				b.WriteString(l + "\n")
			}
			if k == len(child) {
				b.WriteString(ret + "\n")
			}
			j := &job{pid: pid}
			for m := rng.Intn(4); m > 0; m-- {
				j.lines = append(j.lines, hdr(pid, "cc", "CALL  mmap(0,0x8000,0x3,0x1002,0xffffffff,0)"), hdr(pid, "cc", "RET   mmap 8192/0x2000"))
			}
			j.lines = append(j.lines, hdr(pid, "cc", "CALL  exit(0)"))
			live = append(live, j)
			continue
		}
		if len(live) == 0 {
			continue
		}
		i := rng.Intn(len(live))
		j := live[i]
		b.WriteString(j.lines[0] + "\n")
		j.lines = j.lines[1:]
		if len(j.lines) == 0 {
			live = append(live[:i], live[i+1:]...)
			b.WriteString(hdr(100, "make", "CALL  wait4(0xffffffff,0x1,0,0)") + "\n")
			b.WriteString(hdr(100, "make", fmt.Sprintf("RET   wait4 %d/%#x", j.pid, j.pid)) + "\n")
		}
	}
	return b.String(), jobs
}
