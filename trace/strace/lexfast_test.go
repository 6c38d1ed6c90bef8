package strace

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
)

// FuzzHeadOnly holds the Reader's headOnly to what it claims: whenever a
// line leaves it set, the line changed the record's head fields only,
// which every line sets, so that the next line need not reset it.
// It fails when the first half of a split call sets any other field.
func FuzzHeadOnly(f *testing.F) {
	addLogSeeds(f, 4, 80, false, "*.txt", "ff/*")
	f.Add([]byte("1 1795742086.212042 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n" +
		"2<sh> 1795742086.212043 clone(child_stack=NULL <unfinished ...>\n" +
		"1 1795742086.212050 <... mmap resumed>) = 0x7f0000000000 <0.000008>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data), "fuzz")
		for n, line := range bytes.Split(data, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			want := *rd.rec
			if !rd.headOnly {
				want.resetLine()
			}
			rd.parse(line, n+1)
			if !rd.headOnly {
				continue
			}
			got := *rd.rec
			for _, r := range []*Record{&got, &want} {
				r.File, r.Line, r.PID, r.HasPID, r.Time, r.TimeForm, r.Comm = "", 0, 0, false, 0, 0, nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("line %d %q left headOnly with %+v, was %+v", n+1, line, got, want)
			}
		}
	})
}

// FuzzResetLine holds parse's partial reset of its record (resetLine,
// headOnly) to a whole one: lines lexed into records reused as the
// pipeline reuses its batches' (filled by other lines, their execs then
// decoded by execAhead) give the records that lines lexed into zeroed ones give.
func FuzzResetLine(f *testing.F) {
	addLogSeeds(f, 6, 120, false, "*.txt", "ff/*")
	f.Add([]byte("1 1795742086.212042 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n" +
		"2<sh> 1795742086.212043 clone(child_stack=NULL <unfinished ...>\n" +
		"1 1795742086.212050 <... mmap resumed>) = 0x7f0000000000 <0.000008>\n" +
		"3 1795742086.212051 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4, si_uid=0, si_status=0} ---\n" +
		"3 1795742086.212052 execve(\"/bin/sh\", [\"sh\"], 0x7ffd /* 9 vars */) = 0 <0.000100>\n" +
		"3 1795742086.212053 +++ killed by SIGKILL (core dumped) +++\n" +
		"strace: Process 5 attached\n" +
		"5 1795742086.212054 open(\"/x\", O_RDONLY) = -1 ENOENT (No such file or directory) <0.000008>\n" +
		"5 1795742086.212055 exit_group(0) = ?\n" +
		"6 1795742086.212056 read(3 <detached ...>\n" +
		"7 1795742086.212057 +++ superseded by execve in pid 6 +++\n" +
		"[pid 8] 12:00:00.000001 brk(NULL) = 0x55\n" +
		"7 1795742086.212058 +++ exited with 3 +++\n"))
	f.Add([]byte("1 1795742086.212042 brk(NULL) = 0x55 <0.000001>\n1 1795742086.212043 brk(NULL) = 0x55 <0.000001>\n" +
		"1 1795742086.212044 brk(NULL) = 0x55 <0.000001>\n1 1795742086.212045 read(3 <detached ...>\n" +
		"1 1795742086.212046 brk(NULL) = ? <0.000001>\n1 1795742086.212047 brk(NULL) = -1 EINTR (x) <0.000001>\n" +
		"1 1795742086.212048 getpid()\n1 1795742086.212049 read(3 <detached ...>\n1 1795742086.212050 getpid()\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reused := NewReader(bytes.NewReader(nil), "fuzz")
		fresh := NewReader(bytes.NewReader(nil), "fuzz")
		var slots [3]Record
		k := 0
		reused.rec = &slots[0]
		d := newArgDecoder()
		for n, line := range bytes.Split(data, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			*fresh.rec, fresh.headOnly = Record{Duration: -1}, false
			rok, fok := reused.lexLine(line, n+1, true), fresh.lexLine(line, n+1, true)
			if rok != fok {
				t.Fatalf("line %q: lexLine %v into a used record, %v into a zeroed one", line, rok, fok)
			}
			if !rok {
				continue
			}
			if bad := fresh.cur == resErr; bad != (reused.cur == resErr) || bad && reused.synErr != fresh.synErr {
				t.Fatalf("line %q: %v into a zeroed record, %v into a used one", line, fresh.Result(), reused.Result())
			}
			if reused.cur == resRec {
				got, want := *reused.rec, *fresh.rec
				got.decoded, got.execFile, got.execArgv, got.execCut = false, "", nil, false
				// Comm's buffer is the record's own, empty or not.
				if !bytes.Equal(got.Comm, want.Comm) {
					t.Fatalf("line %q: Comm %q into a used record, %q into a zeroed one", line, got.Comm, want.Comm)
				}
				got.Comm, want.Comm = nil, nil
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("line %q:\ninto a used record   %+v\ninto a zeroed record %+v", line, got, want)
				}
				if reused.rec.Kind == KindCall {
					(lexer{dec: d}).execAhead(reused.rec)
				}
			}
			// The next record goes to the next slot, as in Lex.
			k++
			reused.rec, reused.headOnly = &slots[k%len(slots)], false
		}
	})
}

