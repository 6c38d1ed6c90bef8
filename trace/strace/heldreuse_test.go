package strace

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/forkcost/forkcost/trace"
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
