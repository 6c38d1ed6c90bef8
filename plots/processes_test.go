package plots

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
)

// feed observes events as a replay would, at rows 0, 1, 2, ...
func feed(c *Collector, input int, evs ...trace.Event) {
	for i := range evs {
		c.Observe(input, int64(i), &evs[i])
	}
}

// Pid reuse, orphans, processes seen only at exit and threads must not
// break the process tree.
func TestProcessLog(t *testing.T) {
	c := NewCollector([]Machine{{Name: "m"}}, false)
	feed(c, 0,
		trace.Event{TimeNs: 0, PID: 10, Kind: trace.Fork, ChildPID: 11, Comm: "make"}, // make, seen first at a fork
		trace.Event{TimeNs: 1, PID: 11, PPID: 10, Kind: trace.Exec, Comm: "cc"},       // 11 runs cc
		trace.Event{TimeNs: 2, PID: 11, Kind: trace.Thread, ChildPID: 12, Comm: "cc"}, // a thread: no process
		trace.Event{TimeNs: 3, PID: 12, Kind: trace.Exit, Comm: "cc"},                 // the thread's exit
		trace.Event{TimeNs: 4, PID: 11, Kind: trace.Fork, ChildPID: 13, Comm: "cc"},   // 13: cc's child
		trace.Event{TimeNs: 5, PID: 11, Kind: trace.Exit, Comm: "cc"},                 // cc exits: 13 an orphan
		trace.Event{TimeNs: 6, PID: 13, PPID: 1, Kind: trace.Exec, Comm: "as"},        // re-parented to init
		trace.Event{TimeNs: 7, PID: 10, Kind: trace.Fork, ChildPID: 13, Comm: "make"}, // pid 13 reused before its exit was seen
		trace.Event{TimeNs: 8, PID: 99, PPID: 10, Kind: trace.Exit, Comm: "ghost"},    // seen only at its exit
		trace.Event{TimeNs: 9, PID: 10, Kind: trace.Mmap, Comm: "make"},               // not kept
		trace.Event{TimeNs: 10, PID: 13, PPID: 10, Kind: trace.Exit, Comm: "make"},    // the second 13 exits
	)
	d := c.Data(nil)
	var got []string
	for i, p := range d.Processes() {
		got = append(got, strconv.Itoa(i)+":"+strconv.Itoa(int(p.PID))+" "+p.Comm+" parent "+strconv.Itoa(p.Parent)+
			" "+strconv.FormatFloat(p.Start*1e9, 'f', 0, 64)+".."+strconv.FormatFloat(p.End*1e9, 'f', 0, 64)+" ended "+strconv.FormatBool(p.Ended))
	}
	want := []string{
		"0:10 make parent -1 0..10 ended false", // no exit: ends with the trace
		"1:11 cc parent 0 0..5 ended true",
		"2:13 as parent 1 4..7 ended true", // ended when its pid was reused
		"3:13 make parent 0 7..10 ended true",
		"4:99 ghost parent 0 0..8 ended true", // its start is the trace's
	}
	if len(got) != len(want) {
		t.Fatalf("processes:\n%q\nwant\n%q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("process %s, want %s", got[i], want[i])
		}
	}
	// Creations find their parent by row, whenever replay costs them.
	for row, want := range map[int64]int32{0: 0, 4: 1, 7: 0, 5: -1} {
		if got := c.procs.parentOf(0, row); got != want {
			t.Errorf("parent of the creation at row %d: %d, want %d", row, got, want)
		}
	}
	if len(c.procs.live) != 1 {
		t.Errorf("%d live pids kept, want 1 (make): exited processes must leave the map", len(c.procs.live))
	}
	if order := treeOrder([]int32{-1, 0, 1, 0, 0}, []float64{0, 0, 4e-9, 7e-9, 0}); !slicesEqual(order, []int32{0, 1, 2, 4, 3}) {
		t.Errorf("tree order %v, want [0 1 2 4 3]: each under its parent, siblings by start", order)
	}
}