// FuzzMayBeUnfinished holds the inlined test that spares most lines a call
// to cutUnfinished to never turn away text that cutUnfinished would cut.
func FuzzMayBeUnfinished(f *testing.F) {
	for _, s := range []string{"NULL, 4096 <unfinished ...>", "x <unfinished ...>  ", "<unfinished ...>", ") = 0 <0.000012>", "", ">", " "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		if _, ok := cutUnfinished(s); ok && !mayBeUnfinished(s) {
			t.Fatalf("mayBeUnfinished(%q) is false, but cutUnfinished cuts it", s)
		}
	})
}

// FuzzQuickHead holds quickHead to head (and quickCall to the rest of
// parse): a -ttt log's lines lexed with and without them give the same
// records and the same errors.
func FuzzQuickHead(f *testing.F) {
	addLogSeeds(f, 2, 40, false, "*.txt")
	f.Add([]byte("7 1795742086.212042 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f00 <0.000008>\n" +
		"7 1795742086.212042  exit_group(0) = ?\n7 1795742086.212042 [00007f] brk(NULL) = 0x55\n" +
		"2147483648 1795742086.212042 brk(NULL) = 0x55\n7 1795742086.212042 \n7<sh> 1795742086.212042 brk(NULL) = 0x55\n" +
		"12345678 1795742086.212042 brk(NULL) = 0x55\n1234567 1795742086.212042 brk(NULL) = 0x55\n0 1795742086.212042 x("))
	f.Fuzz(func(t *testing.T, data []byte) {
		quick := NewReader(bytes.NewReader(nil), "fuzz")
		slow := NewReader(bytes.NewReader(nil), "fuzz")
		slow.noQuick = true
		for n, line := range bytes.Split(data, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			// quickHead reads the lines of a -ttt log only.
			quick.form, slow.form = TimeUnix, TimeUnix
			qok, sok := quick.parse(line, n+1), slow.parse(line, n+1)
			if qok != sok {
				t.Fatalf("line %q: parse %v with quickHead, %v without", line, qok, sok)
			}
			if bad := slow.cur == resErr; bad != (quick.cur == resErr) {
				t.Fatalf("line %q: error %v without quickHead, result %v with", line, slow.Result(), quick.Result())
			}
			if !reflect.DeepEqual(*quick.rec, *slow.rec) || quick.synErr != slow.synErr {
				t.Fatalf("line %q:\nwith quickHead    %+v %v\nwithout quickHead %+v %v", line, *quick.rec, quick.synErr, *slow.rec, slow.synErr)
			}
		}
	})
}

