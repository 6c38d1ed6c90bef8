package strace

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math/bits"
	"path"
	"slices"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/addrspace"
	"github.com/forkcost/forkcost/trace/lookahead"
	"github.com/forkcost/forkcost/trace/textconv"
)

// Options tune a Converter: textconv's, as for every format.
type Options = textconv.Options

// DefaultResidentFraction is the default ResidentFraction.
const DefaultResidentFraction = textconv.DefaultResidentFraction

// DefaultMaxHeld is the default Options.MaxHeld (textconv's, the same for
// every format).
const DefaultMaxHeld = textconv.DefaultMaxHeld

// Stats counts what a conversion met: textconv's counters, and strace's own.
type Stats struct {
	textconv.Stats
	FailedClones   int64
	UnknownFlags   int64 // clone calls whose flags could not be read
	Unfinished     int64 // calls never resumed at the end of the log
	OrphanResumes  int64 // <... resumed> halves without their first half
	UnknownPIDRows int64 // rows written with pid 0 (log without pids)
	CutArgs        int64 // exec rows whose argv strace -s cut short
}

type proc struct {
	pid     int32 // process id (thread group leader)
	ppid    int32
	parent  *proc
	comm    string
	space   *addrspace.Space
	threads int32
	tids    []int32 // live non-leader threads
	hold    *hold   // the lane of this process's rows (see hold.Holder), or nil
	created *hold   // this process's creation row while it waits
	execNs  int64
	execd   bool
	orphan  bool // seen before its parent's creation call returned
	exited  bool

	// exit fallbacks (no +++ line yet)
	fbHas    bool
	fbStatus int32
	fbTime   int64
}

// heldRow is a held row: ev, or a short row in short when ev is nil; p is
// its process (for the pid patches of resolveAlias and orphanIsThread).
type heldRow struct {
	ev    *trace.Event
	p     *proc
	short shortRow
	own   bool // ev is row's copy, nowhere else: reused once written
}

// shortRow is a memory or signal row, the most frequent rows: they have
// only these fields (textconv.EmitShort), and making or holding one costs
// no Event.
type shortRow struct {
	t         int64
	pid, ppid int32
	comm      string
	sig       int32
	kind      shortKind
}

// shortKind is the kind of a short row, in a byte (a held row of 64
// bytes rather than the 72 of one with a trace.Kind): its index in
// trace.Kinds, which EmitShort takes as it is (TestShortKinds).
type shortKind uint8

const (
	shortSignal   shortKind = 8
	shortMmap     shortKind = 9
	shortMunmap   shortKind = 10
	shortMremap   shortKind = 11
	shortMprotect shortKind = 12
	shortBrk      shortKind = 13
)

// pids returns the pid and ppid fields of a held row.
func (r *heldRow) pids() (pid, ppid *int32) {
	if r.ev != nil {
		return &r.ev.PID, &r.ev.PPID
	}
	return &r.short.pid, &r.short.ppid
}

// hold is a lane of held rows: a creation row, with the rows that must
// follow it, waiting for the child's first exec or its exit; or the rows
// of a process waiting for its creation row (an orphan) or its pid (alias).
type hold = lookahead.Lane[heldRow, holdKey]

// holdKey is what a hold waits for.
type holdKey struct {
	creation *trace.Event // nil for an orphan's or alias hold
	child    *proc
	alias    bool // holds the rows of the pid-less first process of a stderr log
}

// Converter turns Reader records into trace events. Feed it records with
// Add, then call Finish. Events go to the emit function in the order that
// keeps each creation row before every row of its child; see the package
// documentation for when that leaves time order.
type Converter struct {
	opt  Options
	base addrspace.Baseline
	emit func(*trace.Event) error
	// emitShort takes the short rows, if set (SetEmitShort).
	emitShort textconv.ShortWriter
	err       error
	tasks     map[int32]*proc // change it with setTask and delTask only
	taskCache [256]taskSlot   // entries of tasks by tid, see lookup
	lanes     lookahead.Tree[heldRow, holdKey]
	attached  map[int32]bool
	// deadOrphans are children that exited before their parent's creation
	// call returned (a vfork child that only exits), kept to be linked.
	deadOrphans map[int32]*proc
	sole        *proc // the process of pid-less lines in a stderr log
	unknown     *proc // the pid-less process whose pid is not known yet

	startSet bool
	start    int64
	form     TimeForm
	last     int64
	seq      int64

	cloneMemo bitsMemo // clone flag sets (a build's threads repeat one)
	sigName   []byte   // the last signal line's signal (a copy: no string to allocate), and its number
	sigNum    int32
	sigSet    bool
	argBuf    [8][]byte
	dec       *argDecoder // memory calls, and execs not decoded ahead
	mem       memCall     // the memory call being applied
	scratchEv trace.Event
	freeEvs   []*trace.Event // held rows' events, written, for row to reuse
	shortEv   trace.Event    // short rows without emitShort (see outShort)
	scratch   []byte
	scratch2  []byte

	// The last clone flag sets that cloneFlags read (plain ones, see
	// cloneFlagsAt), their values and whether they were read: a Go
	// build's threads and its vforks alternate two.
	cloneKeys  [4][]byte
	cloneVals  [4]uint64
	cloneGoods [4]bool
	cloneNext  int

	singleLog bool
	bytesRead int64 // input consumed so far, when pipelined

	// PendingCreation reports whether some process is inside a creation
	// call that has not returned (see the Reader's unfinished calls): a new
	// pid then is taken for its child. Set by Run and Merge.
	PendingCreation func() bool

	Stats Stats
}

// NewConverter returns a Converter that passes events to emit. The event
// passed to emit is only valid during the call.
func NewConverter(opt Options, emit func(*trace.Event) error) *Converter {
	opt = opt.WithDefaults()
	c := &Converter{opt: opt, emit: emit, tasks: map[int32]*proc{}, attached: map[int32]bool{}, deadOrphans: map[int32]*proc{}}
	c.scratch, c.scratch2 = make([]byte, 0, 256), make([]byte, 0, 4096)
	c.dec = newArgDecoder()
	c.base = opt.BaselineOf()
	c.Stats.Stats = textconv.NewStats()
	c.lanes.MaxHeld = opt.MaxHeld
	if opt.MaxAge > 0 { // Options.MaxAge bounds only when positive
		c.lanes.MaxAge = opt.MaxAge
	}
	c.lanes.Write, c.lanes.Forced = c.writeHeld, c.forced
	return c
}

// Start returns the time of the first record, in the log's clock, and its
// form: with TimeUnix it is the Unix time of time_ns 0.
func (c *Converter) Start() (int64, TimeForm, bool) { return c.start, c.form, c.startSet }

// Live returns the number of processes and threads tracked.
func (c *Converter) Live() int { return len(c.tasks) }

// Held returns the number of rows held back.
func (c *Converter) Held() int { return c.lanes.Held() }

func isCreationCall(name []byte) bool {
	switch string(name) {
	case "clone", "clone3", "fork", "vfork":
		return true
	}
	return false
}

// pendingCreation reports whether some process is inside a creation call
// that has not returned: a new pid may be its child.
func pendingCreation(r *Reader) bool {
	found := false
	r.EachUnfinished(func(_ int32, _ bool, name []byte) {
		if isCreationCall(name) {
			found = true
		}
	})
	return found
}

