package lineread

import (
	"io"
	"os"
	"testing"

	"github.com/forkcost/forkcost/trace/decompress"
)

// The line ends of a large log, found block by block as reading ahead
// finds them: read into a buffer (read(2)), or in the log's mapping.
// FORKCOST_BENCH_LOG names the log (scripts/bench-convert.sh makes them in
// /tmp/forkcost-bench-convert); skipped without it.

func benchLog(b *testing.B) string {
	name := os.Getenv("FORKCOST_BENCH_LOG")
	if name == "" {
		b.Skip("FORKCOST_BENCH_LOG names no log")
	}
	return name
}

func BenchmarkNewlinesRead(b *testing.B) {
	name := benchLog(b)
	buf := make([]byte, 64<<10)
	var nl []int32
	for b.Loop() {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		for {
			n, err := io.ReadFull(f, buf)
			nl, _ = findNewlines(buf[:n], nl, 0x1b)
			if err != nil {
				break
			}
		}
		f.Close()
	}
}

func BenchmarkNewlinesMapped(b *testing.B) {
	name := benchLog(b)
	var nl []int32
	for b.Loop() {
		rd, closeRd, err := decompress.Open(name, nil)
		if err != nil {
			b.Fatal(err)
		}
		mp, ok := rd.(decompress.Mapper)
		if !ok {
			b.Fatalf("%s: not a plain file", name)
		}
		m, _, ok := mp.Map()
		if !ok {
			b.Fatalf("%s: not mapped", name)
		}
		for p := 0; p < len(m); p += 64 << 10 {
			e := min(len(m), p+64<<10)
			nl, _ = findNewlines(m[p:e], nl, 0x1b)
			mp.Drop(e)
		}
		closeRd()
	}
}
