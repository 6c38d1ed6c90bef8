package strace

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/forkcost/forkcost/internal/stracegen"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
	"github.com/forkcost/forkcost/trace/textconv"
)

var (
	benchOnce sync.Once
	benchLog  []byte
	benchRows int64
)

// bigLog is a ~64 MB log: shifted copies of a recording in testdata/real,
// the go build unless $FORKCOST_BENCH_SHAPE names another (libcbuild,
// memheavy), so that the stage benchmarks (Read, Convert, WriteOnly) give
// the CPU split of each shape of scripts/bench-convert.sh.
func bigLog(b *testing.B) []byte {
	benchOnce.Do(func() {
		shape := os.Getenv("FORKCOST_BENCH_SHAPE")
		if shape == "" {
			shape = "gobuild"
		}
		src := readLog(b, "testdata/real/"+shape+".strace.zst")
		var buf bytes.Buffer
		if _, _, err := stracegen.Generate(&buf, src, 64<<20); err != nil {
			b.Fatal(err)
		}
		benchLog = buf.Bytes()
	})
	return benchLog
}

func report(b *testing.B, data []byte) {
	lines := bytes.Count(data, []byte("\n"))
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(len(data))/1e6/sec, "MB/s")
	b.ReportMetric(float64(lines)/sec, "lines/s")
	b.SetBytes(int64(len(data)))
}

// BenchmarkScanLines is the floor: reading the log line by line.
func BenchmarkScanLines(b *testing.B) {
	data := bigLog(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 256<<10), 1<<20)
		n := 0
		for sc.Scan() {
			n++
		}
	}
	report(b, data)
}

// BenchmarkRead parses records without converting them.
func BenchmarkRead(b *testing.B) {
	data := bigLog(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd := NewReader(bytes.NewReader(data), "big")
		for rd.Next() {
		}
	}
	report(b, data)
}

// BenchmarkConvert parses and converts, discarding the events.
func BenchmarkConvert(b *testing.B) {
	data := bigLog(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rows int64
		c := NewConverter(Options{}, func(*trace.Event) error { rows++; return nil })
		if err := Run(NewReader(bytes.NewReader(data), "big"), c, nil); err != nil {
			b.Fatal(err)
		}
		benchRows = rows
	}
	report(b, data)
}

// BenchmarkConvertArrow is the whole conversion into an Arrow file.
func BenchmarkConvertArrow(b *testing.B) {
	data := bigLog(b)
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := dir + "/big.strace"
		if i == 0 {
			b.StopTimer()
			os.WriteFile(f, data, 0o644)
			b.StartTimer()
		}
		if _, err := ConvertFiles([]Input{{Name: f}}, dir+"/out.arrow", Config{}); err != nil {
			b.Fatal(err)
		}
	}
	report(b, data)
}