// Add converts one record.
func (c *Converter) Add(rec *Record) error {
	if c.err != nil {
		return c.err
	}
	c.add(rec)
	return c.err
}

// AddAll adds recs, stopping at the first error (textconv.BatchSink).
func (c *Converter) AddAll(recs []Record) error {
	if c.err != nil {
		return c.err
	}
	for i := range recs {
		if c.add(&recs[i]); c.err != nil {
			return c.err
		}
	}
	return nil
}

// add is Add once c.err is nil, without a result: a batch's loop tests
// c.err itself (AddAll), which spares every record the test on entry and
// the error's return.
func (c *Converter) add(rec *Record) {
	c.Stats.Records++
	c.seq++
	// Time.
	var t int64
	if !c.startSet {
		c.startSet, c.form = true, rec.TimeForm
		if rec.TimeForm != TimeNone {
			c.start = rec.Time
		}
	}
	switch {
	case c.form == TimeNone:
		t = (c.seq - 1) * 1000 // no timestamps: one microsecond per record
	case rec.TimeForm != c.form:
		// A line without a timestamp (or another form) in a timestamped
		// log: it happened after the previous line.
		t = c.last
	default:
		t = rec.Time - c.start
	}
	// c.last is never negative: a negative t is before it.
	if t < c.last {
		if rec.Kind != KindMessage && !rec.Resumed { // a rebuilt call carries its older entry time
			c.Stats.TimeBackwards++
		}
		t = max(t, 0)
	} else if !rec.Resumed {
		c.last = t
	}
	if rec.Kind == KindMessage {
		if rec.Attached != 0 {
			c.attached[rec.Attached] = true
		}
		return
	}
	// The task: the usual line's is in the cache.
	tid := rec.PID
	p := c.cached(tid)
	if p == nil || !rec.HasPID {
		if p, tid = c.task(rec); p == nil {
			return
		}
	}
	if len(rec.Comm) > 0 && string(rec.Comm) != p.comm {
		p.comm = string(rec.Comm)
	}
	switch rec.Kind {
	case KindCall:
		if rec.Orphan {
			c.Stats.OrphanResumes++
		}
		if sys := rec.sysCall(); sys.isMemory() {
			c.memory(rec, p, t) // the most frequent call, at once
		} else {
			c.call(rec, p, tid, t)
			if sys.isCreation() && !c.pending(rec) {
				c.releaseOrphans()
			}
		}
	case KindExit:
		c.exitLine(rec, p, tid, t)
	case KindSignal:
		c.signal(rec, p, t)
	}
	// With Options.MaxAge, the oldest held creations that have waited
	// longer for their child's first action are written without
	// child_exec_ns (see forced).
	c.lanes.Expire(t)
}

// pending reports whether, at rec, some process is inside a creation call
// that has not returned: a new pid then is taken for its child.
func (c *Converter) pending(rec *Record) bool {
	return rec.PendingCreation || c.PendingCreation != nil && c.PendingCreation()
}

// task finds (or makes) the process of a record.
func (c *Converter) task(rec *Record) (*proc, int32) {
	if !rec.HasPID {
		// Lines without a pid: the only tracee alive in a stderr log, or
		// the only process of a log without -f.
		if len(c.tasks) == 1 {
			for tid, p := range c.tasks {
				c.sole = p
				return p, tid
			}
		}
		if c.sole != nil && !c.sole.exited {
			return c.sole, c.sole.pid
		}
		p := c.newProc(0)
		c.unknown, c.sole = p, p
		c.setTask(0, p)
		// Hold its rows until a "[pid N]" line tells its pid.
		p.hold = c.lanes.Open(nil, holdKey{alias: true, child: p}, lookahead.Ageless)
		return p, 0
	}
	tid := rec.PID
	if p, ok := c.lookup(tid); ok {
		return p, tid
	}
	// A pid not seen before.
	p := c.newProc(tid)
	c.setTask(tid, p)
	pending := c.pending(rec)
	switch {
	case pending:
		// The child of a creation call that has not returned yet:
		// hold its rows until the creation row is written.
		delete(c.attached, tid)
		p.orphan = true
		p.hold = c.lanes.Open(nil, holdKey{child: p}, lookahead.Ageless)
	case c.unknown != nil && !c.unknown.exited && c.unknown.pid == 0 && !c.attached[tid]:
		// The first "[pid N]" line of a stderr log naming a process not
		// created in the log: the pid-less first process.
		c.delTask(tid)
		c.resolveAlias(tid)
		return c.tasks[tid], tid
	}
	return p, tid
}

// resolveAlias gives the pid-less first process its pid.
func (c *Converter) resolveAlias(pid int32) {
	u := c.unknown
	c.unknown = nil
	c.delTask(0)
	u.pid = pid
	c.setTask(pid, u)
	for _, t := range u.tids {
		c.setTask(t, u)
	}
	for _, h := range c.lanes.Tops() {
		if h.Key.child == u && h.Key.alias {
			for r := range h.All() {
				rowPID, rowPPID := r.pids()
				if r.p == u {
					*rowPID = pid
				} else if r.p != nil && r.p.parent == u && *rowPPID == 0 {
					*rowPPID = pid
				}
			}
			for _, p := range c.tasks {
				if p.parent == u {
					p.ppid = pid
				}
			}
			c.resolve(h, 0, false)
			break
		}
	}
}

// taskSlot is an entry of tasks in taskCache: p is tasks[tid], or nil
// (setTask never stores nil).
type taskSlot struct {
	tid int32
	p   *proc
}

// lookup is tasks[tid], through a cache indexed by the tid's low byte: a
// build interleaves the lines of a few dozen live tasks, whose tids are
// mostly consecutive, and a map lookup cost some 70 instructions where the
// cache costs a handful (scripts/ir-convert). Runs of lines of one task
// hit the same slot.
func (c *Converter) lookup(tid int32) (*proc, bool) {
	if p := c.cached(tid); p != nil {
		return p, true
	}
	p, ok := c.tasks[tid]
	if ok {
		c.taskCache[uint8(tid)] = taskSlot{tid, p}
	}
	return p, ok
}

// cached returns tasks[tid] if taskCache holds it, else nil.
func (c *Converter) cached(tid int32) *proc {
	if s := &c.taskCache[uint8(tid)]; s.tid == tid {
		return s.p
	}
	return nil
}

// setTask and delTask change tasks, and keep taskCache in step.
func (c *Converter) setTask(tid int32, p *proc) {
	c.tasks[tid] = p
	c.taskCache[uint8(tid)] = taskSlot{tid, p}
}

func (c *Converter) delTask(tid int32) {
	delete(c.tasks, tid)
	if s := &c.taskCache[uint8(tid)]; s.tid == tid {
		*s = taskSlot{}
	}
}

func (c *Converter) newProc(pid int32) *proc {
	return &proc{pid: pid, space: addrspace.New(c.opt.PageSize), threads: 1}
}

// event returns the scratch event, cleared, with the fields of a row of
// process p at time t; the caller sets the rest. Go builds a composite
// literal assigned to *ev on the stack and copies it, about 150
// instructions for an Event; clearing it and setting fields costs a third.
func (c *Converter) event(p *proc, t int64, kind trace.Kind) *trace.Event {
	ev := &c.scratchEv
	*ev = trace.Event{}
	ev.TimeNs, ev.PID, ev.PPID, ev.Kind, ev.Comm = t, p.pid, p.ppid, kind, p.comm
	return ev
}

