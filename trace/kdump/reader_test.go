package kdump

import (
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace/bsd"
)

// One header line of each shape, as each OS's dumpheader prints it.
func TestHeaderShapes(t *testing.T) {
	cases := []struct {
		name, line string
		pid, tid   int32
		hasTID     bool
		comm       string
		typ        bsd.Type
		time       int64 // raw first time column, ns
		ntimes     int
	}{
		{"freebsd", "   755 ktrace   RET   ktrace 0", 755, 0, false, "ktrace", bsd.Ret, 0, 0},
		{"freebsd -H", "   755 100123 uul      CALL  exit(0x45)", 755, 100123, true, "uul", bsd.Call, 0, 0},
		{"freebsd -A", "F64     755 uul      CALL  exit(0x45)", 755, 0, false, "uul", bsd.Call, 0, 0},
		{"freebsd -T", "   755 uul      1700000000.123456 CALL  exit(0x45)", 755, 0, false, "uul", bsd.Call, 1700000000123456000, 1},
		{"freebsd -T -E -R", "   755 uul      1700000000.123456 0.000100 0.000010 CALL  exit(0)", 755, 0, false, "uul", bsd.Call, 1700000000123456000, 3},
		{"openbsd", " 84686 ktrace   NAMI  \"/tmp/UUL\"", 84686, 0, false, "ktrace", bsd.Nami, 0, 0},
		{"openbsd -H", " 84686/100234  UUL      RET   execve 0", 84686, 100234, true, "UUL", bsd.Ret, 0, 0},
		{"openbsd uppercase comm", " 84686 UUL      CALL  exit(69)", 84686, 0, false, "UUL", bsd.Call, 0, 0},
		{"netbsd 8", "   147      1 ktrace   EMUL  \"netbsd\"", 147, 1, true, "ktrace", bsd.Emul, 0, 0},
		{"netbsd 10 -T", "  2642   2642 tiny-exe 1700000000.123456789 RET   mmap 278507956072448/0xfd4d2fc9f000", 2642, 2642, true, "tiny-exe", bsd.Ret, 1700000000123456789, 1},
		{"netbsd numeric comm", "   147      1 123      CALL  fork", 147, 1, true, "123", bsd.Call, 0, 0},
		{"dragonfly", "  877:1    ktrace   RET   ktrace 0", 877, 1, true, "ktrace", bsd.Ret, 0, 0},
		{"comm with space", "   755 my prog  CALL  fork", 755, 0, false, "my prog", bsd.Call, 0, 0},
		{"long comm", "   755 averyveryverylongname CALL  fork()", 755, 0, false, "averyveryverylongname", bsd.Call, 0, 0},
		{"unknown type", "   755 uul      ZZZZ  something", 755, 0, false, "uul", bsd.Other, 0, 0},
		{"UNKNOWN(n)", "   755 uul      UNKNOWN(99)  ", 755, 0, false, "uul", bsd.Other, 0, 0},
	}
	for _, c := range cases {
		var h header
		if !parseHeader([]byte(c.line), &h) {
			t.Errorf("%s: %q does not parse", c.name, c.line)
			continue
		}
		if h.pid != c.pid || h.tid != c.tid || h.hasTID != c.hasTID || string(h.comm) != c.comm || h.ntimes != c.ntimes || c.ntimes > 0 && h.times[0] != c.time {
			t.Errorf("%s: got pid %d tid %d/%v comm %q times %d %v", c.name, h.pid, h.tid, h.hasTID, h.comm, h.ntimes, h.times)
		}
		recs, errs, err := ReadAll(strings.NewReader(c.line+"\n"), "x")
		if err != nil || len(errs) != 0 || len(recs) != 1 {
			t.Errorf("%s: records %v errors %v %v", c.name, recs, errs, err)
			continue
		}
		if recs[0].Type != c.typ {
			t.Errorf("%s: type %s, want %s", c.name, recs[0].Type, c.typ)
		}
	}
}

func TestRetForms(t *testing.T) {
	cases := []struct {
		payload string
		ret     bsd.RetKind
		val     int64
		errno   int32
	}{
		{"fork 1235/0x4d3", bsd.RetValue, 1235, 0},
		{"fork 0x4d3", bsd.RetValue, 1235, 0},
		{"fork 1235", bsd.RetValue, 1235, 0},
		{"fork 0", bsd.RetValue, 0, 0},
		{"fork 0, 1", bsd.RetValue, 0, 0},
		{"pipe 3, 4", bsd.RetValue, 3, 0},
		{"mmap 278507956072448/0xfd4d2fc9f000", bsd.RetValue, 278507956072448, 0},
		{"execve -1 errno 2 No such file or directory", bsd.RetError, 0, 2},
		{"execve -1 errno 2", bsd.RetError, 0, 2},
		{"execve JUSTRETURN", bsd.RetJustReturn, 0, 0},
		{"read RESTART", bsd.RetRestart, 0, 0},
		{"lseek -1/0xffffffffffffffff", bsd.RetValue, -1, 0},
	}
	for _, c := range cases {
		recs, errs, _ := ReadAll(strings.NewReader("   755 uul      RET   "+c.payload+"\n"), "x")
		if len(errs) != 0 || len(recs) != 1 {
			t.Errorf("%q: %v %v", c.payload, recs, errs)
			continue
		}
		r := recs[0]
		if r.Ret != c.ret || r.RetVal != c.val || r.Errno != c.errno {
			t.Errorf("%q: got %v %d errno %d", c.payload, r.Ret, r.RetVal, r.Errno)
		}
	}
}

