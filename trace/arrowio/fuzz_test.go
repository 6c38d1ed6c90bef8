package arrowio_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/internal/fuzzbound"
	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// FuzzReadIPC feeds arbitrary bytes to the Arrow IPC trace reader: a
// corrupt or hostile file must give an error, never a panic, a hang or a
// row that breaks the schema's invariants.
//
//	go test ./trace/arrowio -run '^$' -fuzz '^FuzzReadIPC$' -fuzztime 1m
//
// The seeds are kept small (every input costs the engine time in
// proportion to its length, see internal/fuzzbound): one trace of two
// batches, its first half (an unfinished file, read by the salvage
// reader), and the bare magic.
func FuzzReadIPC(f *testing.F) {
	fuzzbound.Setup(f)
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.arrow")
	tracetest.Write(f, path, tracetest.Meta, tracetest.Sample()[:3], tracetest.BatchRows(2))
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("ARROW1\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzbound.Run(t, func(t *testing.T) { readIPC(t, data) })
	})
}

func readIPC(t *testing.T, data []byte) {
	r, err := arrowio.OpenIPCBytes("fuzz.arrow", data, nil)
	if err != nil {
		return
	}
	defer r.Close()
	for n := 0; r.Next() && n < 1<<12; n++ {
		// The reader checks every row: what it returns keeps the
		// schema's invariants.
		if p := r.Event().Check(); p != "" {
			t.Fatalf("row %d was returned but breaks an invariant: %s", r.Row(), p)
		}
	}
	_ = r.Err()
}