// row writes or holds an event of process p.
func (c *Converter) row(p *proc, ev *trace.Event) {
	// The lane p's rows go to now, kept: a finished hold's are its
	// nearest unfinished ancestor's.
	if p.hold = p.hold.Holder(); p.hold != nil {
		var e *trace.Event
		if n := len(c.freeEvs); n > 0 {
			e, c.freeEvs = c.freeEvs[n-1], c.freeEvs[:n-1]
		} else {
			e = new(trace.Event)
		}
		*e = *ev
		c.lanes.Push(p.hold, heldRow{ev: e, p: p, own: true})
		c.lanes.Fit()
		return
	}
	c.out(ev)
}

// A short row of process p goes out with outShort when p holds no rows
// back, as most processes do, else with holdShort, which writes or holds
// it as row does an event. Its callers (memory, signal) make the test
// themselves: a function for it, too large to be inlined, was a call
// more for every row.
func (c *Converter) holdShort(p *proc, t int64, kind shortKind, sig int32) {
	h := p.hold
	if h.Finished() { // else h is its own Holder, and p.hold stays
		if h = h.Holder(); h == nil {
			p.hold = nil
			c.outShort(t, p.pid, p.ppid, kind, p.comm, sig)
			return
		}
		p.hold = h
	}
	c.lanes.Push(h, heldRow{p: p, short: shortRow{t: t, pid: p.pid, ppid: p.ppid, comm: p.comm, sig: sig, kind: kind}})
	c.lanes.Fit()
}

// maxFreeEvs bounds Converter.freeEvs. A held row's copy of its event
// was one in nine of the allocations of a build's conversion.
var maxFreeEvs = 256 // a variable for TestHeldEventReuse

// writeHeld writes held rows that leave their hold.
func (c *Converter) writeHeld(rows []heldRow) {
	for i := range rows {
		r := &rows[i]
		if r.ev != nil {
			c.out(r.ev)
			if r.own && len(c.freeEvs) < maxFreeEvs {
				c.freeEvs = append(c.freeEvs, r.ev)
			}
			continue
		}
		s := &r.short
		c.outShort(s.t, s.pid, s.ppid, s.kind, s.comm, s.sig)
	}
}

func (c *Converter) out(ev *trace.Event) {
	if c.err != nil {
		return
	}
	if ev.PID == 0 && c.unknown == nil {
		c.Stats.UnknownPIDRows++
	}
	c.Stats.Counted(ev)
	c.err = c.emit(ev)
}

// outShort is out for a short row, which is never a creation (what
// Stats.Counted looks for): the Event {TimeNs: t, PID: pid, PPID: ppid,
// Kind: kind, Comm: comm, Signal: sig}, passed to emitShort if set.
func (c *Converter) outShort(t int64, pid, ppid int32, kind shortKind, comm string, sig int32) {
	if c.err != nil {
		return
	}
	if pid == 0 && c.unknown == nil {
		c.Stats.UnknownPIDRows++
	}
	c.Stats.Rows++
	if c.emitShort != nil {
		// Storing the error only when there is one spares every row an
		// interface store.
		if err := c.emitShort.AppendShortKind(t, pid, ppid, int32(kind), comm, sig); err != nil {
			c.err = err
		}
		return
	}
	ev := &c.shortEv
	*ev = trace.Event{TimeNs: t, PID: pid, PPID: ppid, Kind: trace.Kinds[kind], Comm: comm, Signal: sig}
	c.err = c.emit(ev)
}

// releaseOrphans writes the rows of pids that appeared while a creation
// call was pending but that no creation claimed: they are processes of
// their own (attached, or whose creation is not in the log).
func (c *Converter) releaseOrphans() {
	for i := 0; i < len(c.lanes.Tops()); {
		h := c.lanes.Tops()[i]
		if h.Key.creation == nil && !h.Key.alias {
			h.Key.child.orphan = false
			delete(c.deadOrphans, h.Key.child.pid)
			c.resolve(h, 0, false) // out of Tops
			continue
		}
		i++
	}
}

// forced gives up a hold that MaxHeld or MaxAge forces out (the oldest
// top-level one): a creation is written without child_exec_ns.
func (c *Converter) forced(h *hold) {
	if h.Key.creation != nil {
		c.Stats.ForcedRelease++
	}
	if h.Key.alias {
		// The pid stays unknown: write its rows with pid 0.
		c.unknown = nil
	}
	c.settled(h)
}

// resolve settles a hold: the creation row gets the child's exec time (if
// any), and a top-level hold is written out.
func (c *Converter) resolve(h *hold, execNs int64, hasExec bool) {
	if h.Finished() {
		return
	}
	if cr := h.Key.creation; cr != nil && hasExec {
		cr.ChildExecNs, cr.HasChildExec = max(execNs, cr.TimeNs), true
	}
	c.settled(h)
	c.lanes.Finish(h)
}

// settled forgets a hold that no longer waits as its child's creation.
func (c *Converter) settled(h *hold) {
	if ch := h.Key.child; ch != nil && ch.created == h {
		ch.created = nil
	}
}

func (c *Converter) snapshot(p *proc) trace.Snapshot {
	return c.opt.Snapshot(p.space, p.threads)
}

func (c *Converter) call(rec *Record, p *proc, tid int32, t int64) {
	switch sys := rec.sysCall(); sys {
	case sysClone, sysClone3, sysFork, sysVFork:
		c.creation(rec, p, tid, t)
	case sysExecve, sysExecveat:
		c.exec(rec, p, tid, t)
	case sysExitGroup, sysExit:
		if rec.Interrupted {
			return
		}
		a := splitArgs(rec.Args, c.argBuf[:1])
		if len(a) == 1 {
			if v, ok := parseNum(unname(a[0])); ok && (sys == sysExitGroup || (tid == p.pid && p.threads <= 1)) {
				p.fbHas, p.fbStatus, p.fbTime = true, int32(v&0xff), t
			}
		}
	case sysWait:
		// The parent reaped a child: its last chance to get an exit row
		// when the log has no +++ line for it (-qq, -e signal=none, old
		// strace). Only in a single log: in a merged -ff set the line
		// carries the time the wait started, before the child's exit.
		if c.singleLog && rec.Ret == RetValue && rec.RetVal > 0 && rec.RetVal < 1<<31 {
			if q, ok := c.tasks[int32(rec.RetVal)]; ok && q.pid == int32(rec.RetVal) && !q.exited {
				c.Stats.ExitFallbacks++
				if q.fbHas {
					c.exitRow(q, q.fbTime, q.fbStatus, true, 0, false)
				} else {
					status, has, sig, core := waitStatus(rec.Args)
					c.exitRow(q, t, status, has, sig, core)
				}
			}
		}
	case sysMmap, sysMunmap, sysMremap, sysMprotect, sysBrk:
		c.memory(rec, p, t) // (Add calls memory itself)
	}
}

// memCall is a memory call's arguments, decoded.
type memCall struct {
	// kind is the row's kind, 0 when the call is not applied (failed,
	// malformed): a byte, where a trace.Kind made memory's switch compare
	// strings and the Record 16 bytes longer.
	kind    shortKind
	a, b, c uint64
	prot    uint8
	flags   uint8 // addrspace flags (mmap)
}

