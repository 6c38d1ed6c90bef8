package arrowio

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

func smallTrace(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.arrow")
	w, err := Create(path, trace.Meta{Source: "test", Origin: "fbverify"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	evs := []trace.Event{
		{TimeNs: 1, PID: 10, Kind: trace.Exec, ExecPath: "/bin/sh", Argv: []string{"sh"}},
		{TimeNs: 2, PID: 10, Kind: trace.Fork, ChildPID: 11, HasSnapshot: true,
			Snapshot: trace.Snapshot{VirtBytes: 100, WritableBytes: 50, ResidentBytes: 40, WritableResidentBytes: 20, PageSize: 4096, Source: trace.Recorded}},
	}
	for i := range evs {
		if err := w.Append(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestFooterWordCorruption overwrites each 32-bit word of a real file's
// footer with a huge count in turn: each file must open with an error or
// read, never crash (before the verifier, a children count of 2^28 made
// arrow-go allocate 35 GB and the process die with "out of memory").
func TestFooterWordCorruption(t *testing.T) {
	good := smallTrace(t)
	n := int(binary.LittleEndian.Uint32(good[len(good)-10:]))
	start := len(good) - 10 - n
	if err := verifyFooter(good[start : start+n]); err != nil {
		t.Fatalf("a valid footer fails: %v", err)
	}
	rejected := 0
	for at := start; at+4 <= start+n; at += 4 {
		for _, word := range []uint32{0x10000000, 0x7fffffff} {
			data := bytes.Clone(good)
			binary.LittleEndian.PutUint32(data[at:], word)
			r, err := OpenIPCBytes("t.arrow", data, nil)
			if err != nil {
				rejected++
				continue
			}
			for r.Next() {
			}
			r.Close()
		}
	}
	if rejected == 0 {
		t.Fatal("no corrupt footer was rejected")
	}
	t.Logf("%d of %d corrupt footers rejected on open", rejected, n/4*2)
}

// TestStreamSchemaCorruption does the same to the schema message at the
// start of the Arrow IPC stream inside the file, read by the stream reader.
func TestStreamSchemaCorruption(t *testing.T) {
	good := smallTrace(t)
	body := good[8:] // after "ARROW1\0\0": the stream
	n := int(binary.LittleEndian.Uint32(body[4:]))
	if err := verifyMessage(body[8 : 8+n]); err != nil {
		t.Fatalf("a valid schema message fails: %v", err)
	}
	dir := t.TempDir()
	for at := 8; at+4 <= 8+n; at += 4 {
		data := bytes.Clone(body)
		binary.LittleEndian.PutUint32(data[at:], 0x10000000)
		path := filepath.Join(dir, "s.arrows")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, nil)
		if err != nil {
			continue
		}
		for r.Next() {
		}
		r.Close()
	}
}
