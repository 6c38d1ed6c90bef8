package truss

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
)

// truss -f of a make -j8: each child's "<new process>" comes first, the
// parent's "fork() = N" line anywhere after it, jobs interleaved at random.
func TestConcurrentJobs(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewSource(seed))
		var b strings.Builder
		b.WriteString("  100: getpid()\t\t\t\t\t\t = 100 (0x64)\n")
		type job struct {
			lines []string
		}
		var live []*job
		jobs, next := 200, 0
		for next < jobs || len(live) > 0 {
			if next < jobs && len(live) < 8 && rng.Intn(3) == 0 {
				pid := 1000 + next
				next++
				j := &job{lines: []string{
					fmt.Sprintf("%5d: <new process>", pid),
					fmt.Sprintf("%5d: execve(\"/usr/bin/cc\",0x1,0x2) EJUSTRETURN", pid),
					fmt.Sprintf("%5d: mmap(0x0,32768,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANON,-1,0x0) = 34366169088 (0x800628000)", pid),
					fmt.Sprintf("%5d: exit(0x0)\t\t", pid),
					fmt.Sprintf("%5d: process exit, rval = 0", pid),
				}}
				// The parent's line after the child's first line.
				k := 1 + rng.Intn(len(j.lines))
				j.lines = append(j.lines[:k], append([]string{fmt.Sprintf("  100: fork()\t\t\t\t\t\t = %d (%#x)", pid, pid)}, j.lines[k:]...)...)
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
			}
		}
		evs, c, _, errs := convertText(t, b.String(), bsd.Options{})
		if len(errs) != 0 {
			t.Fatalf("seed %d: %v", seed, errs[0])
		}
		if err := bsd.CheckInvariants(evs, true); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if c.Stats.Creations[trace.Fork] != int64(jobs) || c.Stats.Execs != int64(jobs) || c.Stats.Exits != int64(jobs) {
			t.Fatalf("seed %d: stats %+v", seed, c.Stats)
		}
		for i := range evs {
			if e := &evs[i]; e.Kind == trace.Fork && (!e.HasChildExec || e.ChildExecNs < e.TimeNs) {
				t.Fatalf("seed %d: %s", seed, bsd.FormatEvent(e))
			}
			if e := &evs[i]; e.Kind == trace.Exec && e.PPID != 100 {
				t.Fatalf("seed %d: %s", seed, bsd.FormatEvent(e))
			}
		}
	}
}