// FuzzQuickResume holds resumed's shortcut (and its inline copies of
// resumedName and cutDuration) to resumedSlow and cutDuration: lines lexed
// with and without it give the same records, errors and pending halves.
func FuzzQuickResume(f *testing.F) {
	addLogSeeds(f, 4, 80, false, "*.txt")
	f.Add([]byte("1 1795742086.212042 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n" +
		"2<sh> 1795742086.212043 clone(child_stack=NULL <unfinished ...>\n" +
		"1 1795742086.212050 <... mmap resumed>) = 0x7f0000000000 <0.000008>\n" +
		"2 1795742086.212051 <... clone resumed>, flags=CLONE_VM) = 3 <12.000008>\n" +
		"1 1795742086.212052 futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>\n" +
		"1 1795742086.212053 <... futex resumed> <unfinished ...>\n" +
		"1 1795742086.212054 <... futex resumed>) = 0 <0.00001>\n" +
		"1 1795742086.212055 brk(NULL <unfinished ...>\n" +
		"1 1795742086.212056 <... mmap resumed>) = 0 <0.000001>\n" +
		"1 1795742086.212057 <... brk resumed>) = 0x5 <0.0000a1>\n" +
		"1 1795742086.212058 <... brk resumed>) = 0x5\n" +
		"1 1795742086.212059 <... sched_setaffinity_xx resumed>) = 0 <0.000001>\n" +
		"1 1795742086.212060 <... mmap resumed)>) = 0x5  <0.000001>  \n" +
		"3 1795742086.212061 mprotect(0x7f0000000000, 4096, PROT_READ <unfinished ...>\n" +
		"4 1795742086.212062 clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=1, tv_nsec=0} <unfinished ...>\n" +
		"5 1795742086.212063 process_vm_readv(7, [{iov_base=0x1, iov_len=8}] <unfinished ...>\n" +
		"6 1795742086.212064 sched_setaffinity(0, 8, [0] <unfinished ...>\n" +
		"3 1795742086.212065 <... mprotect resumed>) = 0 <0.000003>\n" +
		"4 1795742086.212066 <... clock_nanosleep resumed>, NULL) = 0 <1.000072>\n" +
		"5 1795742086.212067 <... process_vm_readv resumed>, 1, [{iov_base=0x2, iov_len=8}], 1, 0) = 8 <0.000010>\n" +
		"6 1795742086.212068 <... sched_setaffinity resumed>) = 0 <0.000004>\n" +
		"3 1795742086.212069 mprotect(0x7f0000000000, 4096, PROT_READ <unfinished ...>\n" +
		"3 1795742086.212070 <... mprotecx resumed>) = 0 <0.000003>\n" +
		"4 1795742086.212071 clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=1, tv_nsec=0} <unfinished ...>\n" +
		"4 1795742086.212072 <... clock_nanosleeq resumed>, NULL) = 0 <1.000072>\n" +
		"5 1795742086.212073 process_vm_readv(7, [{iov_base=0x1, iov_len=8}] <unfinished ...>\n" +
		"5 1795742086.212074 <... process_vm_readw resumed>, 1) = 8 <0.000010>\n" +
		"6 1795742086.212075 brk(NULL <unfinished ...>\n" +
		"6 1795742086.212076 <... brk resumed>) = 0x5 <0.000004>\n" +
		"6 1795742086.212077 mmap(NULL <unfinished ...>\n" +
		"6 1795742086.212078 <... mmapx resumed>) = 0x5 <0.000004>\n" +
		"6 1795742086.212079 <... mmap resumed>) = 0x5 <0.000004>\n" +
		"7 1795742086.212080 mmap(NULL, 8192, PROT_READ <unfinished ...>\n" +
		"7 1795742086.212081 <... mmap resumed)>) = 0x5 <0.000004>\n" +
		"7 1795742086.212082 mmap(NULL, 8192, PROT_READ <unfinished ...>\n" +
		"7 1795742086.212083 <... mmap resumed>, 1) = 0x5 <0.0000041>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		quick := NewReader(bytes.NewReader(nil), "fuzz")
		slow := NewReader(bytes.NewReader(nil), "fuzz")
		slow.slowResume = true
		for n, line := range bytes.Split(data, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			qok, sok := quick.parse(line, n+1), slow.parse(line, n+1)
			if qok != sok {
				t.Fatalf("line %q: parse %v with the shortcut, %v without", line, qok, sok)
			}
			if bad := slow.cur == resErr; bad != (quick.cur == resErr) {
				t.Fatalf("line %q: error %v without the shortcut, result %v with", line, slow.Result(), quick.Result())
			}
			if !reflect.DeepEqual(*quick.rec, *slow.rec) || quick.synErr != slow.synErr {
				t.Fatalf("line %q:\nwith the shortcut    %+v %v\nwithout the shortcut %+v %v", line, *quick.rec, quick.synErr, *slow.rec, slow.synErr)
			}
			if quick.nPend != slow.nPend || quick.nCreate != slow.nCreate || quick.Unfinished() != slow.Unfinished() {
				t.Fatalf("line %q: %d pending, %d creations with the shortcut; %d, %d without", line, quick.nPend, quick.nCreate, slow.nPend, slow.nCreate)
			}
		}
	})
}

