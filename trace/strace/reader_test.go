package strace

import (
	"bytes"
	"strings"
	"testing"
)

// readAll returns the String form of every record and syntax error.
func readAll(t *testing.T, text string) []string {
	t.Helper()
	rd := NewReader(strings.NewReader(text), "log")
	var out []string
	for rd.Next() {
		switch r := rd.Result().(type) {
		case *Record:
			out = append(out, r.String())
		case *SyntaxError:
			out = append(out, "ERR "+r.Error())
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReaderShapes(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"-o padded pid, -ttt, -T",
			"3585  1795737893.868333 execve(\"./prog\", [\"./prog\"], 0x7ffff1490218 /* 35 vars */) = 0 <0.000272>\n",
			[]string{`1 pid=3585 t=1795737893868333000 execve("./prog", ["./prog"], 0x7ffff1490218 /* 35 vars */) = 0`}},
		{"6-digit pid, one space",
			"123456 1795737893.868333 exit_group(0) = ?\n",
			[]string{`1 pid=123456 t=1795737893868333000 exit_group(0) = ?`}},
		{"[pid N] with unprefixed lines",
			"clone(child_stack=NULL, flags=SIGCHLD) = 12\n[pid    12] exit_group(0)               = ?\n",
			[]string{`1 pid=- t=0 clone(child_stack=NULL, flags=SIGCHLD) = 12`, `2 pid=12 t=0 exit_group(0) = ?`}},
		{"-Y pid<comm>, ns, -n, -T ns",
			"4448<prog> 1795737923.955191388 [ 435] clone3({flags=CLONE_VM, exit_signal=0} => {parent_tid=[4450<prog>]}, 88) = 4450<prog> <0.000107299>\n",
			[]string{`1 pid=4448 t=1795737923955191388 clone3({flags=CLONE_VM, exit_signal=0} => {parent_tid=[4450<prog>]}, 88) = 4450`}},
		{"-tt and midnight rollover",
			"1  23:59:59.900000 brk(NULL) = 0x1000\n1  00:00:00.100000 brk(NULL) = 0x1000\n",
			[]string{`1 pid=1 t=86399900000000 brk(NULL) = 4096`, `2 pid=1 t=86400100000000 brk(NULL) = 4096`}},
		{"-t seconds",
			"3609  00:04:53 execve(\"/x\", [\"x\"], 0x1 /* 1 var */) = 0\n",
			[]string{`1 pid=3609 t=293000000000 execve("/x", ["x"], 0x1 /* 1 var */) = 0`}},
		{"-r deltas add up",
			"3621       0.000000 execve(\"/x\", [], 0x1 /* 0 vars */) = 0\n3621       0.004539 brk(NULL) = 0x10\n     1.000000 brk(NULL) = 0x10\n",
			[]string{`1 pid=3621 t=0 execve("/x", [], 0x1 /* 0 vars */) = 0`, `2 pid=3621 t=4539000 brk(NULL) = 16`, `3 pid=- t=1004539000 brk(NULL) = 16`}},
		{"-t -r",
			"9931  00:07:31 (+     0.000000) execve(\"/bin/true\", [\"/bin/true\"], 0x7ffd51025fa8 /* 35 vars */) = 0\n9931  00:07:31 (+     0.001112) +++ exited with 0 +++\n",
			[]string{`1 pid=9931 t=451000000000 execve("/bin/true", ["/bin/true"], 0x7ffd51025fa8 /* 35 vars */) = 0`, `2 pid=9931 t=451001112000 +++ exited 0`}},
		{"-i and ???? on exit lines",
			"4481  [00007fafab598ad7] exit_group(0)  = ?\n4481  [????????????????] +++ exited with 0 +++\n",
			[]string{`1 pid=4481 t=0 exit_group(0) = ?`, `2 pid=4481 t=0 +++ exited 0`}},
		{"-k frames skipped",
			"4488  execve(\"/bin/true\", [\"/bin/true\"], 0x5 /* 35 vars */) = 0\n > /usr/lib/x86_64-linux-gnu/libc.so.6(execve+0x7) [0xd4ad7]\n > /usr/bin/dash(+0x0) [0x79a0]\n4488  exit_group(0) = ?\n",
			[]string{`1 pid=4488 t=0 execve("/bin/true", ["/bin/true"], 0x5 /* 35 vars */) = 0`, `4 pid=4488 t=0 exit_group(0) = ?`}},
		{"split call joined, time of entry",
			"3585  1700000001.000000 wait4(3588,  <unfinished ...>\n3588  1700000001.100000 exit_group(0) = ?\n3585  1700000001.200000 <... wait4 resumed>NULL, 0, NULL) = 3588 <0.001673>\n",
			[]string{`2 pid=3588 t=1700000001100000000 exit_group(0) = ?`, `1 pid=3585 t=1700000001000000000 wait4(3588, NULL, 0, NULL) = 3588 resumed`}},
		{"split mid-argument (seccomp)",
			"3743  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>\n3743  <... clone resumed>, child_tidptr=0x7ffb5af98a10) = 3746\n",
			[]string{`1 pid=3743 t=0 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7ffb5af98a10) = 3746 resumed`}},
		{"killed while blocked",
			"4311  clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=10, tv_nsec=0},  <unfinished ...>\n4311  <... clock_nanosleep resumed> <unfinished ...>) = ?\n4311  +++ killed by SIGKILL +++\n",
			[]string{`1 pid=4311 t=0 clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=10, tv_nsec=0}, ) = ? resumed interrupted`, `3 pid=4311 t=0 +++ killed by SIGKILL core=false`}},
		{"strace message spliced into a line",
			"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLDstrace: Process 3654 attached\n, child_tidptr=0x7f2fe83f9a10) = 3654\nvfork(strace: Process 3655 attached\n <unfinished ...>\n[pid  3655] exit_group(0) = ?\n[pid  3651] <... vfork resumed>)        = 3655\n",
			[]string{`1 strace: Process 3654 attached (attached 3654)`, `1 pid=- t=0 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f2fe83f9a10) = 3654`,
				`3 strace: Process 3655 attached (attached 3655)`, `5 pid=3655 t=0 exit_group(0) = ?`, `3 pid=3651 t=0 vfork() = 3655 resumed`}},
		{"return forms",
			"1  read(3, \"a) = 1\", 5) = -1 EINTR (Interrupted system call)\n1  read(3, 0x1, 5) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n1  getpid() = ? <unavailable>\n1  exit_group(1) = -1 ENOSYS (Function not implemented) (INJECTED)\n1  fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)\n1  wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4503\n",
			[]string{`1 pid=1 t=0 read(3, "a) = 1", 5) = -1 EINTR`, `2 pid=1 t=0 read(3, 0x1, 5) = ?`, `3 pid=1 t=0 getpid() = ? <unavailable>`,
				`4 pid=1 t=0 exit_group(1) = -1 ENOSYS`, `5 pid=1 t=0 fcntl(3, F_GETFL) = 32770`, `6 pid=1 t=0 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4503`}},
		{"exit and signal lines",
			"4312  --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---\n4312  +++ killed by SIGSEGV (core dumped) +++\n4303  +++ superseded by execve in pid 4304 +++\n7  --- stopped by SIGSTOP ---\n7  --- SIGCHLD (Child exited) @ 0 (0) ---\n",
			[]string{`1 pid=4312 t=0 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}`, `2 pid=4312 t=0 +++ killed by SIGSEGV core=true`,
				`3 pid=4303 t=0 +++ superseded by 4304`, `4 pid=7 t=0 --- SIGSTOP {}`, `5 pid=7 t=0 --- SIGCHLD {}`}},
		{"-yy decorations and unknown syscall",
			"1  mmap(NULL, 33519, PROT_READ, MAP_PRIVATE, 3</etc/ld.so.cache>, 0) = 0x7f0000000000\n1  ???( <unfinished ...>\n1  <... ??? resumed>) = ?\n",
			[]string{`1 pid=1 t=0 mmap(NULL, 33519, PROT_READ, MAP_PRIVATE, 3</etc/ld.so.cache>, 0) = 139637976727552`, `2 pid=1 t=0 ???() = ? resumed`}},
		{"syntax errors name the line and go on",
			"garbage here\n1  brk(NULL = 0x1\n1  +++ exited with x +++\n\x00\x01\x02\n1  brk(NULL) = 0x1\n",
			[]string{`ERR log:1: expected a system call NAME(...), "<... NAME resumed>", "+++ ... +++" or "--- ... ---"`,
				`ERR log:2: expected ") = RETURN" at the end of the brk call`, `ERR log:3: expected "+++ exited with N +++"`,
				`ERR log:4: expected a system call NAME(...), "<... NAME resumed>", "+++ ... +++" or "--- ... ---"`, `5 pid=1 t=0 brk(NULL) = 1`}},
		{"resumed without its first half",
			"5  <... wait4 resumed>NULL, 0, NULL) = 6\n",
			[]string{`1 pid=5 t=0 wait4(NULL, 0, NULL) = 6 resumed orphan`}},
		{"colored output (strace 7)",
			"\x1b[33m5\x1b[0m  \x1b[1mexecve\x1b[0m(\"/bin/ls\", [\"ls\"], 0x1 /* 1 var */) = \x1b[32m0\x1b[0m\n",
			[]string{`1 pid=5 t=0 execve("/bin/ls", ["ls"], 0x1 /* 1 var */) = 0`}},
		{"strace 4.x env",
			"5  execve(\"/bin/ls\", [\"ls\"], [/* 25 vars */]) = 0\n",
			[]string{`1 pid=5 t=0 execve("/bin/ls", ["ls"], [/* 25 vars */]) = 0`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, tt.in)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

func TestReaderLongLine(t *testing.T) {
	long := "1  write(1, \"" + strings.Repeat("A", 10<<20) + "\", 10) = 10\n1  brk(NULL) = 0x1\n"
	rd := NewReader(strings.NewReader(long), "big")
	rd.MaxLine = 1 << 20
	var got []string
	for rd.Next() {
		switch r := rd.Result().(type) {
		case *Record:
			got = append(got, r.String())
		case *SyntaxError:
			got = append(got, "ERR "+r.Error())
		}
	}
	want := []string{"ERR big:1: line longer than 1048576 bytes skipped", "2 pid=1 t=0 brk(NULL) = 1"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
	// The memory bound on long lines is lineread's (TestLongLineMemory).
}

// TestDigits checks the eight-at-a-time digits against a byte loop, on
// numbers of every length at every offset, followed by every kind of byte.
func TestDigits(t *testing.T) {
	ref := func(b []byte, i int) (uint64, int) {
		var v uint64
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if v < 1<<58 {
				v = v*10 + uint64(b[i]-'0')
			}
		}
		return v, i
	}
	num := "98765432109876543210123"
	for n := 0; n <= len(num); n++ {
		for _, pre := range []string{"", "x", "1234567", " [pid "} {
			for _, post := range []string{"", ".", " ", "/", ":", "\xff", "\x00", "a", ">", "12345678x"} {
				b := []byte(pre + num[:n] + post)
				for i := 0; i <= len(pre); i++ {
					wv, wk := ref(b, i)
					if v, k := digits(b, i); v != wv || k != wk {
						t.Errorf("digits(%q, %d) = %d, %d; want %d, %d", b, i, v, k, wv, wk)
					}
				}
			}
		}
	}
}

// TestArgsCut checks argsCut against the two searches it replaces.
func TestArgsCut(t *testing.T) {
	ref := func(a []byte) bool {
		return bytes.Contains(a, []byte(`"...`)) || bytes.Contains(a, []byte(", ...]"))
	}
	for _, s := range []string{``, `...`, `"...`, `"a"...`, `["a", ...]`, `["a", ...`, `, ...]`, `,...]`, `"x", "....", ...`,
		`"/bin/sh", ["sh", "-c", "make"...], 0x7ff /* 35 vars */`, `"/usr/bin/gcc", ["gcc", "-O2", ...], 0x1`, `....]`, `, ....]`, `", ...]"`} {
		if got, want := argsCut([]byte(s)), ref([]byte(s)); got != want {
			t.Errorf("argsCut(%q) = %v, want %v", s, got, want)
		}
	}
}

// digitsByte is digits one byte at a time: what the eight-at-a-time
// digits must agree with.
func digitsByte(b []byte, i int) (uint64, int) { return digitsSlow(b, i, 0) }

func FuzzDigits(f *testing.F) {
	for _, s := range []string{"", "1", "12345678", "123456789", "1795742086.212042", "99999999999999999999999",
		"0000000000000000000000001", "12a", "1\xff2", "18446744073709551615", "/:09", "16894 1795742086.211050 execve("} {
		f.Add([]byte(s), 0)
	}
	f.Add([]byte("16894 1795742086.211050 execve("), 6)
	f.Fuzz(func(t *testing.T, b []byte, i int) {
		if i < 0 || i > len(b) {
			return
		}
		v, k := digits(b, i)
		wv, wk := digitsByte(b, i)
		if v != wv || k != wk {
			t.Fatalf("digits(%q, %d) = %d, %d; one byte at a time: %d, %d", b, i, v, k, wv, wk)
		}
	})
}

func FuzzCutDuration(f *testing.F) {
	for _, s := range []string{"", ") = 0 <0.000011>", ") = 0 <12.000011>", ") = 0 <0.000000011>", ") = 0 <0.000011> ", "<0.000011>",
		" <0.00a011>", " <0.000011>", "x <0,000011>", " <0.0000110>", ") = 0x7f44754c8000 <0.000214>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		got, gd := cutDuration(s)
		want, wd := cutDurationSlow(s)
		if string(got) != string(want) || gd != wd {
			t.Fatalf("cutDuration(%q) = %q, %d; the general form: %q, %d", s, got, gd, want, wd)
		}
	})
}

// FuzzUnixTime checks the fast -ttt timestamp against the general
// reading (digits, '.', fraction), and that it reads every timestamp of
// its form.
func FuzzUnixTime(f *testing.F) {
	for _, s := range []string{"1795742086.212042 mmap(", "1795742086.212042", "1795742086.212042123 x", "17957420861.212042 x",
		"179574208.212042 x", "1795742086.2120 x", "12:01:02.123456 x", "0.000123 x", "1795742086.212042x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, end, ok := unixTime(line, 0)
		if !ok {
			// It must not turn away its own form.
			if _, k := digits(line, 0); k == 10 && len(line) >= 19 && line[k] == '.' {
				if _, f2 := digits(line, k+1); f2 == 17 {
					t.Fatalf("unixTime(%q) turned away a -ttt timestamp", line)
				}
			}
			return
		}
		v, k := digits(line, 0)
		if k != 10 || line[k] != '.' {
			t.Fatalf("unixTime(%q) read a timestamp; digits end at %d", line, k)
		}
		fv, f2, fok := fraction(line, k+1)
		if !fok || int64(v)*1e9+fv != got || f2 != end || f2-k-1 != 6 {
			t.Fatalf("unixTime(%q) = %d, %d; digits and fraction: %d s + %d ns, end %d", line, got, end, v, fv, f2)
		}
	})
}