// set sets every field of m: field by field, as a composite literal
// assigned to *m is built on the stack first and then copied
// (scripts/ir-convert).
func (m *memCall) set(kind shortKind, a, b, c uint64, prot, flags uint8) {
	m.kind, m.a, m.b, m.c, m.prot, m.flags = kind, a, b, c, prot, flags
}

// argDecoder holds the buffers of decodeMem and decodeExec, and the flag
// sets memArgsDecoded decoded last: a build's memory calls repeat a
// handful of PROT_ and MAP_ sets, and a comparison costs less than
// splitting and looking up the names again. (quickMem reads the usual
// sets by memFlags, without the memo.)
type argDecoder struct {
	args        [8][]byte
	scratch     []byte
	prot, flags bitsMemo
	// The argvs decoded last, and their text: a PATH search (execvp, sh)
	// tries the same argv in one directory after another, so most execs
	// of a build repeat a recent argv (of their process, with the execs
	// of a parallel build's other processes in between), and share its
	// strings.
	argvText   [4][]byte
	argv       [4][]string
	argvWalked [4]bool
	argvNext   int
	mmaps      mmapMemo
}

func newArgDecoder() *argDecoder { return &argDecoder{scratch: make([]byte, 0, 4096)} }

// bitsMemo remembers a few flag sets and their values (parseBits).
type bitsMemo struct {
	keys [8]string // a Go build's mmaps use six MAP_ sets: four slots missed
	vals [8]uint64
	oks  [8]bool
	used [8]bool
	next int
}

func (m *bitsMemo) parse(s []byte, names map[string]uint64, scratch []byte) uint64 {
	v, _ := m.parseOK(s, names, scratch)
	return v
}

// parseOK is parse that also says whether every name was known.
func (m *bitsMemo) parseOK(s []byte, names map[string]uint64, scratch []byte) (uint64, bool) {
	for i := range m.keys {
		if m.used[i] && m.keys[i] == string(s) {
			return m.vals[i], m.oks[i]
		}
	}
	v, ok := parseBits(s, names, scratch)
	m.keys[m.next], m.vals[m.next], m.oks[m.next], m.used[m.next] = string(s), v, ok, true
	m.next = (m.next + 1) % len(m.keys)
	return v, ok
}

// decodeMem reads the arguments of a memory call into *m.
func decodeMem(m *memCall, rec *Record, d *argDecoder) {
	if !quickMem(m, rec, &d.mmaps) {
		*m = memArgsDecoded(rec, d)
	}
}

// quickMem is decodeMem for mmap, munmap, mprotect, mremap and brk as
// strace prints them ("NULL, 262144, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS,
// -1, 0"), read in one pass into *m: numbers are read where they are
// found, and flag sets by memFlags. It returns false, leaving *m alone,
// for any other form (spaces elsewhere, -N names, octal, decorations,
// flags memFlags does not read), which memArgsDecoded reads. Splitting
// every memory call's arguments first and reading each number apart was
// the decoder's largest cost.
func quickMem(m *memCall, rec *Record, memo *mmapMemo) bool {
	if rec.Ret != RetValue || rec.Interrupted {
		*m = memCall{} // not applied
		return true
	}
	s := rec.Args
	sys := rec.sysCall()
	// A failed call changes nothing, whatever its arguments (as
	// memArgsDecoded has it).
	switch sys {
	case sysMmap, sysMremap:
		if rec.RetVal < 0 && rec.RetVal > -4096 {
			*m = memCall{}
			return true
		}
	case sysMunmap, sysMprotect:
		if rec.RetVal != 0 {
			*m = memCall{}
			return true
		}
	}
	if sys == sysMmap {
		// ADDR, LENGTH, PROT, FLAGS, FD, OFFSET. The converter takes the
		// mapping's address from the return value: ADDR is passed over,
		// not read (a third of a libc build's mmaps give one).
		i := 4
		if len(s) < 5 || string(s[:5]) != "NULL," {
			if i = bytes.IndexByte(s, ','); i < 0 {
				return false
			}
		}
		// What follows ADDR is all that is read: a build's mmaps repeat
		// a few hundred of those texts.
		e := memo.slot(s[i:])
		if e != nil && int(e.n) == len(s)-i && string(e.key[:e.n]) == string(s[i:]) {
			m.set(shortMmap, 0, e.length, 0, e.prot, e.flags)
			return true
		}
		tail := i
		if !nextField(s, &i) {
			return false
		}
		length, i, ok := canonNum(s, i)
		if !ok || !nextField(s, &i) {
			return false
		}
		prot, i, ok := memFlags(s, i, protTable)
		if !ok || !nextField(s, &i) {
			return false
		}
		flags, i, ok := memFlags(s, i, mapTable)
		if !ok || i == len(s) {
			return false
		}
		m.set(shortMmap, 0, length, 0, uint8(prot&7), mmapFlags(flags))
		if e != nil {
			e.n = uint8(copy(e.key[:], s[tail:]))
			e.length, e.prot, e.flags = length, m.prot, m.flags
		}
		return true
	}
	addr, i, ok := canonNum(s, 0)
	if !ok {
		return false
	}
	if sys == sysBrk {
		if i != len(s) {
			return false
		}
		m.set(shortBrk, addr, 0, 0, 0, 0)
		return true
	}
	if !nextField(s, &i) {
		return false
	}
	length, i, ok := canonNum(s, i)
	if !ok {
		return false
	}
	switch sys {
	case sysMunmap:
		m.set(shortMunmap, addr, length, 0, 0, 0)
		return true
	case sysMremap:
		if !nextField(s, &i) {
			return false
		}
		newLength, _, ok := canonNum(s, i)
		if !ok {
			return false
		}
		m.set(shortMremap, addr, length, newLength, 0, 0)
		return true
	case sysMprotect:
		if !nextField(s, &i) {
			return false
		}
		prot, _, ok := memFlags(s, i, protTable)
		if !ok {
			return false
		}
		m.set(shortMprotect, addr, length, 0, uint8(prot&7), 0)
		return true
	}
	return false
}

// mmapMemo remembers what quickMem read from the last mmaps' texts after
// their address (", LENGTH, PROT, FLAGS, FD, OFFSET"), by a hash of the
// text: the mmaps of a build's processes load the same libraries, and of
// a Go runtime the same arenas, so that nearly every mmap of the bench
// shapes repeats one of the last 256 texts (a comparison instead of a
// number and two flag sets, some 200 instructions).
type mmapMemo [1 << mmapMemoBits]mmapMemoEntry

const mmapMemoBits = 8

// mmapMemoEntry is one text and what quickMem read from it. n is 0 for
// an empty slot (no text is empty).
type mmapMemoEntry struct {
	n           uint8
	prot, flags uint8
	length      uint64
	key         [mmapMemoKey]byte
}

// mmapMemoKey is the longest text remembered; those of the bench shapes
// are 30 to 80 bytes.
const mmapMemoKey = 104

// slot returns t's slot in the memo, or nil when t is too short or too
// long to be remembered (or there is no memo).
func (memo *mmapMemo) slot(t []byte) *mmapMemoEntry {
	n := len(t)
	if memo == nil || n < 16 || n > mmapMemoKey {
		return nil
	}
	// The length's digits, the middle (the flags) and the end (fd and
	// offset), and the length.
	h := binary.LittleEndian.Uint64(t) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(t[n/2-8:]), 21) ^
		bits.RotateLeft64(binary.LittleEndian.Uint64(t[n-8:]), 42) ^ uint64(n)
	return &memo[h*0x9e3779b97f4a7c15>>(64-mmapMemoBits)]
}