// TestStashOneCopy holds stash's one copy of a name and text that lie
// one after the other in a line to the three appends of its general path.
func TestStashOneCopy(t *testing.T) {
	line := []byte("mmap(NULL, 4096, PROT_READ <unfinished ...>")
	cases := []struct{ name, rest []byte }{
		{line[:4], line[5:]}, // one after the other: one copy
		{[]byte("mmap"), []byte("NULL, 4096, PROT_READ <unfinished ...>")}, // apart
		{line[:4], []byte(" <unfinished ...>")},                            // no text
		{line[:4], append([]byte(nil), line[5:]...)},
		{line[:4], []byte("NULL, 4096, PROT_READ <unfinished ...>  ")}, // cutUnfinished's
	}
	for _, first := range []bool{true, false} {
		for _, c := range cases {
			rd := NewReader(bytes.NewReader(nil), "t")
			rec := &Record{PID: 7, HasPID: true, Time: 5}
			if !first {
				rd.stash([]byte("a_much_longer_name_than_mmap"), append(bytes.Repeat([]byte("x"), 200), " <unfinished ...>"...), rec, 1, 0)
			}
			if !rd.stash(c.name, c.rest, rec, 2, 0) {
				t.Fatalf("stash(%q, %q) is false", c.name, c.rest)
			}
			text, _ := cutUnfinished(c.rest)
			p, _ := rd.lookupPend(7)
			want := string(c.name) + "(" + string(text)
			if string(p.buf) != want || string(p.name()) != string(c.name) || p.line != 2 {
				t.Errorf("stash(%q, %q): buf %q, name %q, line %d", c.name, c.rest, p.buf, p.name(), p.line)
			}
		}
	}
	rd := NewReader(bytes.NewReader(nil), "t")
	if rd.stash(line[:4], line[5:20], &Record{PID: 7, HasPID: true}, 1, 0) || rd.Unfinished() != 0 {
		t.Errorf("stash of a line without the mark: true, or %d unfinished", rd.Unfinished())
	}
}

// FuzzStashCut holds stash's inline reading of " <unfinished ...>" to
// cutUnfinished: it stashes what cutUnfinished cuts, and only that.
func FuzzStashCut(f *testing.F) {
	for _, s := range []string{"NULL, 4096 <unfinished ...>", "x  <unfinished ...>", "x <unfinished ...>  ", " <unfinished ...>",
		"<unfinished ...>", "x<unfinished ...>", ") = 0 <0.000012>", "", "x <unfinished ..>", "x <unfinished ...>>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rest []byte) {
		rd := NewReader(bytes.NewReader(nil), "fuzz")
		want, ok := cutUnfinished(rest)
		line := append([]byte("brk("), rest...)
		if got := rd.stash(line[:3], line[4:], &Record{PID: 1, HasPID: true}, 1, 0); got != ok {
			t.Fatalf("stash(%q) = %v, cutUnfinished %v", rest, got, ok)
		}
		if p, _ := rd.lookupPend(1); ok && string(p.buf) != "brk("+string(want) {
			t.Fatalf("stash(%q) holds %q, cutUnfinished cuts %q", rest, p.buf, want)
		}
	})
}

