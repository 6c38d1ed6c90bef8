package strace

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
	"github.com/forkcost/forkcost/trace/textconv"
)

// BenchmarkWriteRows is the row path from the converter's emit to the
// file, as a conversion takes it: the rows of the big log, converted
// beforehand (three times over), memory and signal rows as their fields
// (SetEmitShort), appended
// in order through an AsyncWriter to an Arrow file in /dev/shm (when it
// exists, so that the disk is not measured). cpu-ns/row is the CPU time
// of every goroutine (the appending one and the writer's) per row.
func BenchmarkWriteRows(b *testing.B) {
	// The rows go three times, as many as a conversion of a 200 MB log
	// has, so that the first batch (whose buffers grow by doubling) does
	// not weigh more than it does there.
	const rows3 = 3
	data := bigLog(b)
	type shortRow struct {
		t         int64
		pid, ppid int32
		kind      int32
		comm      string
		sig       int32
	}
	type row struct {
		ev    *trace.Event // nil: a short row
		short shortRow
	}
	var rows []row
	c := NewConverter(Options{}, func(ev *trace.Event) error {
		e := *ev
		rows = append(rows, row{ev: &e})
		return nil
	})
	c.SetEmitShort(textconv.EmitShort(func(t int64, pid, ppid, kind int32, comm string, sig int32) error {
		rows = append(rows, row{short: shortRow{t: t, pid: pid, ppid: ppid, kind: kind, comm: comm, sig: sig}})
		return nil
	}))
	if err := Run(NewReader(bytes.NewReader(data), "big"), c, nil); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "forkcost-bench-"); err == nil {
			dir = d
			defer os.RemoveAll(d)
		}
	}
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cpu0 := cpuTime()
		w, err := arrowio.Create(dir+"/w.arrow", trace.Meta{Source: "strace"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		aw := arrowio.NewAsyncWriter(w)
		for j := range rows3 * len(rows) {
			r := &rows[j%len(rows)]
			if r.ev != nil {
				err = aw.Append(r.ev)
			} else {
				m := &r.short
				err = aw.AppendShortKind(m.t, m.pid, m.ppid, m.kind, m.comm, m.sig)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if err := aw.End(nil); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - cpu0
		// Freeing the file's pages is not the writer's work.
		b.StopTimer()
		os.Remove(dir + "/w.arrow")
		b.StartTimer()
	}
	n := float64(rows3*len(rows)) * float64(b.N)
	b.ReportMetric(float64(cpu)/n, "cpu-ns/row")
	b.ReportMetric(float64(b.Elapsed())/n, "ns/row")
	b.ReportMetric(float64(cpu)/float64(time.Duration(b.N)), "cpu-ns/op")
}