// canonNum reads, at s[i:], a number as strace prints an address or a
// size: NULL, 0x and 1 to 16 hex digits, or 1 to 19 decimal digits with no
// leading zero, up to a ',' or the end. ok is false for every other form
// (parseNum reads them).
func canonNum(s []byte, i int) (v uint64, end int, ok bool) {
	n := len(s)
	if i >= n {
		return 0, i, false
	}
	// By the first byte, sizes (decimal) first.
	switch c := s[i]; {
	case c >= '1' && c <= '9' || c == '0' && (i+1 == n || s[i+1] == ','):
		if n >= 8 {
			// Fewer than eight digits, the usual length, at once (as
			// digits reads them); one at a time they took 16
			// instructions each (scripts/ir-convert). At the end of s
			// (munmap's length), the last eight bytes, shifted: the zero
			// bytes that come in are no digits.
			var x uint64
			if t := s[i:]; len(t) >= 8 {
				x = binary.LittleEndian.Uint64(t)
			} else {
				x = binary.LittleEndian.Uint64(s[n-8:]) >> (8 * (8 - len(t)))
			}
			if k := leadingDigits(x); k < 8 {
				v, end = eightDigits((x^0x3030303030303030)<<(64-8*k)), i+k
				break
			}
		}
		j := i
		for j < n && j < i+19 && isDigit(s[j]) {
			v = v*10 + uint64(s[j]-'0')
			j++
		}
		end = j
	case c == '0' && i+2 < n && s[i+1] == 'x':
		// The usual address, twelve lowercase digits, two words at a
		// time (hex12's way): the loop below took some 160 instructions.
		if e := i + 14; e <= n && (e == n || s[e] == ',') {
			hi, ok1 := hexWord(binary.LittleEndian.Uint64(s[i+2:]))
			lo, ok2 := hexWord(binary.LittleEndian.Uint64(s[i+6:]))
			if ok1 && ok2 {
				return hi<<16 | lo&0xffff, e, true
			}
		}
		// Ranging over the digits' room rather than indexing s: 13
		// instructions a digit instead of 17 (scripts/ir-convert).
		j := i + 2
		for _, c := range s[j:min(n, i+18)] {
			h := hexDigit[c]
			if h > 15 {
				break
			}
			v = v<<4 | uint64(h)
			j++
		}
		if j == i+2 {
			return 0, i, false
		}
		end = j
	case c == 'N' && i+4 <= n && string(s[i:i+4]) == "NULL":
		end = i + 4
	default:
		return 0, i, false
	}
	if end < n && s[end] != ',' {
		return 0, i, false
	}
	return v, end, true
}

// nextField moves *i from a ',' over the ", " strace prints between
// arguments; false if the text there is not exactly that.
func nextField(s []byte, i *int) bool {
	if *i+3 > len(s) {
		return false
	}
	// One bounds check, one load for the ", " (22 instructions a field
	// with three bounds checks).
	if t := s[*i : *i+3]; binary.LittleEndian.Uint16(t) != ' '<<8|',' || t[2] == ' ' {
		return false
	}
	*i += 2
	return true
}

// mmapFlags is the addrspace flags of an mmap's MAP_ flags.
func mmapFlags(flags uint64) (f uint8) {
	if flags&mapShared == 0 || flags&mapPrivate != 0 {
		f |= addrspace.Private
	}
	if flags&mapAnonymous != 0 {
		f |= addrspace.Anonymous
	}
	if flags&mapStack != 0 {
		f |= addrspace.Stack
	}
	return f
}

// memArgsDecoded is decodeMem for every form of the arguments.
func memArgsDecoded(rec *Record, d *argDecoder) (m memCall) {
	a := memArgs(rec.Args, d.args[:4])
	failed := rec.RetVal < 0 && rec.RetVal > -4096
	var ok1, ok2, ok3 bool
	switch rec.sysCall() {
	case sysMmap:
		if len(a) < 4 || failed {
			return
		}
		if m.b, ok1 = parseNum(a[1]); !ok1 {
			return
		}
		prot := d.prot.parse(a[2], protNames, d.scratch)
		m.flags = mmapFlags(d.flags.parse(a[3], mapNames, d.scratch))
		m.prot = uint8(prot & 7)
		m.kind = shortMmap
	case sysMunmap:
		if len(a) < 2 || rec.RetVal != 0 {
			return
		}
		m.a, ok1 = parseNum(a[0])
		m.b, ok2 = parseNum(a[1])
		if ok1 && ok2 {
			m.kind = shortMunmap
		}
	case sysMremap:
		if len(a) < 3 || failed {
			return
		}
		m.a, ok1 = parseNum(a[0])
		m.b, ok2 = parseNum(a[1])
		m.c, ok3 = parseNum(a[2])
		if ok1 && ok2 && ok3 {
			m.kind = shortMremap
		}
	case sysMprotect:
		if len(a) < 3 || rec.RetVal != 0 {
			return
		}
		m.a, ok1 = parseNum(a[0])
		m.b, ok2 = parseNum(a[1])
		prot := d.prot.parse(a[2], protNames, d.scratch)
		m.prot = uint8(prot & 7)
		if ok1 && ok2 {
			m.kind = shortMprotect
		}
	case sysBrk:
		if len(a) < 1 {
			return
		}
		m.a, _ = parseNum(a[0])
		m.kind = shortBrk // a query (brk(NULL)) too: it tells where the heap starts
	}
	return
}

func (c *Converter) memory(rec *Record, p *proc, t int64) {
	// Decoded into the Converter's own memCall: one returned and copied
	// cost some 40 instructions a call (scripts/ir-convert).
	m := &c.mem
	decodeMem(m, rec, c.dec)
	ret := uint64(rec.RetVal)
	kind := m.kind
	switch kind {
	case shortMmap:
		p.space.Map(ret, m.b, m.prot, m.flags)
	case shortMunmap:
		p.space.Unmap(m.a, m.b)
	case shortMremap:
		p.space.Remap(m.a, m.b, m.c, ret)
	case shortMprotect:
		p.space.Protect(m.a, m.b, m.prot)
	case shortBrk:
		p.space.Brk(m.a, ret)
		if m.a == 0 {
			return // a query
		}
	default:
		return
	}
	c.Stats.MemoryCalls++
	if p.hold == nil && p.pid != 0 && c.emitShort != nil && c.err == nil {
		// outShort's usual case, inline: the call was some 10
		// instructions of the most frequent row.
		c.Stats.Rows++
		if err := c.emitShort.AppendShortKind(t, p.pid, p.ppid, int32(kind), p.comm, 0); err != nil {
			c.err = err
		}
	} else if p.hold == nil { // see holdShort
		c.outShort(t, p.pid, p.ppid, kind, p.comm, 0)
	} else {
		c.holdShort(p, t, kind, 0)
	}
}

// decodeExec reads the path and argv of an execve or execveat call, and
// whether strace cut its arguments short.
func decodeExec(rec *Record, d *argDecoder) (file string, argv []string, cut bool) {
	cut = argsCut(rec.Args)
	if rec.sysCall() == sysExecve {
		if file, argv, ok := quickExec(rec.Args, d); ok {
			return file, argv, cut
		}
	}
	file, argv = execArgs(rec, d)
	return file, argv, cut
}

