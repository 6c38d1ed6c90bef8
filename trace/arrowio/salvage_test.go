package arrowio_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// snapshotTemp copies the writer's temporary file as it is on disk now:
// what a SIGKILL would leave.
func snapshotTemp(t *testing.T, dir string) string {
	t.Helper()
	ents, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if len(ents) != 1 {
		t.Fatalf("temporary files: %v", ents)
	}
	data, err := os.ReadFile(ents[0])
	if err != nil {
		t.Fatal(err)
	}
	killed := filepath.Join(t.TempDir(), "killed.arrow")
	if err := os.WriteFile(killed, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return killed
}

func readUnfinished(t *testing.T, path string) []trace.Event {
	t.Helper()
	r, err := arrowio.OpenUnfinished(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var evs []trace.Event
	for r.Next() {
		evs = append(evs, *r.Event())
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return evs
}

// tempSize returns the size of the one temporary file in dir (-1: none).
func tempSize(dir string) int64 {
	ents, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if len(ents) != 1 {
		return -1
	}
	st, err := os.Stat(ents[0])
	if err != nil {
		return -1
	}
	return st.Size()
}

// waitFlush waits until the temporary file in dir has grown beyond before
// (a flush), so that the test does not depend on the machine's load.
func waitFlush(t *testing.T, dir string, before int64) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if tempSize(dir) > before {
			time.Sleep(5 * time.Millisecond) // let the flush finish its batch
			return
		}
	}
	t.Fatal("the writer did not flush in 30 s")
}

func TestFlushEveryAndSalvage(t *testing.T) {
	dir := t.TempDir()
	w, err := arrowio.Create(filepath.Join(dir, "rec.arrow"), trace.Meta{Source: "record", SourceOS: "linux"}, nil, arrowio.FlushEvery(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	evs := tracetest.Sample()
	before := tempSize(dir)
	for i := range evs[:4] {
		if err := w.Append(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			waitFlush(t, dir, before) // two batches on disk
			before = tempSize(dir)
		}
	}
	for i := range evs[4:] {
		if err := w.Append(&evs[4+i]); err != nil { // not flushed yet
			t.Fatal(err)
		}
	}
	killed := snapshotTemp(t, dir)

	// Open refuses the unfinished file; OpenUnfinished gives its flushed
	// rows, marked: the four flushed before, and those the timer may have
	// flushed since.
	if _, err := arrowio.Open(killed, nil); !errors.Is(err, arrowio.ErrUnfinished) {
		t.Fatalf("Open: %v, want ErrUnfinished", err)
	}
	got := readUnfinished(t, killed)
	flushed := len(got)
	if flushed < 4 || got[flushed-1].TimeNs != evs[flushed-1].TimeNs {
		t.Fatalf("read %d rows of an unfinished file, want the 4 flushed at least", len(got))
	}
	r, err := arrowio.OpenUnfinished(killed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Meta().Incomplete != arrowio.UnfinishedNote {
		t.Errorf("incomplete = %q", r.Meta().Incomplete)
	}
	r.Close()

	// Salvage writes them to a finished trace that says where they came from.
	out := filepath.Join(t.TempDir(), "salvaged.arrow")
	st, err := arrowio.Salvage(killed, out)
	if err != nil {
		t.Fatal(err)
	}
	meta, rows := tracetest.Read(t, out, nil)
	if st.Rows != int64(flushed) || len(rows) != flushed || !strings.HasPrefix(meta.Incomplete, "salvaged from "+killed) || meta.Source != "record" {
		t.Fatalf("salvaged %+v: %d rows, meta %+v", st, len(rows), meta)
	}

	// Cut inside the last batch: the complete batches before it remain.
	data, _ := os.ReadFile(killed)
	cut := filepath.Join(t.TempDir(), "cut.arrow")
	os.WriteFile(cut, data[:len(data)-20], 0o644)
	if got := readUnfinished(t, cut); len(got) < 2 || len(got) >= flushed {
		t.Fatalf("read %d rows of a file cut inside its last batch, want those of the batches before it", len(got))
	}
}

func TestCloseIncomplete(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.arrow")
	w, err := arrowio.Create(path, trace.Meta{Source: "record", Origin: "x"}, nil, arrowio.FlushEvery(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	evs := tracetest.Sample()
	for i := range evs {
		w.Append(&evs[i])
	}
	if err := w.CloseIncomplete("interrupted by SIGINT"); err != nil {
		t.Fatal(err)
	}
	meta, got := tracetest.Read(t, path, nil)
	if meta.Incomplete != "interrupted by SIGINT" || meta.Origin != "x" || len(got) != len(evs) {
		t.Fatalf("meta %+v, %d rows", meta, len(got))
	}
	if ents, _ := filepath.Glob(filepath.Join(dir, ".*")); len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}
}