func slicesEqual(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A million events: the log keeps about 40 bytes per process and 16 per
// creation, the pid map only the live processes, and the figure's
// drawing and CSV are bounded by its size, not by the trace.
func TestTimelineBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a million events")
	}
	c := NewCollector([]Machine{{Name: "m"}}, false)
	const children = 250_000 // 4 events each: a million
	var ev trace.Event
	var ec replay.EventCost
	row := int64(0)
	comms := []string{"sh", "cc", "cc1", "as", "ld", "ar", "ranlib", "mv", "cpp"}
	for i := 0; i < children; i++ {
		pid := int32(1000 + i%30000) // pids wrap around, as on a real system
		tm := int64(i) * 1e6
		ev = trace.Event{TimeNs: tm, PID: 1, Kind: trace.VFork, ChildPID: pid, Comm: "make"}
		c.Observe(0, row, &ev)
		if i%2 == 0 {
			ec = replay.EventCost{Input: 0, Row: row, Creation: &ev, SavedNs: float64(1000 + i%7)}
			c.OnEvent(&ec)
		}
		row++
		ev = trace.Event{TimeNs: tm + 1e5, PID: pid, PPID: 1, Kind: trace.Exec, Comm: comms[i%len(comms)]}
		c.Observe(0, row, &ev)
		row++
		ev = trace.Event{TimeNs: tm + 2e5, PID: pid, Kind: trace.Mmap, Comm: ev.Comm}
		c.Observe(0, row, &ev)
		row++
		ev = trace.Event{TimeNs: tm + 5e5, PID: pid, Kind: trace.Exit, Comm: ev.Comm}
		c.Observe(0, row, &ev)
		row++
	}
	l := c.procs
	if len(l.procs) != children+1 || len(l.live) != 1 {
		t.Fatalf("%d processes, %d live; want %d and 1", len(l.procs), len(l.live), children+1)
	}
	if b := l.bytes(); b > 2*(40*(children+1)+16*children) {
		t.Errorf("the process log holds %d bytes for %d processes", b, children+1)
	}
	st := Paper(SingleColumn)
	f, err := Timeline(c.Data(nil), 0, st)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) > 300 {
		t.Errorf("%d CSV rows: more than fit the figure", len(f.Rows))
	}
	var creations int64
	for _, r := range f.Rows {
		n, _ := strconv.ParseInt(r[7], 10, 64)
		creations += n
	}
	if creations != children/2 {
		t.Errorf("the CSV counts %d costed creations, want %d", creations, children/2)
	}
	var buf bytes.Buffer
	if err := f.Render(&buf, "svg", st, nil); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 2<<20 {
		t.Errorf("the SVG of a million events is %d bytes: its drawing is not bounded", buf.Len())
	}
}

// Several traces go one after the other on the timeline, each with pids
// of its own.
func TestProcessLogInputs(t *testing.T) {
	c := NewCollector([]Machine{{Name: "m"}}, false)
	feed(c, 0,
		trace.Event{TimeNs: 100, PID: 1, Kind: trace.Fork, ChildPID: 2, Comm: "make"},
		trace.Event{TimeNs: 2100, PID: 2, Kind: trace.Exit, Comm: "make"},
	)
	feed(c, 1,
		trace.Event{TimeNs: 5000, PID: 2, Kind: trace.Fork, ChildPID: 3, Comm: "sh"}, // pid 2 anew
		trace.Event{TimeNs: 6000, PID: 3, Kind: trace.Exit, Comm: "sh"},
	)
	var got []string
	for _, p := range c.Data(nil).Processes() {
		got = append(got, strconv.Itoa(int(p.PID))+" parent "+strconv.Itoa(p.Parent)+" "+
			strconv.FormatFloat(p.Start*1e9, 'f', 0, 64)+".."+strconv.FormatFloat(p.End*1e9, 'f', 0, 64))
	}
	want := "[1 parent -1 0..2000 2 parent 0 0..2000 2 parent -1 2000..3000 3 parent 2 2000..3000]"
	if s := "[" + strings.Join(got, " ") + "]"; s != want {
		t.Errorf("processes %s, want %s", s, want)
	}
	if p := c.procs.parentOf(1, 0); p != 2 {
		t.Errorf("the second trace's creation at row 0 has parent %d, want 2", p)
	}
}