// A malformed line is a SyntaxError naming the file and line; the Reader
// goes on with the next line.
func TestSyntaxErrorFileLine(t *testing.T) {
	text := "   755 uul      CALL  fork\n" +
		"garbage that is not kdump\n" +
		"   755 uul      RET   fork what\n" +
		"   755 uul      RET   fork 756/0x2f4\n"
	recs, errs, err := ReadAll(strings.NewReader(text), "build.kdump")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(errs) != 2 {
		t.Fatalf("records %d errors %d: %v", len(recs), len(errs), errs)
	}
	if errs[0].File != "build.kdump" || errs[0].Line != 2 || errs[1].Line != 3 {
		t.Errorf("errors %+v", errs)
	}
	if !strings.HasPrefix(errs[0].Error(), "build.kdump:2: ") {
		t.Errorf("message %q", errs[0].Error())
	}
	if recs[1].Line != 4 {
		t.Errorf("record line %d", recs[1].Line)
	}
}

// Continuation lines belong to the record before them: GIO data is
// skipped, OpenBSD ARGS items become ArgItem records.
func TestContinuations(t *testing.T) {
	text := " 84686 ktrace   ARGS  \n" +
		"\t[0] = \"/bin/sh\"\n" +
		"\t[1] = \"-c\"\n" +
		"\t[2] = \"echo \\\"hi\\\"\"\n" +
		" 84686 sh       GIO   fd 1 wrote 3 bytes\n" +
		"       \"hi\n" +
		"       \"\n" +
		" 84686 sh       ENV   \n" +
		"\t[0] = \"PATH=/bin\"\n"
	rd := NewReader(strings.NewReader(text), "x")
	recs, errs, _ := bsd.Collect(rd)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var args []string
	for _, r := range recs {
		if r.Type == bsd.ArgItem {
			if r.PID != 84686 {
				t.Errorf("arg item pid %d", r.PID)
			}
			args = append(args, string(r.Text))
		}
	}
	if strings.Join(args, "|") != `/bin/sh|-c|echo "hi"` {
		t.Errorf("args %q", args)
	}
	if rd.Continuations != 6 {
		t.Errorf("continuations %d", rd.Continuations)
	}
}

// Time form and OS of every fixture, decided from its first lines.
func TestGuess(t *testing.T) {
	cases := map[string][2]string{
		"netbsd_T.txt":              {"absolute", "netbsd"},
		"netbsd_R.txt":              {"relative", "netbsd"},
		"netbsd_none.txt":           {"none", "netbsd"},
		"freebsd_none.txt":          {"none", "freebsd"},
		"freebsd_H_E.txt":           {"elapsed", "freebsd"},
		"freebsd_A_T.txt":           {"absolute", "freebsd"},
		"openbsd_none.txt":          {"none", "openbsd"},
		"openbsd_H_R.txt":           {"relative", "openbsd"},
		"dragonfly_T.txt":           {"absolute", "dragonfly"},
		"netbsd_E.txt":              {"elapsed", "netbsd"},
		"netbsd_n_T.txt":            {"absolute", "netbsd"},
		"netbsd8_lwp1_E.txt":        {"elapsed", "netbsd"},
		"freebsd_R.txt":             {"relative", "freebsd"},
		"freebsd_H_T.txt":           {"absolute", "freebsd"},
		"freebsd_n.txt":             {"none", "freebsd"},
		"openbsd_T.txt":             {"absolute", "openbsd"},
		"openbsd_H_E.txt":           {"elapsed", "openbsd"},
		"dragonfly_none.txt":        {"none", "dragonfly"},
		"dragonfly_R.txt":           {"relative", "dragonfly"},
		"pub_freebsd12_uul.txt":     {"none", "freebsd"},
		"pub_openbsd67_uul.txt":     {"none", "openbsd"},
		"pub_netbsd81_uul.txt":      {"none", "netbsd"},
		"pub_netbsd101_aarch64.txt": {"none", "netbsd"},
		"pub_dragonfly56_uul.txt":   {"none", "dragonfly"},
	}
	for name, want := range cases {
		_, _, rd, _ := convert(t, name, bsd.Options{})
		if rd.TimeForm().String() != want[0] || rd.OS() != want[1] {
			t.Errorf("%s: form %s os %s, want %v", name, rd.TimeForm(), rd.OS(), want)
		}
	}
}

// NetBSD's ARG record: all the arguments in one vis(3) string, NULs as \0,
// folded at the screen width with a backslash and a tab.
func TestNetBSDArg(t *testing.T) {
	log := "  1001   1001 sh       CALL  execve(0x7f7fffffe8a0,0x7f7fffffe6c0,0x7f7fffffe6d8)\n" +
		"  1001   1001 sh       NAMI  \"/usr/bin/cc\"\n" +
		"  1001   1001 sh       ARG   \"cc\\0-c\\0-o\\0obj/very/long/path/name.o\\0-DX=\\\"q\\\"\\0../../src/\\\n" +
		"\tlib/libc/stdio/printf.c\\0\"\n" +
		"  1001   1001 cc       EMUL  \"netbsd\"\n" +
		"  1001   1001 cc       RET   execve JUSTRETURN\n"
	evs, _, _, errs := convertText(t, log, bsd.Options{})
	if len(errs) != 0 || len(evs) != 1 {
		t.Fatalf("%v\n%s", errs, lines(evs))
	}
	want := []string{"cc", "-c", "-o", "obj/very/long/path/name.o", `-DX="q"`, "../../src/lib/libc/stdio/printf.c"}
	if strings.Join(evs[0].Argv, "|") != strings.Join(want, "|") {
		t.Errorf("argv %q", evs[0].Argv)
	}
}