// BenchmarkWriteOnly is the trace writer's share: the events of the big log,
// converted beforehand, appended to an Arrow file.
func BenchmarkWriteOnly(b *testing.B) {
	data := bigLog(b)
	var evs []trace.Event
	c := NewConverter(Options{}, func(ev *trace.Event) error { evs = append(evs, *ev); return nil })
	if err := Run(NewReader(bytes.NewReader(data), "big"), c, nil); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := arrowio.Create(dir+"/w.arrow", trace.Meta{Source: "strace"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for j := range evs {
			if err := w.Append(&evs[j]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	report(b, data)
}

// BenchmarkConvertVsScan measures, in the same run, reading the log line by
// line with bufio.Scanner and converting it (pipelined, to an Arrow file),
// and reports the conversion's throughput as a fraction of the scan's.
func BenchmarkConvertVsScan(b *testing.B) {
	data := bigLog(b)
	dir := b.TempDir()
	f := dir + "/big.strace"
	if err := os.WriteFile(f, data, 0o644); err != nil {
		b.Fatal(err)
	}
	lines := bytes.Count(data, []byte("\n"))
	var scan, conv time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 256<<10), 1<<20)
		for sc.Scan() {
		}
		fh.Close()
		t1 := time.Now()
		if _, err := ConvertFiles([]Input{{Name: f}}, dir+"/out.arrow", Config{}); err != nil {
			b.Fatal(err)
		}
		scan += t1.Sub(t0)
		conv += time.Since(t1)
	}
	mb := float64(len(data)) / 1e6
	b.ReportMetric(mb/(scan.Seconds()/float64(b.N)), "scan-MB/s")
	b.ReportMetric(mb/(conv.Seconds()/float64(b.N)), "convert-MB/s")
	b.ReportMetric(float64(lines)/(conv.Seconds()/float64(b.N)), "convert-lines/s")
	b.ReportMetric(conv.Seconds()/scan.Seconds(), "scan-time-ratio")
}

// BenchmarkConvertFile converts the log named by $FORKCOST_BENCH_LOG (a
// shape built by scripts/bench-convert.sh) into /dev/shm, as analyze
// convert does: go test -bench ConvertFile -cpuprofile gives the CPU split
// between the stages (pprof -tags: the read-ahead and lexer stages are
// labelled; the converter runs unlabelled; the writer is labelled by trace).
func BenchmarkConvertFile(b *testing.B) {
	log := os.Getenv("FORKCOST_BENCH_LOG")
	if log == "" {
		b.Skip("set FORKCOST_BENCH_LOG to a log (scripts/bench-convert.sh builds them)")
	}
	fi, err := os.Stat(log)
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir() + "/out.arrow"
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		out = fmt.Sprintf("/dev/shm/forkcost-bench-%d.arrow", os.Getpid())
		defer os.Remove(out)
	}
	b.SetBytes(fi.Size())
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ConvertFiles([]Input{{Name: log}}, out, Config{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU time per conversion, all goroutines: on a shared machine it
	// varies much less than the wall time that ns/op measures.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// nopSink is a converter that converts nothing.
type nopSink struct{ st textconv.Stats }

func (s *nopSink) Add(*Record) error         { return nil }
func (s *nopSink) Counters() *textconv.Stats { return &s.st }

// BenchmarkLexPipelined is the pipeline's read-ahead and lexer stages
// alone: the conversion cannot be faster than this on one core for the
// lexer (the memory-heavy shape's conversion is close to it).
func BenchmarkLexPipelined(b *testing.B) {
	data := bigLog(b)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd := NewReader(bytes.NewReader(data), "big")
		if err := textconv.RunPipelined[Record](lexer{rd: rd, dec: newArgDecoder()}, &nopSink{}, nil, textconv.Stages[Record]{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	report(b, data)
}

// callRecords returns copies of the call records of the big log for
// which keep says yes, each with its own name and arguments.
func callRecords(b *testing.B, keep func(*Record) bool) []Record {
	rd := NewReader(bytes.NewReader(bigLog(b)), "big")
	var recs []Record
	for rd.Next() {
		if r, ok := rd.Result().(*Record); ok && r.Kind == KindCall && keep(r) {
			c := *r
			c.Name = append([]byte(nil), r.Name...)
			c.Args = append([]byte(nil), r.Args...)
			recs = append(recs, c)
		}
	}
	return recs
}

// BenchmarkDecodeMem is the decoder's cost per memory call.
func BenchmarkDecodeMem(b *testing.B) {
	recs := callRecords(b, func(r *Record) bool { return r.sysCall().isMemory() })
	d := newArgDecoder()
	var m memCall
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range recs {
			decodeMem(&m, &recs[j], d)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/call")
}

// BenchmarkDecodeExec is the decoder's cost per execve (path and argv).
func BenchmarkDecodeExec(b *testing.B) {
	recs := callRecords(b, func(r *Record) bool { return r.sysCall() == sysExecve })
	d := newArgDecoder()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range recs {
			decodeExec(&recs[j], d)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/exec")
}