// TestResumedTailErrors checks the joined split calls whose resumed half
// is malformed: the pipeline reports them as the Reader does line by line,
// at the first half's line, in order among the other malformed lines, and
// the rows around them are the same.
func TestResumedTailErrors(t *testing.T) {
	log := "1 1795742086.212042 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n" +
		"1 1795742086.212050 <... mmap resumed>) = 0x7f0000000000 <0.000008>\n" +
		"1 1795742086.212051 munmap(0x7f0000000000, 8192 <unfinished ...>\n" +
		"bad line\n" +
		"1 1795742086.212052 <... munmap resumed>) = zero <0.000008>\n" +
		"1 1795742086.212053 brk(NULL <unfinished ...>\n" +
		"1 1795742086.212054 <... brk resumed> <0.000008>\n" +
		"another bad line\n" +
		"1 1795742086.212055 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n" +
		"1 1795742086.212056 <... mmap resumed>)) = 0x7f0000001000 <0.000008>\n" +
		"1 1795742086.212057 exit_group(0) = ?\n" +
		"1 1795742086.212058 +++ exited with 0 +++\n"
	for _, block := range []int{0, 64} {
		convertBoth(t, Options{}, 4096, block, bytesLog([]byte(log)))
	}
	var bad []string
	c := NewConverter(Options{}, func(*trace.Event) error { return nil })
	if err := RunPipelined(NewReader(strings.NewReader(log), "log"), c, func(e *SyntaxError) error {
		bad = append(bad, e.Error())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"log:4:", "log:3: cannot read the return value", "log:6: expected \") = RETURN\"", "log:8:"}
	if len(bad) != len(want) {
		t.Fatalf("malformed lines %q, want %d", bad, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(bad[i], want[i]) {
			t.Errorf("malformed line %d: %q, want %q...", i, bad[i], want[i])
		}
	}
}

// FuzzQuickRet holds quickRet to retBoundary and parseRet: whenever it
// reads an end, they find the same ")" and the same value in it.
func FuzzQuickRet(f *testing.F) {
	for _, s := range []string{"NULL, 4096) = 0x7f0000000000", "17083, 17083, SIGURG) = 0", "x) = 17131", ") = 0x", "a) =  0x5",
		"a)  = 5", "a) = -1", "a) = 0X5", "a) = 0x12345678123456789", "a) = 123456789012345678901234", "a) = 5 ", "a) = 5a",
		"a) = ab", "a <unfinished ...>) = 0", "a) = ?", "a) = -1 ENOENT (No such file or directory)", "a) = 0x5 (flags 0x1)",
		"\") = 3\") = 4", ") = 5", " = 5", "= 0x1", "a)= 0x1", "a) = 4450<prog>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		var quick, slow Record
		p, ok := quickRet(s, &quick)
		if !ok {
			if !reflect.DeepEqual(quick, Record{}) {
				t.Fatalf("quickRet(%q) turned it away, but set %+v", s, quick)
			}
			return
		}
		sp, q := retBoundary(s)
		if sp != p || sp < 0 || !parseRet(s[q:], &slow) {
			t.Fatalf("quickRet(%q) = %d; retBoundary %d, %d", s, p, sp, q)
		}
		if !reflect.DeepEqual(quick, slow) {
			t.Fatalf("quickRet(%q) read %+v, parseRet %+v", s, quick, slow)
		}
	})
}

// FuzzHex12 holds hex12, which reads ") = 0x" and twelve hex digits two
// words at a time, to the general retBoundary and parseRet: where it
// reads an end, they read the same; and an end of twelve lowercase hex
// digits after ") = 0x" it reads.
func FuzzHex12(f *testing.F) {
	for _, s := range []string{"NULL, 4096) = 0x7f0000000000", "a) = 0x7fade176f000", "a) = 0x55686494b000", "a) = 0xffffffffffff",
		"a) = 0x000000000000", "a) = 0x7fAde176f000", "a) = 0x7fgde176f000", "a) = 0x7f`de176f000", "a) = 0x7f/de176f000",
		"a) = 0x7f:de176f000", ") = 0x7fade176f000", "a) = 0x7fade176f00", "a) = 0x7fade176f0000", "a) = 0X7fade176f000",
		"a)  = 0x7fade176f000", "a) = 0x7fade176f00\xff", "a) = 0x7fade176f0o0"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		v, p := hex12(s)
		sp, q := retBoundary(s)
		var slow Record
		if p < 0 {
			n := len(s)
			if n >= 18 && string(s[n-18:n-12]) == ") = 0x" && sp == n-18 && parseRet(s[q:], &slow) && slow.Ret == RetValue &&
				bytes.IndexFunc(s[n-12:], func(r rune) bool { return !strings.ContainsRune("0123456789abcdef", r) }) < 0 {
				t.Fatalf("hex12(%q) turned away an end parseRet reads as %#x", s, slow.RetVal)
			}
			return
		}
		if sp != p || !parseRet(s[q:], &slow) || slow.Ret != RetValue || slow.RetVal != int64(v) {
			t.Fatalf("hex12(%q) = %#x, %d; retBoundary %d, %d, parseRet %+v", s, v, p, sp, q, slow)
		}
	})
}

