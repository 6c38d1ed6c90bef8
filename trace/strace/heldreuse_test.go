package strace

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/textconv"
)

// TestHeldEventReuse converts the committed logs with and without the
// reuse of held rows' events (Converter.freeEvs): the same rows.
func TestHeldEventReuse(t *testing.T) {
	convert := func(name string, data []byte) []trace.Event {
		var rows []trace.Event
		c := NewConverter(Options{}, func(ev *trace.Event) error {
			rows = append(rows, *ev)
			return nil
		})
		if err := RunPipelined(NewReader(bytes.NewReader(data), name), c, func(*SyntaxError) error { return nil }); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	defer func(n int) { maxFreeEvs = n }(maxFreeEvs)
	for _, name := range committedLogs() {
		data := readLog(t, name)
		maxFreeEvs = 256
		reused := convert(name, data)
		maxFreeEvs = 0
		fresh := convert(name, data)
		if !reflect.DeepEqual(reused, fresh) {
			t.Errorf("%s: %d rows with held events reused, %d without, differing", name, len(reused), len(fresh))
		}
	}
}

// TestExecArgvReleased checks that converting an exec takes its decoded
// argv out of the record: a batch's slot, reset only in part for the next
// line, must not keep it alive (the libc shape's peak RSS rose by half).
func TestExecArgvReleased(t *testing.T) {
	log := "100 1700000000.000001 execve(\"/bin/true\", [\"true\", \"x\"], 0x7ffd /* 3 vars */) = 0\n"
	rd := NewReader(bytes.NewReader([]byte(log)), "exec")
	var rec Record
	if (lexer{rd: rd}).Lex(&rec) != textconv.Rec {
		t.Fatal("no record")
	}
	(lexer{dec: newArgDecoder()}).execAhead(&rec)
	if rec.execArgv == nil {
		t.Fatal("execAhead decoded no argv")
	}
	c := NewConverter(Options{}, func(*trace.Event) error { return nil })
	if err := c.Add(&rec); err != nil {
		t.Fatal(err)
	}
	if rec.execArgv != nil || rec.execFile != "" {
		t.Errorf("after Add the record holds argv %q, file %q", rec.execArgv, rec.execFile)
	}
}
