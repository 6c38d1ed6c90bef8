package arrowio_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

var updateBytes = flag.Bool("update-bytes", false, "rewrite testdata/writer-bytes.sha256 from the Writer's Append")

// bytesTrace is a converted log's mix: memory rows (some with no ppid or
// no comm, a run of them with no comm at all) and signal rows (some of an
// unknown signal) between whole events.
func bytesTrace() []trace.Event {
	sample := tracetest.Sample()
	mem := []trace.Kind{trace.Mmap, trace.Munmap, trace.Mprotect, trace.Brk, trace.Mremap}
	comms := []string{"cc1", "", "make", "a-rather-longer-command-name", "ld", "cc1"}
	var evs []trace.Event
	for i := 0; i < 1500; i++ {
		var ev trace.Event
		if i%7 == 3 {
			ev = sample[i%len(sample)]
			ev.TimeNs = int64(i)
			if ev.HasChildExec {
				ev.ChildExecNs = ev.TimeNs + 20
			}
		} else {
			ev = trace.Event{TimeNs: int64(i), PID: int32(100 + i%13), PPID: int32(i % 5), Kind: mem[i%len(mem)], Comm: comms[i%len(comms)]}
			if i >= 400 && i < 460 {
				ev.Comm = ""
			}
			if i%11 == 5 {
				ev.Kind, ev.Signal = trace.Signal, int32(23-23*(i%3/2)) // SIGURG, or 0 for an unknown one
			}
		}
		evs = append(evs, ev)
	}
	return evs
}

// TestWriterBytes checks that the file a Writer makes of bytesTrace, in
// batches of several sizes, has the bytes recorded in
// testdata/writer-bytes.sha256, whichever way the rows go in: Append,
// Writer's AppendShort for the memory and signal rows, or an
// AsyncWriter's. The sums are Append's (-update-bytes); they were
// first taken when arrow's builders made the string columns, and taken
// again by Append when signal rows joined the trace.
func TestWriterBytes(t *testing.T) {
	golden := filepath.Join("testdata", "writer-bytes.sha256")
	want := map[string]string{}
	if !*updateBytes {
		b, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			f := strings.Fields(line)
			want[f[1]] = f[0]
		}
	}
	evs := bytesTrace()
	dir := t.TempDir()
	var got []string
	for _, ext := range []string{".arrow", ".parquet"} {
		if !arrowio.HasFormat(strings.TrimPrefix(ext, ".")) {
			continue
		}
		for _, batch := range []int{0, 1, 3, 7, 300, 1000} {
			name := fmt.Sprintf("batch%d%s", batch, ext)
			for _, how := range []string{"append", "short", "async", "lazy"} {
				if *updateBytes && how != "append" {
					continue
				}
				path := filepath.Join(dir, how+name)
				writeBytesTrace(t, path, batch, how, evs)
				sum := fileSum(t, path)
				if *updateBytes {
					got = append(got, sum+"  "+name)
					continue
				}
				if w, ok := want[name]; !ok {
					t.Errorf("%s: no sum in %s", name, golden)
				} else if sum != w {
					t.Errorf("%s written by %s: sha256 %s, want %s (the file's bytes changed; if only arrow-go's writer did, -update-bytes takes the new sums)", name, how, sum, w)
				}
				if _, back := tracetest.Read(t, path, nil); !reflect.DeepEqual(back, evs) {
					t.Errorf("%s written by %s: the rows read back differ", name, how)
				}
			}
		}
	}
	if *updateBytes {
		if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeBytesTrace writes evs to path: by Writer.Append ("append"), with
// AppendShort for the short rows ("short"), through an AsyncWriter
// ("async"), or through a lazy AsyncWriter with AppendShortKind ("lazy").
func writeBytesTrace(t *testing.T, path string, batch int, how string, evs []trace.Event) {
	create := func() (*arrowio.Writer, error) {
		w, err := arrowio.Create(path, trace.Meta{Source: "test", StartUnixNs: 1}, nil)
		if err == nil && batch > 0 {
			w.BatchRows = batch
		}
		return w, err
	}
	var w *arrowio.Writer
	var aw *arrowio.AsyncWriter
	var err error
	if how == "lazy" {
		aw = arrowio.NewLazyAsyncWriter(create)
	} else if w, err = create(); err != nil {
		t.Fatal(err)
	}
	if how == "async" {
		aw = arrowio.NewAsyncWriter(w)
	}
	for i := range evs {
		ev := &evs[i]
		short := (ev.Kind.IsMemory() || ev.Kind == trace.Signal) && ev.ChildPID == 0 && !ev.HasSnapshot
		switch {
		case how == "append" || !short:
			if aw != nil {
				err = aw.Append(ev)
			} else {
				err = w.Append(ev)
			}
		case how == "lazy":
			err = aw.AppendShortKind(ev.TimeNs, ev.PID, ev.PPID, int32(ev.Kind.Index()), ev.Comm, ev.Signal)
		case aw != nil:
			err = aw.AppendShort(ev.TimeNs, ev.PID, ev.PPID, ev.Kind, ev.Comm, ev.Signal)
		default:
			err = w.AppendShort(ev.TimeNs, ev.PID, ev.PPID, ev.Kind, ev.Comm, ev.Signal)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if aw != nil {
		err = aw.End(nil)
	} else {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}

func fileSum(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := bufio.NewReader(f).WriteTo(h); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
