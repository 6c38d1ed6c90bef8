package strace

import (
	"bytes"
	"slices"
	"testing"

	"github.com/forkcost/forkcost/internal/fuzzbound"
	"github.com/forkcost/forkcost/trace"
)

// FuzzParse feeds arbitrary logs through the reader and the converter: they
// must never panic, and every row must keep the schema's invariants. The
// seed corpus is the real samples in testdata.
func FuzzParse(f *testing.F) {
	addLogSeeds(f, 3, 60, true, "*.txt", "ff/*")
	fuzzbound.Setup(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzbound.Run(t, func(t *testing.T) {
			var evs []trace.Event
			c := NewConverter(Options{MaxHeld: 64}, func(ev *trace.Event) error {
				evs = append(evs, *ev)
				return nil
			})
			rd := NewReader(bytes.NewReader(data), "fuzz")
			rd.MaxLine = 4096
			if err := Run(rd, c, nil); err != nil {
				t.Fatal(err)
			}
			if err := checkRowInvariants(evs); err != nil {
				t.Fatalf("%v\ninput:\n%s", err, data)
			}
			if c.Held() != 0 {
				t.Fatalf("%d rows still held after Finish", c.Held())
			}
			// The pipelined conversion gives the same rows, with read-ahead
			// blocks of the usual size and with blocks so small that lines
			// cross them and runs of lines without records fill them.
			for _, block := range []int{0, 64} {
				convertBoth(t, Options{MaxHeld: 64}, 4096, block, bytesLog(data))
			}
		})
	})
}

// checkRowInvariants is checkInvariants without the ordering rule, which
// arbitrary input (pids reused at random) cannot be held to.
func checkRowInvariants(evs []trace.Event) error {
	for i := range evs {
		if err := checkInvariants(evs[i : i+1]); err != nil {
			return err
		}
	}
	return nil
}

