package addrspace

import "testing"

// churn makes the memory calls of an allocator: mappings made, protected
// and unmapped in 64 slots in a random order (as the workers of the
// memory-heavy shape of scripts/bench-convert.sh do), and a growing heap.
func churn(s *Space, calls int) {
	var slots, lens [64]uint64
	seed := uint32(1)
	next := uint64(0x7f0000000000)
	for i := 0; i < calls; i++ {
		seed = seed*1103515245 + 12345
		k := seed >> 4 % 64
		length := uint64(seed>>8%64+1) * pg
		switch {
		case slots[k] != 0 && seed&1 != 0:
			s.Unmap(slots[k], lens[k])
			slots[k] = 0
		case slots[k] != 0:
			s.Protect(slots[k], pg, ProtRead)
		case i%16 == 0:
			s.Brk(0x600000+uint64(i)*pg, 0x600000+uint64(i)*pg)
		default:
			next -= 128 * pg
			s.Map(next, length, ProtRead|ProtWrite, Private|Anonymous)
			slots[k], lens[k] = next, length
		}
	}
}

// BenchmarkExecAfter is a process that makes 200 memory calls and execs
// (or exits) without creating a child: its calls are never applied.
func BenchmarkExecAfter(b *testing.B) { benchAfter(b, (*Space).Exec) }

// BenchmarkForkAfter is a process that makes 200 memory calls and forks:
// its space is read (Clone), so every call is applied.
func BenchmarkForkAfter(b *testing.B) { benchAfter(b, func(s *Space) { s.Clone() }) }

func benchAfter(b *testing.B, then func(*Space)) {
	for i := 0; i < b.N; i++ {
		s := New(pg)
		churn(s, 200)
		then(s)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/200, "ns/call")
}

// BenchmarkLongLived is a process that makes many memory calls and is
// read now and then: its first MaxDeferred calls wait and are applied as
// a run, the later ones at once.
func BenchmarkLongLived(b *testing.B) {
	s := New(pg)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		churn(s, 5000)
		s.Stats(DefaultBaseline)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/5000, "ns/call")
}
