package tempfile

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRunningSeesPidReuse(t *testing.T) {
	ppid := os.Getppid()
	if !running(ppid, time.Now()) {
		t.Fatalf("the parent process %d, which started before now, is not taken for running", ppid)
	}
	if _, ok := startTime(ppid); !ok {
		t.Skip("no /proc start times here")
	}
	// A file last written in 2000 cannot be the parent's: its pid was
	// reused by a process that started later.
	if running(ppid, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatal("a process started after the file was written is taken for its owner")
	}
}

func TestCreateRenameRemoveAll(t *testing.T) {
	dir := t.TempDir()
	var msgs []string
	SetWarn(func(m string) { msgs = append(msgs, m) })
	defer SetWarn(nil)
	target := filepath.Join(dir, "out.arrow")
	f, err := Create(target)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(f.Name()), ".out.arrow.tmp-"+strconv.Itoa(os.Getpid())+"-") {
		t.Fatalf("temporary name %s", f.Name())
	}
	f.Close()
	// A second file beside the same target does not take the first,
	// which is this process's, for a stale one.
	g, err := Create(target)
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	if _, err := os.Stat(f.Name()); err != nil || len(msgs) != 0 {
		t.Fatalf("the live temporary file: %v; messages %v", err, msgs)
	}
	if err := Rename(f.Name(), target); err != nil {
		t.Fatal(err)
	}
	removed := RemoveAll()
	defer func() { mu.Lock(); stopped = false; mu.Unlock() }()
	if len(removed) != 1 || removed[0] != g.Name() {
		t.Fatalf("RemoveAll removed %v, want only %s", removed, g.Name())
	}
	if _, err := os.Stat(target); err != nil {
		t.Fatalf("the renamed output: %v", err)
	}
	if _, err := Create(target); err == nil {
		t.Fatal("Create after RemoveAll succeeded")
	}
}