// execArgs reads the path and argv of every form of execve and execveat.
func execArgs(rec *Record, d *argDecoder) (file string, argv []string) {
	a := splitArgs(rec.Args, d.args[:4])
	pi, ai := 0, 1
	if rec.sysCall() == sysExecveat {
		pi, ai = 1, 2
	}
	if len(a) > pi {
		if b, ok := unquote(d.scratch[:0], unname(a[pi])); ok {
			file = string(b)
		}
	}
	if len(a) > ai {
		text := unname(a[ai])
		for k := range d.argv {
			if d.argv[k] != nil && bytes.Equal(text, d.argvText[k]) {
				return file, d.argv[k]
			}
		}
		argv, _ = parseArgv(text, d.scratch)
		d.remember(text, argv, false)
	}
	return file, argv
}

// remember keeps argv, decoded from text, among the last argvs; walked
// says quickExec's walk read it.
func (d *argDecoder) remember(text []byte, argv []string, walked bool) {
	k := d.argvNext
	d.argvText[k] = append(d.argvText[k][:0], text...)
	d.argv[k] = argv
	d.argvWalked[k] = walked && argv != nil
	d.argvNext = (k + 1) % len(d.argv)
}

// quickExec is decodeExec's usual case, an execve whose path and argv
// are plain quoted strings: one pass over them (splitArgs walked the whole
// argv only to find where it ends, and parseArgv walked it again). ok is
// false for anything else, which the general code reads.
func quickExec(s []byte, d *argDecoder) (file string, argv []string, ok bool) {
	if len(s) == 0 || s[0] != '"' {
		return "", nil, false
	}
	j := bytes.IndexByte(s[1:], '"')
	if j < 0 || bytes.IndexByte(s[1:1+j], '\\') >= 0 {
		return "", nil, false
	}
	path := s[1 : 1+j]
	k := j + 2
	if bytes.HasPrefix(s[k:], []byte("...")) {
		k += 3
	}
	if !bytes.HasPrefix(s[k:], []byte(", [")) {
		return "", nil, false
	}
	open := k + 2
	file = string(path)
	// A PATH search repeats an argv: one of the last ones, followed by
	// the next argument, is this one without walking it (a walk of the
	// same bytes ends where it ended).
	// Only an argv that a walk read will do: the general code also
	// remembers texts with unbalanced quotes, which read otherwise when
	// followed by more.
	for k := range d.argv {
		t := d.argvText[k]
		if d.argvWalked[k] && bytes.HasPrefix(s[open:], t) && (open+len(t) == len(s) || s[open+len(t)] == ',') {
			return file, d.argv[k], true
		}
	}
	// One walk finds where the argv ends and where its elements lie.
	var spanBuf [64]argvSpan
	in := s[open+1:]
	buf, spans, e, ok := walkArgv(in, d.scratch[:0], spanBuf[:0])
	d.scratch = buf[:0]
	if !ok || e >= len(in) || in[e] != ']' || e+1 < len(in) && in[e+1] != ',' {
		return "", nil, false
	}
	text := s[open : open+1+e+1]
	argv = spanStrings(in, buf, spans)
	d.remember(text, argv, true)
	return file, argv, true
}

// argsCut reports whether strace cut arguments short: a string ending in
// `"...` or an array ending in ", ...]". One search for the rare "..."
// instead of one for each form (each stopped at every quote of a long
// argv).
func argsCut(a []byte) bool {
	for i := 0; ; {
		k := bytes.Index(a[i:], []byte("..."))
		if k < 0 {
			return false
		}
		k += i
		if k > 0 && a[k-1] == '"' || k >= 2 && a[k-2] == ',' && a[k-1] == ' ' && k+3 < len(a) && a[k+3] == ']' {
			return true
		}
		i = k + 1
	}
}

// cloneFlags reads the flags of a clone or clone3 call.
func (c *Converter) cloneFlags(rec *Record) (uint64, bool) {
	vs := cloneFlagsAt(rec.Args, rec.sysCall())
	if vs >= 0 {
		// A build's clones repeat a few flag sets: field took some 1200
		// instructions a clone to find one (scripts/ir-convert).
		t := rec.Args[vs:]
		for k, key := range c.cloneKeys {
			if key != nil && bytes.HasPrefix(t, key) &&
				(len(t) > len(key) && t[len(key)] == ',' || len(t) == len(key) && rec.sysCall() == sysClone) {
				return c.cloneVals[k], c.cloneGoods[k]
			}
		}
	}
	v, f, ok := c.cloneFlagsField(rec)
	if vs >= 0 && len(v) > 0 && plainArg(v) {
		k := c.cloneNext
		c.cloneKeys[k], c.cloneVals[k], c.cloneGoods[k] = append(c.cloneKeys[k][:0], v...), f, ok
		c.cloneNext = (k + 1) % len(c.cloneKeys)
	}
	return f, ok
}

// cloneFlagsAt returns where the value of the flags argument starts in
// args, the arguments of a clone or clone3 call, when they start as strace
// prints them ("child_stack=0x7f3c1b5fdff0, flags=" and "{flags="); -1 for
// any other form. From there, a plain value (plainArg) followed by a ','
// (or, for clone, the end) is the one field finds.
func cloneFlagsAt(args []byte, sys sysCall) int {
	if sys == sysClone3 {
		if len(args) >= 7 && string(args[:7]) == "{flags=" {
			return 7
		}
		return -1
	}
	if sys != sysClone || len(args) < 12 || string(args[:12]) != "child_stack=" {
		return -1
	}
	i := 12
	for i < len(args) && args[i] != ',' {
		if argSpecial[args[i]] {
			return -1
		}
		i++
	}
	if len(args)-i < 8 || string(args[i:i+8]) != ", flags=" {
		return -1
	}
	return i + 8
}

// plainArg reports whether s holds none of the bytes that nextArg tells
// apart.
func plainArg(s []byte) bool {
	for _, b := range s {
		if argSpecial[b] {
			return false
		}
	}
	return true
}

// cloneFlagsField is cloneFlags for every form of the arguments: the
// flags argument's value too (nil if there is none).
func (c *Converter) cloneFlagsField(rec *Record) ([]byte, uint64, bool) {
	args := rec.Args
	if rec.sysCall() == sysClone3 {
		a, _ := nextArg(args, 0)
		a = bytes.TrimSpace(a)
		if len(a) < 2 || a[0] != '{' {
			return nil, 0, false
		}
		end := bytes.LastIndexByte(a, '}')
		if end < 0 {
			end = len(a)
		}
		args = a[1:end]
	}
	v, ok := field(args, "flags")
	if !ok {
		return nil, 0, false
	}
	f, good := c.cloneMemo.parseOK(v, cloneAndSignalNames, c.scratch)
	if !good && f == 0 {
		return v, 0, false
	}
	return v, f, true
}

