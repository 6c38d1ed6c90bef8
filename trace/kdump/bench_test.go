package kdump

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
)

var (
	benchOnce sync.Once
	benchLog  []byte
	benchRows int
)

// genLog writes a NetBSD kdump -T text of about size bytes: a make that
// forks compilers (fork, exec, three mmaps, a GIO with data, exit, wait4),
// one in eight through __vfork14, with the records of two jobs interleaved.
func genLog(size int) []byte {
	var b bytes.Buffer
	t := int64(1700000000) * 1e9
	hdr := func(pid int, comm string) {
		t += 12345
		fmt.Fprintf(&b, "%6d %6d %-8s %d.%09d ", pid, pid, comm, t/1e9, t%1e9)
	}
	for i := 0; b.Len() < size; i++ {
		child := 2000 + i%20000
		vf := i%8 == 0
		name := "fork"
		if vf {
			name = "__vfork14"
		}
		hdr(1000, "make")
		fmt.Fprintf(&b, "CALL  %s\n", name)
		if !vf {
			hdr(1000, "make")
			fmt.Fprintf(&b, "RET   %s %d/%#x\n", name, child, child)
		}
		hdr(child, "make")
		fmt.Fprintf(&b, "RET   %s 0\n", name)
		hdr(child, "make")
		b.WriteString("CALL  execve(0x7f7fffffe8a0,0x7f7fffffe6c0,0x7f7fffffe6d8)\n")
		hdr(child, "make")
		b.WriteString("NAMI  \"/usr/bin/cc\"\n")
		hdr(child, "cc")
		b.WriteString("EMUL  \"netbsd\"\n")
		hdr(child, "cc")
		b.WriteString("RET   execve JUSTRETURN\n")
		if vf {
			hdr(1000, "make")
			fmt.Fprintf(&b, "RET   %s %d/%#x\n", name, child, child)
		}
		for k := 0; k < 3; k++ {
			hdr(child, "cc")
			b.WriteString("CALL  mmap(0,0x8000,PROT_READ|PROT_WRITE,0x1002<PRIVATE,ANONYMOUS,ALIGN=NONE>,0xffffffff,0,0)\n")
			hdr(child, "cc")
			addr := 0x7f7ff7000000 + k*0x10000
			fmt.Fprintf(&b, "RET   mmap %d/%#x\n", addr, addr)
		}
		hdr(child, "cc")
		b.WriteString("GIO   fd 2 wrote 12 bytes\n       \"warning: x\\n\"\n")
		hdr(child, "cc")
		b.WriteString("CALL  exit(0)\n")
		hdr(1000, "make")
		b.WriteString("PSIG  SIGCHLD caught handler=0x41d6c0 mask=0x0 code=CLD_EXITED\n")
		hdr(1000, "make")
		b.WriteString("CALL  wait4(0xffffffff,0x7f7fffffe5cc,0,0)\n")
		hdr(1000, "make")
		fmt.Fprintf(&b, "RET   wait4 %d/%#x\n", child, child)
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
		rows := 0
		c := bsd.NewConverter(bsd.Options{}, func(*trace.Event) error { rows++; return nil })
		if err := bsd.Run(NewReader(bytes.NewReader(data), "big"), c, nil); err != nil {
			b.Fatal(err)
		}
		benchRows = rows
	}
	report(b, data)
}

// BenchmarkConvertArrow is the whole conversion into an Arrow file.
func BenchmarkConvertArrow(b *testing.B) {
	data := bigLog()
	dir := b.TempDir()
	f := dir + "/big.kdump"
	if err := os.WriteFile(f, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ConvertFile(f, dir+"/out.arrow", Config{}); err != nil {
			b.Fatal(err)
		}
	}
	report(b, data)
}

// The generated log converts to what it says.
func TestGeneratedLog(t *testing.T) {
	data := genLog(200 << 10)
	evs, c, rd, errs := convertReader(t, NewReader(bytes.NewReader(data), "gen"), bsd.Options{})
	if len(errs) != 0 || rd.OS() != "netbsd" || rd.TimeForm() != bsd.TimeAbsolute {
		t.Fatalf("%v %s %s", errs, rd.OS(), rd.TimeForm())
	}
	if err := bsd.CheckInvariants(evs, true); err != nil {
		t.Fatal(err)
	}
	n := c.Stats.Creations[trace.Fork] + c.Stats.Creations[trace.VFork]
	if n == 0 || c.Stats.Execs != n || c.Stats.Exits != n || c.Stats.MemoryCalls != 3*n {
		t.Errorf("stats %+v", c.Stats)
	}
}

// TestWriteBigLog writes a generated log of KDUMP_BIG_MB megabytes to
// KDUMP_BIG_OUT, for measuring a whole conversion by hand:
//
//	KDUMP_BIG_MB=200 KDUMP_BIG_OUT=/tmp/big.kdump go test ./trace/kdump -run TestWriteBigLog
//	/usr/bin/time -v analyze convert -o /tmp/big.arrow /tmp/big.kdump
func TestWriteBigLog(t *testing.T) {
	out := os.Getenv("KDUMP_BIG_OUT")
	if out == "" {
		t.Skip("KDUMP_BIG_OUT not set")
	}
	mb := 100
	fmt.Sscan(os.Getenv("KDUMP_BIG_MB"), &mb)
	if err := os.WriteFile(out, genLog(mb<<20), 0o644); err != nil {
		t.Fatal(err)
	}
}
