package strace

import (
	"math/rand/v2"
	"testing"
)

// TestTaskCache changes the task map at random, with tids that share
// cache slots, and checks that lookup always answers what the map does.
func TestTaskCache(t *testing.T) {
	c := NewConverter(Options{}, nil)
	r := rand.New(rand.NewPCG(1, 2))
	procs := []*proc{{pid: 1}, {pid: 2}, {pid: 3}}
	tids := []int32{0, 1, 2, 255, 256, 257, 511, 512, 1 << 20, 1<<20 + 1, -1}
	for range 100000 {
		tid := tids[r.IntN(len(tids))]
		switch r.IntN(3) {
		case 0:
			c.setTask(tid, procs[r.IntN(len(procs))])
		case 1:
			c.delTask(tid)
		}
		want, wok := c.tasks[tid]
		got, ok := c.lookup(tid)
		if got != want || ok != wok {
			t.Fatalf("lookup(%d) = %p, %v; tasks has %p, %v", tid, got, ok, want, wok)
		}
	}
}