func (c *Converter) creation(rec *Record, p *proc, tid int32, t int64) {
	if rec.Ret != RetValue || rec.RetVal <= 0 || rec.RetVal >= 1<<31 {
		if rec.Ret == RetError {
			c.Stats.FailedClones++
		}
		return // failed or never returned: nothing was created
	}
	child := int32(rec.RetVal)
	delete(c.attached, child) // its "attached" message served its purpose
	var flags uint64
	hasFlags, known := false, true
	var kind trace.Kind
	call := trace.LinuxClone
	switch rec.sysCall() {
	case sysFork:
		call = trace.LinuxFork
	case sysVFork:
		call = trace.LinuxVFork
	default:
		if rec.sysCall() == sysClone3 {
			call = trace.LinuxClone3
		}
		hasFlags = true
		if flags, known = c.cloneFlags(rec); !known {
			c.Stats.UnknownFlags++
			hasFlags = false
		}
	}
	kind = trace.ClassifyLinux(call, flags, hasFlags)
	if kind == trace.Thread {
		c.Stats.Threads++
		if old, ok := c.tasks[child]; ok && old != p {
			c.orphanIsThread(old, p)
		}
		c.setTask(child, p)
		p.threads++
		p.tids = append(p.tids, child)
		ev := c.event(p, t, trace.Thread)
		ev.ChildPID, ev.CloneFlags, ev.HasCloneFlags = child, flags, hasFlags
		c.row(p, ev)
		return
	}
	ppid := p.pid
	parent := p
	if hasFlags && flags&cloneParent != 0 {
		ppid = p.ppid
		parent = p.parent
	}
	ev := new(trace.Event) // held below; c.gone may use the scratch event
	ev.TimeNs, ev.PID, ev.PPID, ev.Kind, ev.Comm = t, p.pid, p.ppid, kind, p.comm
	ev.ChildPID, ev.CloneFlags, ev.HasCloneFlags = child, flags, hasFlags
	ev.Snapshot, ev.HasSnapshot = c.snapshot(p), true
	// The child: new, or seen already (its lines came before the parent's
	// call returned), or a stale entry of a reused pid.
	ch, seen := c.tasks[child]
	if !seen {
		if ch, seen = c.deadOrphans[child]; seen {
			delete(c.deadOrphans, child)
		}
	}
	if seen && (!ch.orphan || ch == p) {
		c.gone(ch) // pid reuse: the old process's exit was not in the log
		seen = false
	}
	if !seen {
		ch = c.newProc(child)
		c.setTask(child, ch)
		if hasFlags && flags&cloneVM != 0 || kind == trace.VFork {
			ch.space = p.space // shared until the child execs
			p.space.Share()
		} else {
			ch.space = p.space.Clone()
		}
	} else if !ch.execd {
		// An orphan that has not exec'd: give it the parent's space.
		if hasFlags && flags&cloneVM != 0 || kind == trace.VFork {
			ch.space = p.space
			p.space.Share()
		} else {
			ch.space = p.space.Clone()
		}
	}
	ch.ppid, ch.parent, ch.orphan = ppid, parent, false
	if ch.comm == "" {
		ch.comm = p.comm
	}
	// The creation row is held, in the lane of p's rows if they are held,
	// until the child's first exec or exit.
	p.hold = p.hold.Holder()
	h := c.lanes.Open(p.hold, holdKey{creation: ev, child: ch}, ev.TimeNs)
	c.lanes.Push(h, heldRow{ev: ev, p: p})
	if oh := ch.hold; seen && oh != nil && !oh.Finished() {
		// The orphan's rows follow the creation row.
		c.lanes.Adopt(h, oh)
	}
	ch.hold, ch.created = h, h
	switch {
	case ch.execd:
		c.resolve(h, ch.execNs, true)
	case ch.exited:
		c.resolve(h, 0, false)
	}
	c.lanes.Fit()
}

// orphanIsThread: a tid whose lines came before its creating clone turned
// out to be a thread of p; its held rows belong to p.
func (c *Converter) orphanIsThread(o, p *proc) {
	if h := o.hold; h != nil && !h.Finished() {
		for r := range h.Rows() { // its own rows, not its children's
			if r.p == o {
				rowPID, rowPPID := r.pids()
				*rowPID, *rowPPID = p.pid, p.ppid
				r.p = p
			}
		}
		c.resolve(h, 0, false)
	}
}

// gone forgets a process whose pid is being reused.
func (c *Converter) gone(p *proc) {
	if p.created != nil {
		c.resolve(p.created, 0, false)
	}
	if p.fbHas && !p.exited {
		c.exitRow(p, p.fbTime, p.fbStatus, true, 0, false)
		c.Stats.ExitFallbacks++
	}
	c.forget(p)
}

func (c *Converter) forget(p *proc) {
	if p.orphan && p.exited {
		c.deadOrphans[p.pid] = p
	}
	if c.tasks[p.pid] == p {
		c.delTask(p.pid)
	}
	for _, t := range p.tids {
		if c.tasks[t] == p {
			c.delTask(t)
		}
	}
	p.tids = nil
	if c.sole == p {
		c.sole = nil
	}
	// No record reaches p any more (its pid is a new process's), nor
	// its space, unless another process shares it.
	p.space.Recycle()
}

func (c *Converter) exec(rec *Record, p *proc, tid int32, t int64) {
	// Taken out of the record: its batch's slot, which resetLine leaves
	// as it is (a cost on every line), would keep the argv alive until
	// another exec is lexed into it, and the 8192 slots of the batches
	// in flight raised the peak RSS of the libc shape's conversion from
	// 93 to 136-160 MiB.
	file, argv, cut := rec.execFile, rec.execArgv, rec.execCut
	rec.execFile, rec.execArgv = "", nil
	if rec.Interrupted && rec.Ret != RetValue {
		return
	}
	if !rec.decoded {
		file, argv, cut = decodeExec(rec, c.dec)
	}
	if cut {
		c.Stats.CutArgs++
	}
	success := rec.Ret == RetValue && rec.RetVal == 0 || rec.Ret == RetNone && !rec.Interrupted && tid != p.pid
	if !success {
		if rec.Ret == RetError {
			c.Stats.ExecsFailed++
			ev := c.event(p, t, trace.ExecFailed)
			ev.ExecPath, ev.Argv = file, argv
			c.row(p, ev)
		}
		return
	}
	c.Stats.Execs++
	// The image is replaced: a new address space (not the one shared with
	// a vfork parent), one thread.
	p.space.Recycle()
	p.space = addrspace.New(c.opt.PageSize)
	for _, th := range p.tids {
		if c.tasks[th] == p {
			c.delTask(th)
		}
	}
	p.tids = nil
	p.threads = 1
	// The -Y comm of an execve line is the one before the exec.
	if file != "" {
		p.comm = comm(file)
	}
	ev := c.event(p, t, trace.Exec)
	ev.ExecPath, ev.Argv = file, argv
	c.row(p, ev)
	if !p.execd {
		p.execd, p.execNs = true, t
		if p.created != nil {
			c.resolve(p.created, t, true)
		}
	}
}

// comm is the kernel's command name for a path: the base name, cut to 15 bytes.
func comm(file string) string {
	b := path.Base(file)
	if len(b) > 15 {
		b = b[:15]
	}
	return b
}

func (c *Converter) exitLine(rec *Record, p *proc, tid int32, t int64) {
	if rec.SupersededBy != 0 {
		// Thread SupersededBy exec'd; the process keeps the leader's pid.
		if th, ok := c.tasks[rec.SupersededBy]; ok && th == p {
			c.delTask(rec.SupersededBy)
		}
		return
	}
	if tid != p.pid {
		// A thread ended.
		if c.tasks[tid] == p {
			c.delTask(tid)
		}
		if i := slices.Index(p.tids, tid); i >= 0 {
			p.tids = slices.Delete(p.tids, i, i+1)
		}
		if p.threads > 1 {
			p.threads--
		}
		return
	}
	if p.exited {
		return
	}
	if rec.KillSignal != nil {
		c.exitRow(p, t, 0, false, signalNumber(rec.KillSignal), rec.CoreDumped)
	} else {
		c.exitRow(p, t, rec.ExitStatus, true, 0, false)
	}
}

