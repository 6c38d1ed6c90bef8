//go:build linux && amd64

package record

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/forkcost/forkcost/trace"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		nr    int
		flags uint64
		has   bool
		want  trace.Kind
	}{
		{unix.SYS_VFORK, 0, false, trace.VFork},
		{unix.SYS_FORK, 0, false, trace.Fork},
		{unix.SYS_CLONE, unix.CLONE_CHILD_SETTID | unix.CLONE_CHILD_CLEARTID | uint64(unix.SIGCHLD), true, trace.Fork},
		{unix.SYS_CLONE3, unix.CLONE_VM | unix.CLONE_VFORK, true, trace.Spawn},
		{unix.SYS_CLONE, unix.CLONE_VM | unix.CLONE_VFORK | uint64(unix.SIGCHLD), true, trace.Spawn},
		{unix.SYS_CLONE3, unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND | unix.CLONE_THREAD | unix.CLONE_SYSVSEM, true, trace.Thread},
		{unix.SYS_CLONE, unix.CLONE_VM | uint64(unix.SIGCHLD), true, trace.Clone},
		{unix.SYS_CLONE, unix.CLONE_VFORK, true, trace.Fork}, // no CLONE_VM: a copy
		{unix.SYS_CLONE3, 0, false, trace.Clone},             // flags unreadable: trace.ClassifyLinux
	} {
		if got := Classify(c.nr, c.flags, c.has); got != c.want {
			t.Errorf("Classify(%d, %#x, %v) = %s, want %s", c.nr, c.flags, c.has, got, c.want)
		}
	}
}

const smapsSample = `55d0c0a00000-55d0c0a02000 r--p 00000000 08:01 1234                       /usr/bin/x
Size:                  8 kB
Rss:                   8 kB
Anonymous:             0 kB
AnonHugePages:         0 kB
VmFlags: rd mr mw me sd
55d0c0c00000-55d0c0e00000 rw-p 00000000 00:00 0                          [heap]
Size:               2048 kB
Rss:                2048 kB
Anonymous:          2048 kB
AnonHugePages:      2048 kB
VmFlags: rd wr mr mw me ac sd
7f0000000000-7f0000004000 rw-s 00000000 00:05 99                         /dev/shm/x
Size:                 16 kB
Rss:                  12 kB
Anonymous:             0 kB
Shared_Hugetlb:        0 kB
VmFlags: rd wr sh mr mw me ms sd
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
Size:                132 kB
Rss:                  20 kB
Anonymous:            20 kB
VmFlags: rd wr mr mw me gd ac
`

func TestParseSmaps(t *testing.T) {
	var s trace.Snapshot
	if err := parseSmaps([]byte(smapsSample), &s); err != nil {
		t.Fatal(err)
	}
	want := trace.Snapshot{
		MapEntries:            4,
		VirtBytes:             (8 + 2048 + 16 + 132) << 10,
		WritableBytes:         (2048 + 132) << 10, // private writable only: not the shared mapping
		ResidentBytes:         (8 + 2048 + 12 + 20) << 10,
		WritableResidentBytes: (2048 + 20) << 10,
		AnonResidentBytes:     (2048 + 20) << 10,
		HugeResidentBytes:     2048 << 10,
	}
	if s != want {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
}

func TestParseStat(t *testing.T) {
	// A comm with spaces and parentheses, as a process may name itself.
	st, err := parseStat([]byte("4242 (a (b) c) S 1 4242 4242 0 -1 4194560 1234 0 7 0 1 2 0 0 20 0 1 0 100 1000 50\n"))
	if err != nil {
		t.Fatal(err)
	}
	if st.comm != "a (b) c" || st.ppid != 1 || st.state != 'S' || st.minflt != 1234 || st.majflt != 7 {
		t.Errorf("parsed %+v", st)
	}
}

// The helper runs with asynchronous preemption off and hands the command
// the GODEBUG it was given (or none): what reaches the command is checked
// by recording env.
func TestHelperGodebug(t *testing.T) {
	for _, given := range []string{"", "madvdontneed=1"} {
		env := []string{"PATH=/usr/bin:/bin"}
		if given != "" {
			env = append(env, "GODEBUG="+given)
		}
		var out strings.Builder
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { io.Copy(&out, r); close(done) }()
		_, err = Run(Options{Args: []string{"env"}, Env: env, Stdout: w, Output: filepath.Join(t.TempDir(), "t.arrow")})
		w.Close()
		<-done
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var godebug []string
		for _, l := range lines {
			if strings.HasPrefix(l, "GODEBUG=") || strings.HasPrefix(l, "FORKCOST_") {
				godebug = append(godebug, l)
			}
		}
		want := []string{}
		if given != "" {
			want = []string{"GODEBUG=" + given}
		}
		if strings.Join(godebug, " ") != strings.Join(want, " ") {
			t.Errorf("given GODEBUG %q, the command saw %q", given, godebug)
		}
	}
}