// FuzzQuickArgv checks that quickArgv, where it reads an argv, reads what
// the general argvElems reads.
func FuzzQuickArgv(f *testing.F) {
	for _, s := range []string{`"gcc", "-c", "x.c"`, `"a"..., "b"`, `"a", `, `"a",`, `""`, ``, ` "a" , "b" `, `"a\"b", "c"`,
		`"a", ...`, `"a" ..., "b"`, "\t\"a\"", `"a", "b"...`, `"x,y", "z"`,
		// Elements with escapes among those without (walkArgv's search
		// for the next backslash).
		`"a", "-DV=\"2\"", "b", "c\\", "d"`, `"\"x\""`, `"a\\", "\"", "b"`, `"a", "b\n"..., "c"`, `"a\", "b"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, ok := quickArgv(in, nil)
		if !ok {
			return
		}
		want, wok := argvElems(in, nil)
		if !wok || !slices.Equal(got, want) {
			t.Fatalf("quickArgv(%q) = %q; argvElems: %q, %v", in, got, want, wok)
		}
	})
}

// FuzzQuickExec checks that quickExec, where it reads an execve, reads
// what the general execArgs reads, the last argvs remembered included:
// two execs are decoded in turn by each.
func FuzzQuickExec(f *testing.F) {
	for _, s := range []string{`"/usr/bin/gcc", ["gcc", "-c", "x.c"], 0x7ffe /* 38 vars */`, `"/bin/sh"..., ["sh"], 0x1`,
		`"/bin/true", []`, `"", [""]`, `"/bin/x", ["a"]`, `"/bin/x", ["a", "b"...], ["E=1"]`, `"/bin/x", ["a"] , 0`,
		`"/bin/x",  ["a"]`, `"a\"b", ["c"]`, `"/bin/x", ["a", ...]`, `filename="/bin/x", argv=["x"]`,
		`"/bin/sh", ["sh", "-c", "gcc -DV='\"2\"' x.c"], 0x1`, `"/bin/x", ["\"a\"", "b"], 0`, `"/bin/x", ["a\\"], 0`} {
		f.Add([]byte(s), []byte(`"/usr/local/bin/gcc", ["gcc", "-c", "x.c"], 0x7ffe /* 38 vars */`))
		f.Add([]byte(`"/usr/local/bin/x", ["a"], 0`), []byte(s))
	}
	f.Fuzz(func(t *testing.T, first, second []byte) {
		qd, gd := newArgDecoder(), newArgDecoder()
		for _, args := range [][]byte{first, second} {
			rec := &Record{Kind: KindCall, Name: []byte("execve"), Args: args}
			wfile, wargv := execArgs(rec, gd)
			file, argv, ok := quickExec(args, qd)
			if !ok {
				// What execArgs remembered, quickExec must too.
				_, argv = execArgs(rec, qd)
				file = wfile
			}
			if file != wfile || !slices.Equal(argv, wargv) || (argv == nil) != (wargv == nil) {
				t.Fatalf("quickExec(%q) = %q, %q; execArgs: %q, %q", args, file, argv, wfile, wargv)
			}
		}
	})
}

// FuzzQuickMem checks that quickMem, where it reads a memory call, reads
// what the general memArgsDecoded reads, without its memo of mmaps and
// with it, whether the text is new to the memo or found in it.
func FuzzQuickMem(f *testing.F) {
	for _, s := range []string{"NULL, 262144, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0",
		"0x7f44754c8000, 8192, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x1000", "0x7f44754c8000, 8192",
		"0x7f44754c8000, 4096, PROT_NONE", "0x7f4, 0, PROT_READ, 0", "NULL,  8192, PROT_READ, MAP_SHARED, 3, 0",
		"addr=NULL, length=8192, prot=PROT_READ, flags=MAP_SHARED, fd=3, offset=0", "0x7f4, 010, PROT_READ",
		"0X7F4, 10", "NULL, 8192 , PROT_READ, MAP_SHARED, 3, 0", "0x7f4<x>, 10", "NULL, 99999999999999999999, P, M, 0",
		"NULL", "0x55d1c000", "0x7f4, 4096, 8192, MREMAP_MAYMOVE", "0x7f4, 4096, 8192", "0x7f4, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f8",
		// Flag sets memFlags reads, and sets it must leave to parseBits.
		"NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0", "0x7f4, 4096, PROT_READ|PROT_WRITE",
		"NULL, 8192, PROT_READ|PROT_EXEC, MAP_SHARED_VALIDATE, 3, 0", "NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANON, -1, 0",
		"NULL, 8192, MAP_PRIVATE, PROT_READ|PROT_WRITE, -1, 0", "0x7f4, 4096, PROT_READ|", "0x7f4, 4096, PROT_READ|PROT_GROWSDOWN",
		"NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_FIXED_NOREPLACE, 3, 0", "NULL, 8192, PROT_READ, MAP_PRIVATE", "0x7f4, 4096, PROT_NONE ",
		"NULL, 8192, PROT_READ /* 1 */, MAP_PRIVATE, 3, 0", "0x7f4<x>, 8192, PROT_READ, MAP_PRIVATE, 3, 0", "NULL,8192",
		"0x7f4, 4096, PROT_READ\x00PROT_WRITE", "0x7f4, 4096, PROT_EXEC,", "NULL, 8192, PROT_WRITE, MAP_NORESERVE|MAP_POPULATE, -1, 0"} {
		for _, name := range []string{"mmap", "munmap", "mprotect", "pkey_mprotect", "mmap2", "mremap", "brk"} {
			f.Add(name, []byte(s), int64(0))
		}
	}
	f.Add("mmap", []byte("NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0"), int64(-12))
	f.Fuzz(func(t *testing.T, name string, args []byte, ret int64) {
		rec := &Record{Kind: KindCall, Name: []byte(name), Args: args, Ret: RetValue, RetVal: ret}
		var got memCall
		if !quickMem(&got, rec, nil) {
			return
		}
		want := memArgsDecoded(rec, newArgDecoder())
		if got != want {
			t.Fatalf("quickMem(%s(%q) = %d) = %+v; memArgsDecoded: %+v", name, args, ret, got, want)
		}
		// A memo that holds other texts already, some in the text's slot.
		memo := new(mmapMemo)
		for _, other := range memoFill {
			var m memCall
			quickMem(&m, &Record{Kind: KindCall, Name: []byte("mmap"), Args: []byte(other), Ret: RetValue, RetVal: 0x1000}, memo)
		}
		// And in the text's own slot, a text that differs in its last byte.
		if i := bytes.IndexByte(args, ','); i >= 0 {
			if e := memo.slot(args[i:]); e != nil {
				e.n = uint8(copy(e.key[:], args[i:]))
				e.key[e.n-1]++
				e.length, e.prot, e.flags = 1, 7, 7
			}
		}
		for _, when := range []string{"new", "remembered"} {
			got = memCall{}
			if !quickMem(&got, rec, memo) || got != want {
				t.Fatalf("quickMem(%s(%q) = %d), text %s to the memo, = %+v; memArgsDecoded: %+v", name, args, ret, when, got, want)
			}
		}
	})
}

// memoFill is what FuzzQuickMem fills the memo of mmaps with first.
var memoFill = []string{"NULL, 262144, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0",
	"0x7f44754c8000, 8192, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x1000",
	"NULL, 8192, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_DENYWRITE, 3, 0"}

// FuzzQuickCloneFlags checks that cloneFlags, which reads a flag set it
// read last without field (cloneFlagsAt), reads what the general
// cloneFlagsField reads.
func FuzzQuickCloneFlags(f *testing.F) {
	for _, s := range []string{
		"child_stack=0x2a5a6fd28000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS, tls=0x2a5a6fd3c090",
		"child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f549e6d7a10",
		"child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD",
		"{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7fade1513000, stack_size=0x9000}, 88",
		"{flags=CLONE_VM|CLONE_VFORK}, 88", "{flags=CLONE_VM|CLONE_VFORK", "{flags=CLONE_VM , x=1}",
		"child_stack=NULL, flags=CLONE_VM , tls=1", "child_stack=NULL, flags=CLONE_VM|FOO, tls=1",
		"child_stack=NULL, flags=CLONE_VM(x, y)", "child_stack=(1, 2), flags=CLONE_VM", "child_stack=NULL, flags=",
		"child_stack=NULL, flags=0x1200000 /* CLONE_CHILD_SETTID */|SIGCHLD, x=1", "child_stack=NULL,flags=CLONE_VM",
	} {
		for _, name := range []string{"clone", "clone3"} {
			f.Add(name, []byte(s), []byte(s))
			f.Add(name, []byte(s), []byte(s+", x"))
			f.Add(name, []byte("child_stack=NULL, flags=A, x\n{flags=B, y}\n"+s), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, name string, prime, args []byte) {
		c := NewConverter(Options{}, func(*trace.Event) error { return nil })
		for _, p := range bytes.Split(prime, []byte("\n")) { // the flag sets it remembers
			c.cloneFlags(&Record{Kind: KindCall, Name: []byte(name), Args: p})
		}
		rec := &Record{Kind: KindCall, Name: []byte(name), Args: args}
		got, gok := c.cloneFlags(rec)
		fresh := NewConverter(Options{}, func(*trace.Event) error { return nil })
		_, want, wok := fresh.cloneFlagsField(rec)
		if got != want || gok != wok {
			t.Fatalf("cloneFlags(%s(%q)) after %q = %#x, %v; cloneFlagsField: %#x, %v", name, args, prime, got, gok, want, wok)
		}
	})
}

// FuzzSigchldPID checks that sigchldPID reads what parseNum reads of
// field's si_pid.
func FuzzSigchldPID(f *testing.F) {
	for _, s := range []string{
		"si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=17023, si_uid=0, si_status=0, si_utime=0, si_stime=2 /* 0.02 s */",
		"si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=24800, si_uid=0, si_status=SIGKILL, si_utime=0, si_stime=0",
		"si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=017, si_uid=0", "si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=0",
		"si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=12345678901, si_uid=0", "si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=12 , x",
		"si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=12<x>, si_uid=0", "si_signo=SIGCHLD, si_code=(CLD, si_pid=1), si_pid=2",
		"si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=", "si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=99",
		"si_signo=SIGURG, si_code=SI_TKILL, si_pid=16894, si_uid=0", "si_pid=5, si_signo=SIGCHLD",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, info []byte) {
		got, gok := sigchldPID(info)
		var want uint64
		v, wok := field(info, "si_pid")
		if wok {
			want, wok = parseNum(v)
		}
		if got != want || gok != wok {
			t.Fatalf("sigchldPID(%q) = %d, %v; field and parseNum: %d, %v", info, got, gok, want, wok)
		}
	})
}
