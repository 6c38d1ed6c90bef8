package trace_test

import (
	"strings"
	"testing"

	"github.com/forkcost/forkcost/internal/tracetest"
	"github.com/forkcost/forkcost/trace"
)

func TestEventCheck(t *testing.T) {
	good := tracetest.Sample()
	for i := range good {
		if p := good[i].Check(); p != "" {
			t.Fatalf("sample row %d: %s", i, p)
		}
	}
	fork := good[1] // a creation with a snapshot
	cases := []struct {
		name string
		edit func(ev *trace.Event)
		want string
	}{
		{"negative time", func(ev *trace.Event) { ev.TimeNs = -1 }, "time_ns -1 is negative"},
		{"negative pid", func(ev *trace.Event) { ev.PID = -5 }, "pid -5 is negative"},
		{"negative ppid", func(ev *trace.Event) { ev.PPID = -1 }, "ppid -1 is negative"},
		{"unknown kind", func(ev *trace.Event) { ev.Kind = "spoon" }, `kind "spoon" is unknown`},
		{"creation without child", func(ev *trace.Event) { ev.ChildPID = 0 }, "a fork row has no child_pid"},
		{"child exec before creation", func(ev *trace.Event) { ev.ChildExecNs = ev.TimeNs - 1 }, "child_exec_ns 9 is before"},
		{"negative size", func(ev *trace.Event) { ev.Snapshot.PageTableBytes = -4096 }, "page_table_bytes -4096 is negative"},
		{"writable beyond virtual", func(ev *trace.Event) { ev.Snapshot.WritableBytes = 25288767635456 }, "writable_bytes 25288767635456 > virt_bytes 10485760"},
		{"resident beyond virtual", func(ev *trace.Event) { ev.Snapshot.ResidentBytes = 11 << 20 }, "resident_bytes 11534336 > virt_bytes"},
		{"writable resident beyond resident", func(ev *trace.Event) { ev.Snapshot.WritableResidentBytes = 4 << 20 }, "writable_resident_bytes 4194304 > resident_bytes 3145728"},
		{"anon beyond resident", func(ev *trace.Event) { ev.Snapshot.AnonResidentBytes = 3<<20 + 1 }, "anon_resident_bytes 3145729 > resident_bytes"},
		{"huge beyond virtual", func(ev *trace.Event) { ev.Snapshot.HugeResidentBytes = 11 << 20 }, "huge_resident_bytes 11534336 > virt_bytes"},
		{"page size", func(ev *trace.Event) { ev.Snapshot.PageSize = 4095 }, "page_size 4095 is not a power of two"},
		{"negative faults", func(ev *trace.Event) { ev.MajFaults = -1 }, "maj_faults -1 is negative"},
	}
	for _, c := range cases {
		ev := fork
		c.edit(&ev)
		if p := ev.Check(); !strings.Contains(p, c.want) {
			t.Errorf("%s: Check() = %q, want %q", c.name, p, c.want)
		}
	}
	// A log without pids (strace without -f) writes pid 0: allowed.
	ev := good[0]
	ev.PID = 0
	if p := ev.Check(); p != "" {
		t.Errorf("pid 0: %s", p)
	}
}