// FuzzQuickCall holds quickCall to the rest of parse and call: the text
// of a call after "NAME(" lexed with and without it gives the same
// records, errors and pending halves.
func FuzzQuickCall(f *testing.F) {
	for _, s := range []string{"NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f0000000000 <0.000008>", "1, 2) = 0 <0.000145>",
		"1) = 0", "1) = 0x5", "1) = 0x5 <0.00001>", "1) = 0x5 <0.0000012>", "1) = 0x5 <a.000001>", "1) = 0x5 <0.000001> ",
		"1) = 0x5  <0.000001>", "1) = 0x5<0.000001>", ") = 0x5 <0.000001>", "1) = -1 ENOENT (No such file) <0.000001>",
		"1) = ? <0.000001>", "1) = 4450<prog> <0.000001>", "1 <unfinished ...>) = 0 <0.000001>", "1 <unfinished ...>",
		"1 <detached ...>", "1) = 0x12345678123456789 <0.000001>", "1) = 123456789012345678901 <0.000001>", "1) = 5a <0.000001>",
		"1)  = 5 <0.000001>", "\") = 3\") = 4 <1.000000>", "<0.000001>", "1) = 0X5 <0.000001>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, tail []byte) {
		if bytes.IndexByte(tail, '\n') >= 0 {
			return
		}
		quick := NewReader(bytes.NewReader(nil), "fuzz")
		slow := NewReader(bytes.NewReader(nil), "fuzz")
		slow.noQuick = true
		for n, line := range [][]byte{append([]byte("7 1795742086.212042 mmap("), tail...), append([]byte("7 1795742086.212043 <... mmap resumed>"), tail...)} {
			quick.form, slow.form = TimeUnix, TimeUnix
			qok, sok := quick.parse(line, n+1), slow.parse(line, n+1)
			if qok != sok {
				t.Fatalf("line %q: parse %v with quickCall, %v without", line, qok, sok)
			}
			if bad := slow.cur == resErr; bad != (quick.cur == resErr) {
				t.Fatalf("line %q: error %v without quickCall, result %v with", line, slow.Result(), quick.Result())
			}
			if !reflect.DeepEqual(*quick.rec, *slow.rec) || quick.synErr != slow.synErr {
				t.Fatalf("line %q:\nwith quickCall    %+v %v\nwithout quickCall %+v %v", line, *quick.rec, quick.synErr, *slow.rec, slow.synErr)
			}
			if quick.nPend != slow.nPend || quick.nCreate != slow.nCreate {
				t.Fatalf("line %q: %d pending, %d creations with quickCall; %d, %d without", line, quick.nPend, quick.nCreate, slow.nPend, slow.nCreate)
			}
		}
	})
}

