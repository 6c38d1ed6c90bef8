package truss

import (
	"bufio"
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
)

var (
	benchOnce sync.Once
	benchLog  []byte
)

// genLog writes a truss -f -d log of about size bytes: a make forking
// compilers that exec, map memory and exit.
func genLog(size int) []byte {
	var b bytes.Buffer
	t := int64(0)
	pre := func(pid int) {
		t += 12345
		fmt.Fprintf(&b, "%5d: %d.%09d ", pid, t/1e9, t%1e9)
	}
	for i := 0; b.Len() < size; i++ {
		child := 2000 + i%20000
		pre(child)
		b.WriteString("<new process>\n")
		pre(1000)
		fmt.Fprintf(&b, "fork()\t\t\t\t\t\t = %d (%#x)\n", child, child)
		pre(child)
		b.WriteString("execve(\"/usr/bin/cc\",[ \"cc\", \"-c\", \"x.c\" ],0x7fffffffe6d8) EJUSTRETURN\n")
		for k := 0; k < 3; k++ {
			pre(child)
			addr := 0x800628000 + k*0x10000
			fmt.Fprintf(&b, "mmap(0x0,32768,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANON,-1,0x0) = %d (%#x)\n", addr, addr)
		}
		pre(child)
		b.WriteString("open(\"/usr/include/stdio.h\",O_RDONLY,00)\t\t ERR#2 'No such file or directory'\n")
		pre(child)
		b.WriteString("exit(0x0)\t\t\t\t\t\t\n")
		pre(child)
		b.WriteString("process exit, rval = 0\n")
		pre(1000)
		fmt.Fprintf(&b, "SIGNAL 20 (SIGCHLD) code=CLD_EXITED pid=%d uid=1001 status=0\n", child)
		pre(1000)
		fmt.Fprintf(&b, "wait4(-1,{ EXITED,val=0 },0x0,0x0)\t\t = %d (%#x)\n", child, child)
	}
	return b.Bytes()
}

func bigLog() []byte {
	benchOnce.Do(func() { benchLog = genLog(32 << 20) })
	return benchLog
}

func report(b *testing.B, data []byte) {
	lines := bytes.Count(data, []byte("\n"))
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(len(data))/1e6/sec, "MB/s")
	b.ReportMetric(float64(lines)/sec, "lines/s")
	b.SetBytes(int64(len(data)))
}

// BenchmarkScanLines is the floor: reading the same log line by line.
func BenchmarkScanLines(b *testing.B) {
	data := bigLog()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 256<<10), 1<<20)
		for sc.Scan() {
		}
	}
	report(b, data)
}

// BenchmarkRead parses records without converting them.
func BenchmarkRead(b *testing.B) {
	data := bigLog()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd := NewReader(bytes.NewReader(data), "big")
		for rd.Next() {
		}
	}
	report(b, data)
}

// BenchmarkConvert parses and converts, discarding the rows.
func BenchmarkConvert(b *testing.B) {
	data := bigLog()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := bsd.NewConverter(bsd.Options{Truss: true}, func(*trace.Event) error { return nil })
		if err := bsd.Run(NewReader(bytes.NewReader(data), "big"), c, nil); err != nil {
			b.Fatal(err)
		}
	}
	report(b, data)
}

func TestGeneratedLog(t *testing.T) {
	evs, c, _, errs := convertReader(t, NewReader(bytes.NewReader(genLog(100<<10)), "gen"), bsd.Options{})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if err := bsd.CheckInvariants(evs, true); err != nil {
		t.Fatal(err)
	}
	n := c.Stats.Creations[trace.Fork]
	if n == 0 || c.Stats.Execs != n || c.Stats.Exits != n || c.Stats.MemoryCalls != 3*n {
		t.Errorf("stats %+v", c.Stats)
	}
}
