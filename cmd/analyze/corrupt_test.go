package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
)

// corruptTrace writes a valid trace of 200 creations and then flips 100
// bytes of it (XOR 0xff) from the writable_bytes value of row 100 on, as a
// bad disk or a bad copy would: the case of a valid .arrow with
// 100 bytes flipped in its middle. It returns the path.
func corruptTrace(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flipped.arrow")
	evs := make([]trace.Event, 200)
	for i := range evs {
		evs[i] = trace.Event{TimeNs: int64(i) * 1000, PID: 100, PPID: 1, Kind: trace.Fork, ChildPID: int32(1000 + i), Comm: "make",
			HasSnapshot: true, Snapshot: trace.Snapshot{VirtBytes: 727040, WritableBytes: 600000 + int64(i)*8,
				ResidentBytes: 500000, WritableResidentBytes: 400000, PageSize: 4096, Source: trace.Recorded}}
	}
	tracetest.Write(t, path, trace.Meta{Source: "test", SourceOS: "linux", Origin: "corrupt_test"}, evs)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var marker [8]byte
	binary.LittleEndian.PutUint64(marker[:], 600000+100*8)
	at := bytes.Index(data, marker[:])
	if at < 0 {
		t.Fatal("row 100's writable_bytes not found in the file")
	}
	for i := at; i < at+100; i++ {
		data[i] ^= 0xff
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCorruptTraceFails(t *testing.T) {
	path := corruptTrace(t)
	for _, cmd := range [][]string{{"replay", "--mc-draws", "0", path}, {"dump", path}} {
		_, stderr, code := runCLI(t, cmd...)
		if code != 1 || !strings.Contains(stderr, path+": batch 0, row 100 (row 100 of the file): writable_bytes -") ||
			!strings.Contains(stderr, "--lenient skips such rows") {
			t.Errorf("%s: exit %d, stderr:\n%s", cmd[0], code, stderr)
		}
	}
}

func TestCorruptTraceLenient(t *testing.T) {
	path := corruptTrace(t)
	// 100 bytes cover the 8-byte values of rows 100 to 111 and half of
	// row 112's: 13 rows.
	const skipped = "skipped 13 rows that break the trace schema's invariants (--lenient); the first: batch 0, row 100"
	stdout, stderr, code := runCLI(t, "dump", "--lenient", path)
	if code != 0 || !strings.Contains(stderr, skipped) {
		t.Fatalf("dump --lenient: exit %d, stderr:\n%s", code, stderr)
	}
	if rows := strings.Count(stdout, "\n") - 2; rows != 187 { // less the metadata and header lines
		t.Errorf("dump --lenient printed %d rows, want 200-13", rows)
	}
	stdout, stderr, code = runCLI(t, "replay", "--mc-draws", "0", "--format", "json", "--lenient", path)
	if code != 0 || !strings.Contains(stderr, skipped) || !strings.Contains(stdout, `"creations": 187`) {
		t.Errorf("replay --lenient: exit %d, stderr:\n%s\nstdout:\n%.600s", code, stderr, stdout)
	}
}