// FuzzQuickEnd holds quickEnd to cutDuration, retBoundary and parseRet: whenever it
// reads an end, they cut the same duration and find the same ")" and
// value, and the text is not one mayBeUnfinished lets through.
func FuzzQuickEnd(f *testing.F) {
	for _, s := range []string{"NULL, 4096) = 0x7f0000000000 <0.000008>", ") = 0 <0.000145>", ") = 0", ") = 0x5", "x) = 0x5 <0.0000012>",
		") = 0x5 <a.000001>", ") = 0x5 <0.000001> ", ") = 0x5  <0.000001>", ") = 0x5<0.000001>", ") = -1 ENOENT (No such file) <0.000001>",
		") = ? <0.000001>", ") = 4450<prog> <0.000001>", "1 <unfinished ...>) = 0 <0.000001>", " <unfinished ...>", ") = 0X5 <0.000001>",
		") = 0x12345678123456789 <0.000001>", ") = 123456789012345678901 <0.000001>", ") = 5a <0.000001>", ")  = 5", "= 5", "x) = 0x",
		"x)   = 0x5 <0.000001>", "x)  = 17", "x) = ?", "x)    = ?", "x) = -1 EFAULT (Bad address) <0.000019>",
		"x) = -1 ENOENT (No such file or directory)", "x) = -1 E2BIG (Argument list too long)", "x) = -1 ERESTART_RESTARTBLOCK (Interrupted)",
		"x) = -1 EPERM (a = b)", "x) = -1 EPERM (a (b))", "x) = -1 EPERM  (x)", "x) = -1  EPERM (x)", "x) = -12 EPERM (x)", "x) = -1 eperm (x)",
		"x) = 1 EPERM (x)", "x) = -1 EPERM(x)", "x) = -1 (x)", "x) = ? <unavailable>", "x) = ? ERESTARTSYS (To be restarted)"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		var quick, slow Record
		args, dur, ok := quickEnd(s, &quick)
		if !ok {
			if !reflect.DeepEqual(quick, Record{}) {
				t.Fatalf("quickEnd(%q) turned it away, but set %+v", s, quick)
			}
			return
		}
		rest, d := cutDuration(s)
		p, q := retBoundary(rest)
		rok := p >= 0 && parseRet(rest[q:], &slow)
		if d != dur || !rok || !bytes.Equal(rest[:p], args) || !reflect.DeepEqual(quick, slow) || mayBeUnfinished(rest) {
			t.Fatalf("quickEnd(%q) = %q, %d, %+v; cutDuration %q, %d, retBoundary %d, parseRet %v %+v", s, args, dur, quick, rest, d, p, rok, slow)
		}
	})
}