func (c *Converter) exitRow(p *proc, t int64, status int32, hasStatus bool, sig int32, core bool) {
	p.exited = true
	c.Stats.Exits++
	ev := c.event(p, t, trace.Exit)
	ev.ExitStatus, ev.HasExitStatus, ev.Signal, ev.CoreDumped = status, hasStatus, sig, core
	c.row(p, ev)
	if p.created != nil {
		c.resolve(p.created, 0, false)
	}
	if p == c.unknown && p.hold != nil && p.hold.Key.alias {
		// Never learnt its pid.
		c.unknown = nil
		c.resolve(p.hold, 0, false)
	}
	c.forget(p)
}

func (c *Converter) signal(rec *Record, p *proc, t int64) {
	// The last name's number: a Go program's log is full of SIGURG.
	if !c.sigSet || string(rec.Signal) != string(c.sigName) {
		c.sigName, c.sigNum, c.sigSet = append(c.sigName[:0], rec.Signal...), signalNumber(rec.Signal), true
	}
	sig := c.sigNum
	if p.hold == nil { // see holdShort
		c.outShort(t, p.pid, p.ppid, shortSignal, p.comm, sig)
	} else {
		c.holdShort(p, t, shortSignal, sig)
	}
	if sig != 17 || rec.SigInfo == nil {
		return
	}
	// SIGCHLD: the last source of a child's exit status.
	n, ok := sigchldPID(rec.SigInfo)
	if !ok || n == 0 || n >= 1<<31 {
		return
	}
	q, ok := c.tasks[int32(n)]
	if !ok || q.pid != int32(n) || q.exited {
		return
	}
	code, _ := field(rec.SigInfo, "si_code")
	code = bytes.TrimSpace(stripComments(code, nil))
	status, _ := field(rec.SigInfo, "si_status")
	switch string(code) {
	case "CLD_EXITED", "0x1", "1":
		st := int32(0)
		if v, ok := parseNum(stripComments(status, nil)); ok {
			st = int32(v)
		}
		if q.fbHas {
			st = q.fbStatus
		}
		c.exitRow(q, t, st, true, 0, false)
	case "CLD_KILLED", "0x2", "2":
		c.exitRow(q, t, 0, false, signalNumber(status), false)
	case "CLD_DUMPED", "0x3", "3":
		c.exitRow(q, t, 0, false, signalNumber(status), true)
	default:
		return // stopped, continued, trapped
	}
	c.Stats.ExitFallbacks++
}

// sigchldPID reads si_pid from a SIGCHLD's siginfo (parseNum of its
// field). The usual one, "si_signo=SIGCHLD, si_code=CLD_EXITED,
// si_pid=17023, ...", is read where strace prints it: field walked the
// text before it byte by byte (half a percent of a build log's
// conversion, scripts/ir-convert); its child has most often exited
// already, and nothing more is read.
func sigchldPID(info []byte) (uint64, bool) {
	const head, pid = "si_signo=SIGCHLD, si_code=", ", si_pid="
	if len(info) > len(head) && string(info[:len(head)]) == head {
		i := len(head)
		for i < len(info) && info[i] != ',' && !argSpecial[info[i]] {
			i++
		}
		if len(info)-i > len(pid) && string(info[i:i+len(pid)]) == pid {
			// A decimal number, without a leading 0 (octal to parseNum).
			j, n := i+len(pid), uint64(0)
			for k := j; k < len(info) && k < j+10 && isDigit(info[k]); k++ {
				n = n*10 + uint64(info[k]-'0')
			}
			e := j
			for e < len(info) && isDigit(info[e]) {
				e++
			}
			if e > j && e-j <= 10 && (info[j] != '0' || e == j+1) && (e == len(info) || info[e] == ',') {
				return n, true
			}
		}
	}
	v, ok := field(info, "si_pid")
	if !ok {
		return 0, false
	}
	return parseNum(v)
}

// Finish writes everything still held: exits known only from exit_group,
// and creations whose child never exec'd in the log.
func (c *Converter) Finish() error {
	// Processes whose exit_group was seen but no +++ line: exit rows.
	var fb []*proc
	seen := map[*proc]bool{}
	for _, p := range c.tasks {
		if seen[p] {
			continue
		}
		seen[p] = true
		if p.fbHas && !p.exited {
			fb = append(fb, p)
		} else if !p.exited {
			c.Stats.NotExited++
		}
	}
	// In time order, and by pid among rows of one time: the processes
	// come from a map, whose order changes from run to run, and two
	// conversions of one log must write the same file.
	slices.SortFunc(fb, func(a, b *proc) int {
		if c := cmp.Compare(a.fbTime, b.fbTime); c != 0 {
			return c
		}
		return cmp.Compare(a.pid, b.pid)
	})
	for _, p := range fb {
		c.exitRow(p, p.fbTime, p.fbStatus, true, 0, false)
		c.Stats.ExitFallbacks++
	}
	c.unknown = nil
	c.lanes.Drain()
	return c.err
}

// moveUnfinished moves the unfinished call of pid from to pid to (a thread's
// execve is resumed under the leader's pid).
func (r *Reader) moveUnfinished(from, to int32) {
	if p, ok := r.lookupPend(from); ok {
		r.delPend(from)
		if !p.on {
			r.free = append(r.free, p)
			return
		}
		if old, ok := r.lookupPend(to); ok {
			if old.on {
				if old.create {
					r.nCreate--
				}
				r.nPend--
				old.on = false
			}
			r.free = append(r.free, old)
		}
		r.setPend(to, p)
	}
}

// waitStatus reads the status that wait4 decodes, such as
// [{WIFEXITED(s) && WEXITSTATUS(s) == 3}] or
// [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}].
func waitStatus(args []byte) (status int32, has bool, sig int32, core bool) {
	if i := bytes.Index(args, []byte("WEXITSTATUS(s) == ")); i >= 0 {
		v, k := digits(args, i+len("WEXITSTATUS(s) == "))
		if k > i+len("WEXITSTATUS(s) == ") {
			return int32(v & 0xff), true, 0, false
		}
	}
	if i := bytes.Index(args, []byte("WTERMSIG(s) == ")); i >= 0 {
		rest := args[i+len("WTERMSIG(s) == "):]
		e := 0
		for e < len(rest) && (isNameChar(rest[e])) {
			e++
		}
		return 0, false, signalNumber(rest[:e]), bytes.Contains(rest, []byte("WCOREDUMP(s)"))
	}
	return 0, false, 0, false
}

// memArgs splits the first arguments of a memory call, which are numbers and
// flag sets (no strings or structs): plain comma splitting suffices, and is
// much faster than nextArg. A decorated fd (-y) comes after them.
func memArgs(s []byte, out [][]byte) [][]byte {
	out = out[:0]
	i, n := 0, len(s)
	for len(out) < cap(out) && i < n {
		for i < n && s[i] == ' ' {
			i++
		}
		j := n
		if k := bytes.IndexByte(s[i:], ','); k >= 0 {
			j = i + k
		}
		e := j
		for e > i && s[e-1] == ' ' {
			e--
		}
		out = append(out, unname(s[i:e]))
		i = j + 1
	}
	return out
}
