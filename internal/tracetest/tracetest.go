// Package tracetest writes and reads trace files for tests, so that every
// package's tests build their fixtures alike: Write takes events, a
// sequence or a slice, and fails the test on any error; Sample and
// ForkExecExit are the events the tests share.
package tracetest

import (
	"iter"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// Option changes how Write writes.
type Option func(*options)

type options struct {
	mem       memory.Allocator
	batchRows int
}

// Allocator makes the writer allocate from mem (a checked allocator, to
// find leaks) instead of its default.
func Allocator(mem memory.Allocator) Option { return func(o *options) { o.mem = mem } }

// BatchRows makes the writer emit record batches of n rows (n > 0), so
// that a few events span several batches.
func BatchRows(n int) Option { return func(o *options) { o.batchRows = n } }

// Write writes evs to a new trace file at path (the extension chooses the
// format) with meta, failing tb on any error.
func Write(tb testing.TB, path string, meta trace.Meta, evs []trace.Event, opts ...Option) {
	tb.Helper()
	WriteSeq(tb, path, meta, slices.Values(evs), opts...)
}

// WriteSeq is Write for events that are made as they are written (a
// benchmark's million rows).
func WriteSeq(tb testing.TB, path string, meta trace.Meta, evs iter.Seq[trace.Event], opts ...Option) {
	tb.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	w, err := arrowio.Create(path, meta, o.mem)
	if err != nil {
		tb.Fatal(err)
	}
	if o.batchRows > 0 {
		w.BatchRows = o.batchRows
	}
	for ev := range evs {
		if err := w.Append(&ev); err != nil {
			w.Abort()
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}

// Read returns the metadata and every event of the trace at path, failing
// tb on any error. mem may be nil.
func Read(tb testing.TB, path string, mem memory.Allocator) (trace.Meta, []trace.Event) {
	tb.Helper()
	r, err := arrowio.Open(path, mem)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	var got []trace.Event
	for r.Next() {
		ev := *r.Event()
		if ev.Argv != nil {
			ev.Argv = append([]string{}, ev.Argv...)
		}
		got = append(got, ev)
	}
	if err := r.Err(); err != nil {
		tb.Fatal(err)
	}
	return r.Meta(), got
}

// Meta is the metadata of Sample's traces.
var Meta = trace.Meta{Source: "test", SourceOS: "linux", Origin: "unit test", StartUnixNs: 1700000000000000000}

// Sample returns seven events that use every column: an exec with argv, a
// fork with a full snapshot, fault counters and measured costs, a failed
// exec, an exec with an empty argv, a death by signal with a core, a vfork
// whose process had gone, and a normal exit.
func Sample() []trace.Event {
	snap := trace.Snapshot{VirtBytes: 10 << 20, WritableBytes: 4 << 20, ResidentBytes: 3 << 20,
		WritableResidentBytes: 2 << 20, AnonResidentBytes: 1 << 20, HugeResidentBytes: 0,
		PageTableBytes: 16 << 10, MapEntries: 23, ParentThreads: 1, PageSize: 4096, Source: trace.Recorded}
	return []trace.Event{
		{TimeNs: 0, PID: 100, PPID: 1, Kind: trace.Exec, Comm: "make", ExecPath: "/usr/bin/make", Argv: []string{"make", "-j2"}},
		{TimeNs: 10, PID: 100, PPID: 1, Kind: trace.Fork, ChildPID: 101, CloneFlags: 0x1200011, HasCloneFlags: true, Comm: "make", Snapshot: snap, HasSnapshot: true, ChildExecNs: 30, HasChildExec: true, MinFaults: 1234, MajFaults: 5, HasFaults: true,
			CreateNs: 61_000, HasCreateNs: true, PostCreateFaults: 0, HasPostCreateFaults: true},
		{TimeNs: 20, PID: 101, PPID: 100, Kind: trace.ExecFailed, Comm: "make", ExecPath: "/usr/local/bin/cc", Argv: []string{"cc", "-c", "x y.c", ""}},
		{TimeNs: 30, PID: 101, PPID: 100, Kind: trace.Exec, Comm: "cc", ExecPath: "/usr/bin/cc", Argv: []string{}, ExecNs: 412_345, HasExecNs: true},
		{TimeNs: 40, PID: 101, PPID: 100, Kind: trace.Exit, Comm: "cc", Signal: 11, CoreDumped: true},
		{TimeNs: 45, PID: 100, PPID: 1, Kind: trace.VFork, ChildPID: 102, ProcGone: true,
			CreateNs: 9_000, HasCreateNs: true, ParentBlockedNs: 50_000_000, HasParentBlockedNs: true, PostCreateFaults: 3, HasPostCreateFaults: true},
		{TimeNs: 50, PID: 100, PPID: 1, Kind: trace.Exit, Comm: "make", ExitStatus: 0, HasExitStatus: true},
	}
}

// ForkExecExit yields n rounds of a fork by pid 100 (make, whose address
// space at round i is snap(i)), the child's exec of /usr/bin/cc and its
// exit, one round per 3 ms: every creation is eligible for vfork. Child
// pids are 1000+i, wrapping after 30000 rounds.
func ForkExecExit(n int, snap func(i int) trace.Snapshot) iter.Seq[trace.Event] {
	return func(yield func(trace.Event) bool) {
		for i := range n {
			child := int32(1000 + i%30000)
			t := int64(3*i) * 1e6
			for _, ev := range [...]trace.Event{
				{TimeNs: t, PID: 100, PPID: 1, Kind: trace.Fork, ChildPID: child, Comm: "make", HasSnapshot: true, Snapshot: snap(i)},
				{TimeNs: t + 1e6, PID: child, PPID: 100, Kind: trace.Exec, Comm: "cc", ExecPath: "/usr/bin/cc"},
				{TimeNs: t + 2e6, PID: child, PPID: 100, Kind: trace.Exit, Comm: "cc", HasExitStatus: true},
			} {
				if !yield(ev) {
					return
				}
			}
		}
	}
}

// NeedParquet skips tb unless Parquet is linked into the test binary.
// Parquet is opt-in, since it links gRPC: go test -tags parquet links it
// (through this package), and .ci/run runs the packages that test it so.
func NeedParquet(tb testing.TB) {
	tb.Helper()
	if !arrowio.HasFormat("parquet") {
		tb.Skip("Parquet is not linked: go test -tags parquet runs this")
	}
}