// TestNameSlots holds the names seen before (Reader.names) to the scan of
// a name: lines of names that share their first bytes, or differ from a
// known name in a byte past its '(', or are too long or too short to be
// kept, give the same records with and without them; and a name seen
// once is found again.
func TestNameSlots(t *testing.T) {
	var log []string
	for _, call := range []string{"mmap(NULL, 4096) = 0x7f0000000000", "mmap2(NULL, 4096) = 0x7f0000000000",
		"mmapx(NULL, 4096) = 0x7f0000000000", "mmap(0x1, 4096) = 0x7f0000000000", "mma(NULL, 4096) = 0x7f0000000000",
		"mmap (NULL, 4096) = 0x7f0000000000", "mm.p(NULL, 4096) = 0x7f0000000000", "sched_setaffinity(0, 8, [0]) = 0",
		"clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=1, tv_nsec=0}, NULL) = 0", "io(1, 2, 3, 4, 5, 6, 7) = 0",
		"clone(child_stack=NULL, flags=CLONE_VM) = 5", "clone3({flags=CLONE_VM, exit_signal=SIGCHLD}, 88) = 6",
		"brk(NULL) = 0x5", "brk(NULL)     = 0x55555555", "x(1)"} {
		log = append(log, call, call)
	}
	quick := NewReader(bytes.NewReader(nil), "t")
	slow := NewReader(bytes.NewReader(nil), "t")
	slow.noQuick = true
	for n, call := range log {
		line := []byte("7 1795742086.212042 " + call)
		quick.form, slow.form = TimeUnix, TimeUnix
		quick.parse(line, n+1)
		slow.parse(line, n+1)
		if quick.cur != slow.cur || !reflect.DeepEqual(*quick.rec, *slow.rec) || quick.synErr != slow.synErr {
			t.Fatalf("line %q:\nwith names    %+v %v\nwithout names %+v %v", line, *quick.rec, quick.synErr, *slow.rec, slow.synErr)
		}
	}
	body := []byte("mmap(NULL, 4096) = 0x7f0000000000")
	if e := quick.names[nameHash(binary.LittleEndian.Uint64(body))]; e.n != 4 || e.sys != sysMmap {
		t.Errorf("mmap's slot holds %+v", e)
	}
}

// FuzzDigitWords holds leadingDigits and notDigits, which test eight
// bytes at once, to a test of one byte at a time.
func FuzzDigitWords(f *testing.F) {
	f.Add(uint64(0x3938373635343332))
	f.Add(uint64(0x3a2f393020203130))
	f.Add(uint64(0x39ff303030303030))
	f.Add(uint64(0x308a393939393939))
	f.Add(uint64(0))
	f.Fuzz(func(t *testing.T, x uint64) {
		want := 0
		for want < 8 && byte(x>>(8*want))-'0' <= 9 {
			want++
		}
		if got := leadingDigits(x); got != want {
			t.Fatalf("leadingDigits(%#016x) = %d, want %d", x, got, want)
		}
		if nd := notDigits(x ^ 0x3030303030303030); (nd == 0) != (want == 8) {
			t.Fatalf("notDigits(%#016x ^ '0's) = %#x with %d leading digits", x, nd, want)
		}
	})
}

// FuzzQuickSignal holds signalLine's usual case to its general code:
// lexed with and without it, a line gives the same record or error.
func FuzzQuickSignal(f *testing.F) {
	for _, s := range []string{
		"--- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=7, si_uid=0} ---",
		"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=8, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---",
		"--- stopped by SIGSTOP ---", "--- SIG{X {a} ---", "--- SIGSEGV {} ---", "--- SIGINT {a}} ---",
		"--- 33 {si_signo=SIGRT_1} ---", "--- SIGURG {x} ---  ", "--- SIGURG{} ---", "--- S {} ---",
	} {
		f.Add([]byte("7 1795742086.212042 " + s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if len(line) == 0 || bytes.IndexByte(line, '\n') >= 0 {
			return
		}
		quick := NewReader(bytes.NewReader(nil), "fuzz")
		slow := NewReader(bytes.NewReader(nil), "fuzz")
		slow.noQuick = true
		quick.form, slow.form = TimeUnix, TimeUnix
		qok, sok := quick.parse(line, 1), slow.parse(line, 1)
		if qok != sok || (quick.cur == resErr) != (slow.cur == resErr) {
			t.Fatalf("line %q: parse %v (error %v) quick, %v (error %v) not", line, qok, quick.cur == resErr, sok, slow.cur == resErr)
		}
		if !reflect.DeepEqual(*quick.rec, *slow.rec) || quick.synErr != slow.synErr {
			t.Fatalf("line %q:\nquick %+v %v\nslow  %+v %v", line, *quick.rec, quick.synErr, *slow.rec, slow.synErr)
		}
	})
}
