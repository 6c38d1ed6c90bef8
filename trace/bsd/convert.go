package bsd

import (
	"bytes"
	"slices"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/addrspace"
	"github.com/forkcost/forkcost/trace/lookahead"
	"github.com/forkcost/forkcost/trace/textconv"
)

// Options tune a Converter: textconv's, as for every format, and the BSD
// formats' own.
type Options struct {
	textconv.Options
	// Truss says the records come from truss: one line per complete call,
	// no CALL records, so a new pid always waits for its creator.
	Truss bool
	// CommMax is the length the kernel cuts command names to (19 on
	// FreeBSD, 16 on NetBSD, 23 on OpenBSD); used when a log shows no
	// command names (truss). 19 if 0.
	CommMax int
}

// DefaultResidentFraction is the default Options.ResidentFraction (the
// same for every format).
const DefaultResidentFraction = textconv.DefaultResidentFraction

// DefaultMaxHeld is the default Options.MaxHeld (the same for every format).
const DefaultMaxHeld = textconv.DefaultMaxHeld

// Stats counts what a conversion met: textconv's counters, and the BSD
// formats' own.
type Stats struct {
	textconv.Stats
	UnknownRecords int64 // records of an unknown type, skipped
	Signals        int64
	SignalDeaths   int64 // exits taken from a PSIG with SIG_DFL
	Minherit       int64
	FailedForks    int64
	OrphanRets     int64 // RET records without their CALL
	Unclaimed      int64 // pids that appeared during a creation but no creation claimed
	SpawnNoChild   int64 // posix_spawn calls whose child never showed up
	NoPID          int64 // records without a pid (truss without -f): pid 0
}

// callKind classifies the calls the Converter follows.
type callKind uint8

const (
	ckNone callKind = iota
	ckFork
	ckVFork
	ckRFork
	ckPDFork
	ckSpawn
	ckThread
	ckExec
	ckExit
	ckThreadExit
	ckMmap
	ckMunmap
	ckMprotect
	ckBreak
	ckMremap
	ckMinherit
	ckWait
)

func classify(name []byte) callKind {
	switch string(name) {
	case "fork", "__fork", "sys_fork":
		return ckFork
	case "vfork", "__vfork14", "sys_vfork":
		return ckVFork
	case "rfork":
		return ckRFork
	case "pdfork":
		return ckPDFork
	case "posix_spawn":
		return ckSpawn
	case "_lwp_create", "thr_new", "thr_create", "__tfork", "lwp_create", "lwp_create2":
		return ckThread
	case "execve", "fexecve", "__execve", "sys_execve":
		return ckExec
	case "exit", "_exit", "sys_exit":
		return ckExit
	case "_lwp_exit", "thr_exit", "__threxit", "lwp_exit", "extexit":
		return ckThreadExit
	case "mmap", "sys_mmap":
		return ckMmap
	case "munmap":
		return ckMunmap
	case "mprotect":
		return ckMprotect
	case "break", "obreak", "sbrk":
		return ckBreak
	case "mremap":
		return ckMremap
	case "minherit":
		return ckMinherit
	case "wait4", "__wait450", "wait6", "waitpid", "wait", "waitid":
		return ckWait
	}
	return ckNone
}

func (k callKind) creates() bool {
	return k == ckFork || k == ckVFork || k == ckRFork || k == ckPDFork || k == ckSpawn
}

// pcall is a call whose RET has not come yet.
type pcall struct {
	kind  callKind
	tid   int32
	name  []byte
	args  []byte
	t     int64
	seq   int64
	slot  *slot
	path  []byte
	nami  bool
	argv  []string
	comm  string // the command name at the CALL
	spawn bool   // a posix_spawn whose child is awaited (see Converter.spawnWait)
}

type inherit struct{ addr, length uint64 }

type proc struct {
	pid, ppid int32
	comm      string
	space     *addrspace.Space
	threads   int32
	tids      []int32
	calls     []*pcall
	created   *slot // this process's creation row, waiting for its first exec
	execd     bool
	exited    bool
	orphan    bool // seen while a creation was open, not claimed yet
	oslot     *slot
	orows     []*slot
	firstSeq  int64
	firstT    int64
	firstNami []byte
	death     *slot // a fatal PSIG SIG_DFL, waiting to be sure
	noInherit []inherit
	exitCall  bool // truss: exit(N) seen
	exitStat  int32
	exitT     int64
	execNs    int64 // time of the first exec
	newThread *slot // a thread row waiting for the new thread's id
}

// Converter turns Records into trace events, in the order described in the
// package documentation. Feed it with Add, then call Finish.
type Converter struct {
	opt   Options
	base  addrspace.Baseline
	emit  func(*trace.Event) error
	err   error
	procs map[int32]*proc
	q     lookahead.Queue[trace.Event]
	now   int64 // the time of the record being converted
	// orphans are pids seen while a creation was open, oldest first.
	orphans []*proc
	// spawnWait are posix_spawn calls returned without a child seen yet.
	spawnWait []*pspawn
	// open counts creation calls whose RET has not come.
	open     int
	seq      int64
	first    bool
	form     TimeForm
	start    int64
	last     int64
	startOK  bool
	firstPID bool
	// bytesRead is the input consumed so far, when pipelined.
	bytesRead int64

	argBuf    [8][]byte
	scratch   []byte
	ev        trace.Event
	freeCalls []*pcall
	// emitShort takes the memory rows, if set (SetEmitShort).
	emitShort textconv.ShortWriter

	Stats Stats
}

type pspawn struct {
	parent *proc
	slot   *slot
	path   []byte
}

// NewConverter returns a Converter that passes events to emit; the event
// is valid only during the call.
func NewConverter(opt Options, emit func(*trace.Event) error) *Converter {
	opt.Options = opt.Options.WithDefaults()
	if opt.CommMax <= 0 {
		opt.CommMax = 19
	}
	c := &Converter{opt: opt, emit: emit, procs: map[int32]*proc{}}
	c.q.MaxHeld = opt.MaxHeld
	if opt.MaxAge > 0 { // Options.MaxAge bounds only when positive
		c.q.MaxAge = opt.MaxAge
	}
	c.base = opt.BaselineOf()
	c.Stats.Stats = textconv.NewStats()
	return c
}

// Start returns the log-clock time of time_ns 0 and the time form.
func (c *Converter) Start() (int64, TimeForm, bool) { return c.start, c.form, c.startOK }

// Held returns the number of rows waiting in the queue.
func (c *Converter) Held() int { return c.q.Len() }

// Options returns the options in effect.
func (c *Converter) Options() Options { return c.opt }

// Baseline returns the per-exec baseline in effect.
func (c *Converter) Baseline() addrspace.Baseline { return c.base }

// SetTimeForm sets the form of the records' times; call it before the
// first Add (Run does).
func (c *Converter) SetTimeForm(f TimeForm) { c.form = f }

func (c *Converter) time(rec *Record) int64 {
	c.seq++
	switch c.form {
	case TimeNone, TimeDuration, TimeAuto:
		if !c.startOK {
			c.startOK = true
		}
		return (c.seq - 1) * 1000
	}
	if !rec.HasTime {
		return c.last
	}
	if !c.startOK {
		c.startOK, c.start = true, rec.Time
	}
	t := rec.Time - c.start
	if t < c.last {
		c.Stats.TimeBackwards++
	}
	if t < 0 {
		t = 0
	}
	if t > c.last {
		c.last = t
	}
	return t
}

// Add converts one record.
func (c *Converter) Add(rec *Record) error {
	if c.err != nil {
		return c.err
	}
	c.Stats.Records++
	t := c.time(rec)
	c.now = t
	if rec.Type == Other {
		if rec.Unknown {
			c.Stats.UnknownRecords++
		}
		// Still a sign of life of the process.
		if p := c.procs[rec.PID]; p != nil && p.death != nil && !p.exited {
			c.cancelDeath(p)
		}
		return c.err
	}
	if !rec.HasPID {
		c.Stats.NoPID++
	}
	p := c.task(rec, t)
	if p == nil {
		return c.err
	}
	tid := rec.PID
	if rec.HasTID {
		tid = rec.TID
	}
	switch rec.Type {
	case Call:
		c.call(rec, p, tid, t)
	case Ret:
		c.ret(rec, p, tid, t)
	case Syscall:
		c.call(rec, p, tid, t)
		c.ret(rec, p, tid, t)
	case Nami:
		if pc := p.pending(tid, ckExec, ckSpawn); pc != nil && !pc.nami {
			pc.nami = true
			pc.path = append(pc.path[:0], rec.Text...)
		} else if p.orphan && p.firstNami == nil {
			p.firstNami = append([]byte{}, rec.Text...)
		}
	case ArgItem:
		pc := p.pending(tid, ckExec)
		if pc == nil {
			pc = p.pendingAny(ckExec)
		}
		if pc == nil {
			break
		}
		if rec.Index >= 0 {
			pc.argv = append(pc.argv, string(rec.Text))
			break
		}
		// All the arguments at once, NUL-separated (NetBSD ARG).
		if text := bytes.TrimSuffix(rec.Text, []byte{0}); len(text) > 0 {
			for _, a := range bytes.Split(text, []byte{0}) {
				pc.argv = append(pc.argv, string(a))
			}
		}
	case Psig:
		c.psig(rec, p, t)
	case ProcExit:
		if rec.Killed {
			c.exitRow(p, t, 0, false, rec.Signal, rec.CoreDumped)
		} else {
			c.exitRow(p, t, rec.Status, true, 0, false)
		}
	case NewThread:
		c.Stats.Threads++
		p.threads++
		c.row(p, &trace.Event{TimeNs: t, PID: p.pid, PPID: p.ppid, Kind: trace.Thread, ChildPID: rec.TID, Comm: p.comm})
	case ThreadExit:
		if p.threads > 1 {
			p.threads--
		}
	case Emul, NewProc:
		// Seen; nothing to write.
	}
	c.flush()
	return c.err
}

func (p *proc) pending(tid int32, kinds ...callKind) *pcall {
	for _, pc := range p.calls {
		if pc.tid == tid && slices.Contains(kinds, pc.kind) {
			return pc
		}
	}
	return nil
}

func (p *proc) pendingAny(kind callKind) *pcall {
	for _, pc := range p.calls {
		if pc.kind == kind {
			return pc
		}
	}
	return nil
}

func (p *proc) take(tid int32, kind callKind) *pcall {
	for i, pc := range p.calls {
		if pc.tid == tid && pc.kind == kind {
			p.calls = slices.Delete(p.calls, i, i+1)
			return pc
		}
	}
	return nil
}

func (c *Converter) newProc(pid int32, t int64) *proc {
	p := &proc{pid: pid, space: addrspace.New(c.opt.PageSize), threads: 1, firstSeq: c.seq, firstT: t}
	c.procs[pid] = p
	return p
}

// task finds or makes the process of a record.
func (c *Converter) task(rec *Record, t int64) *proc {
	pid := rec.PID
	p := c.procs[pid]
	if p != nil && p.exited {
		c.forget(p)
		p = nil
	}
	if p == nil {
		p = c.newProc(pid, t)
		switch {
		case len(c.spawnWait) > 0 && !c.opt.Truss:
			// The child of a posix_spawn that returned before the child
			// showed up.
			w := c.spawnWait[0]
			c.spawnWait = c.spawnWait[1:]
			if len(rec.Comm) > 0 {
				p.comm = string(rec.Comm)
			}
			c.linkSpawn(w.parent, p, w.slot, w.path, t)
		case c.opt.Truss && c.firstPID || !c.opt.Truss && c.open > 0:
			p.orphan = true
			p.oslot = c.q.Get()
			p.oslot.Waits, p.oslot.Keep = 1, true
			c.q.Push(p.oslot, c.now)
			c.orphans = append(c.orphans, p)
		}
		c.firstPID = true
	} else if p.death != nil {
		c.cancelDeath(p)
	}
	if len(rec.Comm) > 0 && string(rec.Comm) != p.comm {
		p.comm = string(rec.Comm)
	}
	if rec.HasTID && !slices.Contains(p.tids, rec.TID) {
		if s := p.newThread; s != nil && len(p.tids) > 0 {
			if !s.Done {
				s.Row.ChildPID = rec.TID
			}
			c.release(s)
			p.newThread = nil
		}
		p.tids = append(p.tids, rec.TID)
		if int32(len(p.tids)) > p.threads {
			p.threads = int32(len(p.tids))
		}
	}
	return p
}

// forget removes an exited process.
func (c *Converter) forget(p *proc) {
	if c.procs[p.pid] == p {
		delete(c.procs, p.pid)
	}
}

func (c *Converter) row(p *proc, ev *trace.Event) {
	if c.q.Len() == 0 && !p.orphan {
		c.out(ev)
		return
	}
	s := c.q.Get()
	s.Row, s.Has = *ev, true
	if p.orphan {
		s.Keep = true
		p.orows = append(p.orows, s)
	}
	c.q.Push(s, c.now)
	if c.q.Len() > c.opt.MaxHeld {
		c.flush()
	}
}

// openSlot reserves the place of a row to be known later.
func (c *Converter) openSlot() *slot {
	s := c.q.Get()
	s.Waits, s.Keep = 1, true
	c.q.Push(s, c.now)
	return s
}

// fill puts ev into s; wait says whether it must still wait. A slot
// forced out already gets a new slot at the end of the queue, returned.
func (c *Converter) fill(s *slot, ev *trace.Event, wait bool) *slot {
	if s.Done {
		ns := c.q.Get()
		ns.Keep = true
		c.q.Push(ns, c.now)
		s = ns
	}
	s.Row, s.Has, s.Waits = *ev, true, 0
	if wait {
		s.Waits = 1
	}
	return s
}

func (c *Converter) drop(s *slot) {
	if s != nil && !s.Done {
		s.Has, s.Waits = false, 0
	}
}

func (c *Converter) release(s *slot) {
	if s != nil {
		s.Waits = 0
	}
}

func (c *Converter) flush() {
	c.Stats.ForcedRelease += c.q.Flush(c.now, c.out)
}

func (c *Converter) out(ev *trace.Event) {
	if c.err != nil {
		return
	}
	c.Stats.Counted(ev)
	if c.emitShort != nil && ev.Kind.IsMemory() {
		// Memory rows (made by memory only) set these five fields.
		c.err = c.emitShort.AppendShortKind(ev.TimeNs, ev.PID, ev.PPID, int32(ev.Kind.Index()), ev.Comm, 0)
		return
	}
	c.err = c.emit(ev)
}

// SetEmitShort makes the converter pass its memory rows to f instead of
// emit.
func (c *Converter) SetEmitShort(f textconv.ShortWriter) { c.emitShort = f }

func (c *Converter) snapshot(p *proc) trace.Snapshot {
	return c.opt.Snapshot(p.space, max(p.threads, 1))
}

// call handles a CALL record (or the call half of a truss line).
func (c *Converter) call(rec *Record, p *proc, tid int32, t int64) {
	kind := classify(rec.Name)
	// A call still open in this thread never returned in the log. Without
	// thread ids (FreeBSD kdump without -H) the threads of a process share
	// one id, so only an open call of the same kind is taken as lost.
	for i := 0; i < len(p.calls); {
		pc := p.calls[i]
		if pc.tid != tid || !rec.HasTID && pc.kind != kind && !(pc.kind == ckExec && len(rec.Comm) > 0 && string(rec.Comm) != pc.comm) {
			i++
			continue
		}
		p.calls = slices.Delete(p.calls, i, i+1)
		c.abandon(p, pc, rec)
	}
	switch kind {
	case ckNone:
		return
	case ckExit:
		a := SplitArgs(rec.Args, c.argBuf[:1])
		status := int32(0)
		if len(a) == 1 {
			if v, ok := ParseNum(a[0]); ok {
				status = int32(v & 0xff)
			}
		}
		if c.opt.Truss {
			// truss prints "process exit, rval = N" after it.
			p.exitCall, p.exitStat, p.exitT = true, status, t
			return
		}
		c.exitRow(p, t, status, true, 0, false)
		return
	case ckThreadExit:
		if p.threads > 1 {
			p.threads--
		}
		if i := slices.Index(p.tids, tid); i >= 0 {
			p.tids = slices.Delete(p.tids, i, i+1)
		}
		return
	}
	pc := c.newCall()
	pc.kind, pc.tid, pc.t, pc.seq, pc.comm = kind, tid, t, c.seq, p.comm
	pc.name = append(pc.name, rec.Name...)
	pc.args = append(pc.args, rec.Args...)
	if kind != ckWait && kind != ckMinherit && rec.Type == Call {
		pc.slot = c.openSlot()
	}
	if kind.creates() {
		c.open++
	}
	if rec.Type == Syscall && kind == ckExec {
		// truss decodes the path and, with -a, the argv.
		a := SplitArgs(rec.Args, c.argBuf[:3])
		if len(a) > 0 {
			pc.path, pc.nami = Unquote(pc.path[:0], a[0]), true
		}
		if len(a) > 1 && len(a[1]) > 0 && a[1][0] == '[' {
			pc.argv = parseArgv(a[1])
		}
	}
	p.calls = append(p.calls, pc)
}

func (c *Converter) newCall() *pcall {
	if n := len(c.freeCalls); n > 0 {
		pc := c.freeCalls[n-1]
		c.freeCalls = c.freeCalls[:n-1]
		return pc
	}
	return new(pcall)
}

// recycle keeps a finished call's buffers for the next one. The argv
// slice went into a row: it is not reused.
func (c *Converter) recycle(pc *pcall) {
	*pc = pcall{name: pc.name[:0], args: pc.args[:0], path: pc.path[:0]}
	c.freeCalls = append(c.freeCalls, pc)
}

// abandon settles a call whose RET never came: the thread made another
// call, or the process ended.
func (c *Converter) abandon(p *proc, pc *pcall, next *Record) {
	if pc.kind.creates() {
		c.closeOne()
	}
	if pc.kind == ckExec && next != nil && len(next.Comm) > 0 && string(next.Comm) != pc.comm {
		// The command name changed: the exec succeeded, its RET is not in
		// the log.
		c.execDone(p, pc, next.Comm, true, 0)
		return
	}
	c.drop(pc.slot)
	c.releaseUnclaimed()
}

// ret handles a RET record (or the return half of a truss line).
func (c *Converter) ret(rec *Record, p *proc, tid int32, t int64) {
	kind := classify(rec.Name)
	if kind == ckNone || kind == ckExit || kind == ckThreadExit {
		return
	}
	pc := p.take(tid, kind)
	if pc == nil {
		if kind.creates() && rec.Ret == RetValue && rec.RetVal == 0 {
			return // the child's side of fork
		}
		if kind == ckExec && rec.Type == Ret && rec.Ret != RetError {
			// An exec whose CALL is not in the log (the first record).
			pc = &pcall{kind: ckExec, tid: tid, t: t, comm: p.comm}
		} else {
			c.Stats.OrphanRets++
			return
		}
	}
	if kind.creates() {
		c.closeOne()
	}
	defer c.recycle(pc)
	switch kind {
	case ckFork, ckVFork, ckRFork, ckPDFork:
		c.creation(rec, p, pc, t)
	case ckSpawn:
		c.spawn(rec, p, pc, t)
	case ckThread:
		if c.opt.Truss {
			return // truss says "<new thread N>"
		}
		if rec.Ret != RetValue {
			c.drop(pc.slot)
			return
		}
		c.Stats.Threads++
		p.threads++
		ev := trace.Event{TimeNs: pc.t, PID: p.pid, PPID: p.ppid, Kind: trace.Thread, Comm: p.comm}
		if string(pc.name) == "__tfork" && rec.RetVal > 0 && rec.RetVal < 1<<31 {
			ev.ChildPID = int32(rec.RetVal)
		}
		if ev.ChildPID == 0 && rec.HasTID && pc.slot != nil {
			// _lwp_create and thr_new return the id through a pointer:
			// the thread's first record tells it.
			s := c.fill(pc.slot, &ev, true)
			if p.orphan {
				p.orows = append(p.orows, s)
			}
			c.release(p.newThread)
			p.newThread = s
			return
		}
		c.put(p, pc, &ev)
	case ckExec:
		switch rec.Ret {
		case RetJustReturn:
			c.execDone(p, pc, rec.Comm, true, 0)
		case RetValue:
			c.execDone(p, pc, rec.Comm, rec.RetVal == 0, 0)
		case RetError:
			c.execDone(p, pc, rec.Comm, false, rec.Errno)
		default:
			c.drop(pc.slot)
		}
	case ckWait:
		if rec.Ret == RetValue && rec.RetVal > 0 && rec.RetVal < 1<<31 {
			if q := c.procs[int32(rec.RetVal)]; q != nil && q != p && !q.exited && !q.orphan {
				if q.death != nil {
					c.confirmDeath(q)
				} else {
					c.Stats.ExitFallbacks++
					c.exitRow(q, t, 0, false, 0, false)
				}
			}
		}
	default:
		c.memory(rec, p, pc)
	}
}

// put writes a call's row into its slot, or at the end of the queue for a
// truss line.
func (c *Converter) put(p *proc, pc *pcall, ev *trace.Event) {
	if pc.slot == nil {
		c.row(p, ev)
		return
	}
	if p.orphan {
		s := c.fill(pc.slot, ev, false)
		p.orows = append(p.orows, s)
		return
	}
	c.fill(pc.slot, ev, false)
}

func (c *Converter) rforkKind(args []byte) (trace.Kind, uint64, bool) {
	a := SplitArgs(args, c.argBuf[:1])
	if len(a) == 0 {
		return trace.Fork, 0, false
	}
	f, ok := flagBits(a[0], rforkNames)
	if !ok {
		return trace.Clone, 0, false
	}
	switch {
	case f&RFPROC == 0:
		return "", f, true // no new process
	case f&RFMEM == 0:
		return trace.Fork, f, true
	case f&RFPPWAIT != 0:
		return trace.Spawn, f, true
	}
	return trace.Clone, f, true
}

// creation handles the return of fork, vfork, rfork and pdfork.
func (c *Converter) creation(rec *Record, p *proc, pc *pcall, t int64) {
	if rec.Ret != RetValue || rec.RetVal <= 0 || rec.RetVal >= 1<<31 {
		if rec.Ret == RetError {
			c.Stats.FailedForks++
		}
		c.drop(pc.slot)
		c.releaseUnclaimed()
		return
	}
	var kind trace.Kind
	var flags uint64
	hasFlags, shared := false, false
	switch pc.kind {
	case ckFork, ckPDFork:
		kind = trace.Fork
	case ckVFork:
		kind, shared = trace.VFork, true
	case ckRFork:
		var ok bool
		kind, flags, ok = c.rforkKind(pc.args)
		hasFlags = ok
		if kind == "" {
			c.drop(pc.slot)
			c.releaseUnclaimed()
			return
		}
		shared = flags&RFMEM != 0
	}
	child := int32(rec.RetVal)
	ev := trace.Event{TimeNs: pc.t, PID: p.pid, PPID: p.ppid, Kind: kind, ChildPID: child,
		CloneFlags: flags, HasCloneFlags: hasFlags, Comm: p.comm, HasSnapshot: true, Snapshot: c.snapshot(p)}
	c.link(p, pc, child, &ev, shared, t)
}

// link writes a creation row for child and ties the child to p.
func (c *Converter) link(p *proc, pc *pcall, child int32, ev *trace.Event, shared bool, t int64) {
	ch := c.procs[child]
	if ch != nil && (!ch.orphan || ch == p) {
		// The pid is reused: the old process ended unseen.
		c.gone(ch)
		ch = nil
	}
	s := pc.slot
	if ch == nil {
		ch = c.newProc(child, t)
		ch.comm = p.comm
	} else {
		c.claim(ch)
		if s == nil {
			// truss: the creation row goes where the child appeared, at
			// that time (the parent's line is printed when fork returns).
			s = ch.oslot
			if s.Has || s.Done {
				s = nil
			} else {
				ev.TimeNs = min(ev.TimeNs, ch.firstT)
			}
		} else {
			c.drop(ch.oslot)
		}
		if ch.comm == "" {
			ch.comm = p.comm
		}
	}
	ch.ppid = p.pid
	for _, r := range ch.orows {
		if !r.Done && r.Row.PID == ch.pid {
			r.Row.PPID = p.pid
		}
	}
	ch.orows = nil
	if !ch.execd {
		if shared {
			ch.space = p.space
		} else {
			ch.space = p.space.Clone()
			for _, r := range p.noInherit {
				ch.space.Unmap(r.addr, r.length)
			}
		}
		ch.noInherit = slices.Clone(p.noInherit)
	}
	wait := !ch.execd && !ch.exited
	if ch.execd {
		ev.ChildExecNs, ev.HasChildExec = max(ch.execNs, ev.TimeNs), true
	}
	if s == nil {
		s = c.openSlot()
	}
	s = c.fill(s, ev, wait)
	if p.orphan {
		p.orows = append(p.orows, s)
	}
	if wait {
		ch.created = s
	} else {
		ch.created = nil
	}
	c.releaseUnclaimed()
}

// claim removes ch from the orphans.
func (c *Converter) claim(ch *proc) {
	ch.orphan = false
	if i := slices.Index(c.orphans, ch); i >= 0 {
		c.orphans = slices.Delete(c.orphans, i, i+1)
	}
}

// closeOne counts a creation call that ended.
func (c *Converter) closeOne() {
	if c.open > 0 {
		c.open--
	}
}

// releaseUnclaimed frees the orphans no open creation can claim any more
// (kdump: when no creation call is open): they are processes whose
// creation is not in the log.
func (c *Converter) releaseUnclaimed() {
	if c.opt.Truss || c.open > 0 {
		return
	}
	for len(c.orphans) > 0 {
		o := c.orphans[0]
		c.orphans = c.orphans[1:]
		c.unclaimed(o)
	}
}

func (c *Converter) unclaimed(o *proc) {
	o.orphan = false
	o.orows = nil
	c.drop(o.oslot)
	c.Stats.Unclaimed++
}

// spawn handles the return of NetBSD's posix_spawn.
func (c *Converter) spawn(rec *Record, p *proc, pc *pcall, t int64) {
	if rec.Ret != RetValue || rec.RetVal != 0 {
		if rec.Ret == RetError {
			c.Stats.FailedForks++
		}
		c.drop(pc.slot)
		c.releaseUnclaimed()
		return
	}
	// The child: the first unclaimed pid that appeared after the call.
	var ch *proc
	for _, o := range c.orphans {
		if o.firstSeq > pc.seq {
			ch = o
			break
		}
	}
	s := pc.slot
	if s == nil {
		s = c.openSlot()
	}
	if ch == nil {
		// Not seen yet: the next new pid is the child.
		ev := trace.Event{TimeNs: pc.t, PID: p.pid, PPID: p.ppid, Kind: trace.Spawn, Comm: p.comm,
			HasSnapshot: true, Snapshot: c.snapshot(p)}
		s = c.fill(s, &ev, true)
		c.spawnWait = append(c.spawnWait, &pspawn{parent: p, slot: s, path: slices.Clone(pc.path)})
		return
	}
	c.claim(ch)
	ch.ppid = p.pid
	path := pc.path
	if !pc.nami {
		path = ch.firstNami
	}
	// The creation row, then the child's exec where the child appeared.
	ev := trace.Event{TimeNs: pc.t, PID: p.pid, PPID: p.ppid, Kind: trace.Spawn, ChildPID: ch.pid, Comm: p.comm,
		HasSnapshot: true, Snapshot: c.snapshot(p), ChildExecNs: max(ch.firstT, pc.t), HasChildExec: true}
	c.fill(s, &ev, false)
	for _, r := range ch.orows {
		if !r.Done && r.Row.PID == ch.pid {
			r.Row.PPID = p.pid
		}
	}
	ch.orows = nil
	c.spawnExec(ch, ch.oslot, path, max(ch.firstT, pc.t))
	c.releaseUnclaimed()
}

// linkSpawn ties a new pid to a posix_spawn that returned before it
// appeared.
func (c *Converter) linkSpawn(parent, ch *proc, s *slot, path []byte, t int64) {
	ch.ppid = parent.pid
	if s.Has {
		s.Row.ChildPID = ch.pid
		s.Row.ChildExecNs, s.Row.HasChildExec = max(t, s.Row.TimeNs), true
	}
	c.release(s)
	c.spawnExec(ch, nil, path, t)
}

// spawnExec writes the exec of a spawned child, which the kernel did
// inside posix_spawn: no execve record shows it.
func (c *Converter) spawnExec(ch *proc, s *slot, path []byte, t int64) {
	c.Stats.Execs++
	ch.execd, ch.execNs = true, t
	ch.space = addrspace.New(c.opt.PageSize)
	comm := ch.comm
	if len(path) > 0 {
		comm = Comm(string(path), c.opt.CommMax)
	}
	ch.comm = comm
	ev := trace.Event{TimeNs: t, PID: ch.pid, PPID: ch.ppid, Kind: trace.Exec, Comm: comm, ExecPath: string(path)}
	if s != nil {
		c.fill(s, &ev, false)
	} else {
		c.row(ch, &ev)
	}
}

// gone forgets a process whose pid is being reused.
func (c *Converter) gone(p *proc) {
	if p.death != nil {
		c.confirmDeath(p)
	}
	if p.created != nil {
		c.release(p.created)
		p.created = nil
	}
	if !p.exited {
		if p.exitCall {
			c.exitRow(p, p.exitT, p.exitStat, true, 0, false)
			c.Stats.ExitFallbacks++
		} else {
			c.Stats.NotExited++
		}
	}
	c.forget(p)
}

// execDone ends an execve call.
func (c *Converter) execDone(p *proc, pc *pcall, comm []byte, ok bool, errno int32) {
	path := string(pc.path)
	if !ok {
		c.Stats.ExecsFailed++
		ev := trace.Event{TimeNs: pc.t, PID: p.pid, PPID: p.ppid, Kind: trace.ExecFailed, Comm: p.comm, ExecPath: path, Argv: pc.argv}
		c.put(p, pc, &ev)
		return
	}
	c.Stats.Execs++
	c.release(p.newThread)
	p.newThread = nil
	p.space = addrspace.New(c.opt.PageSize)
	p.noInherit = nil
	p.threads = 1
	if i := slices.Index(p.tids, pc.tid); i >= 0 && len(p.tids) > 1 {
		p.tids = append(p.tids[:0], pc.tid)
	}
	if len(comm) > 0 && !c.opt.Truss {
		p.comm = string(comm)
	} else if path != "" {
		p.comm = Comm(path, c.opt.CommMax)
	}
	ev := trace.Event{TimeNs: pc.t, PID: p.pid, PPID: p.ppid, Kind: trace.Exec, Comm: p.comm, ExecPath: path, Argv: pc.argv}
	c.put(p, pc, &ev)
	if !p.execd {
		p.execd, p.execNs = true, pc.t
		if p.created != nil {
			if !p.created.Done {
				p.created.Row.ChildExecNs, p.created.Row.HasChildExec = max(pc.t, p.created.Row.TimeNs), true
			}
			c.release(p.created)
			p.created = nil
		}
	}
}

func (c *Converter) memory(rec *Record, p *proc, pc *pcall) {
	if rec.Ret != RetValue {
		c.drop(pc.slot)
		return
	}
	ret := uint64(rec.RetVal)
	a := SplitArgs(pc.args, c.argBuf[:5])
	var kind trace.Kind
	ok := false
	switch pc.kind {
	case ckMmap:
		if len(a) >= 4 {
			length, ok1 := ParseNum(a[1])
			prot, _ := flagBits(a[2], protNames)
			flags, _ := flagBits(a[3], mapNames)
			if ok1 {
				var f uint8
				if flags&mapShared == 0 || flags&mapPrivate != 0 {
					f |= addrspace.Private
				}
				if flags&mapAnon != 0 {
					f |= addrspace.Anonymous
				}
				p.space.Map(ret, length, uint8(prot&7), f)
				kind, ok = trace.Mmap, true
			}
		}
	case ckMunmap:
		if len(a) >= 2 && rec.RetVal == 0 {
			addr, ok1 := ParseNum(a[0])
			length, ok2 := ParseNum(a[1])
			if ok1 && ok2 {
				p.space.Unmap(addr, length)
				kind, ok = trace.Munmap, true
			}
		}
	case ckMprotect:
		if len(a) >= 3 && rec.RetVal == 0 {
			addr, ok1 := ParseNum(a[0])
			length, ok2 := ParseNum(a[1])
			prot, _ := flagBits(a[2], protNames)
			if ok1 && ok2 {
				p.space.Protect(addr, length, uint8(prot&7))
				kind, ok = trace.Mprotect, true
			}
		}
	case ckBreak:
		// break(2) sets the break to its argument and returns 0.
		if len(a) >= 1 && rec.RetVal == 0 {
			if req, ok1 := ParseNum(a[0]); ok1 && req != 0 {
				p.space.Brk(req, req)
				kind, ok = trace.Brk, true
			}
		}
	case ckMremap:
		// NetBSD: mremap(oldp, oldsize, newp, newsize, flags).
		if len(a) >= 4 {
			old, ok1 := ParseNum(a[0])
			oldLen, ok2 := ParseNum(a[1])
			newLen, ok3 := ParseNum(a[3])
			if ok1 && ok2 && ok3 {
				p.space.Remap(old, oldLen, newLen, ret)
				kind, ok = trace.Mremap, true
			}
		}
	case ckMinherit:
		// minherit(addr, len, inherit): MAP_INHERIT_NONE (2 on every BSD)
		// leaves the range out of a forked child.
		if len(a) >= 3 && rec.RetVal == 0 {
			addr, ok1 := ParseNum(a[0])
			length, ok2 := ParseNum(a[1])
			inh, _ := flagBits(a[2], map[string]uint64{"MAP_INHERIT_SHARE": 0, "MAP_INHERIT_COPY": 1, "MAP_INHERIT_NONE": 2, "INHERIT_NONE": 2, "INHERIT_SHARE": 0, "INHERIT_COPY": 1})
			if ok1 && ok2 {
				c.Stats.Minherit++
				if inh == 2 {
					p.noInherit = append(p.noInherit, inherit{addr, length})
				}
			}
		}
		c.drop(pc.slot)
		return
	}
	if !ok {
		c.drop(pc.slot)
		return
	}
	c.Stats.MemoryCalls++
	ev := trace.Event{TimeNs: pc.t, PID: p.pid, PPID: p.ppid, Kind: kind, Comm: p.comm}
	c.put(p, pc, &ev)
}

func (c *Converter) psig(rec *Record, p *proc, t int64) {
	c.Stats.Signals++
	c.row(p, &trace.Event{TimeNs: t, PID: p.pid, PPID: p.ppid, Kind: trace.Signal, Comm: p.comm, Signal: rec.Signal})
	if rec.Signal == sigCHLD && len(rec.Info) > 0 {
		c.sigchld(rec.Info, t)
	}
	if !c.opt.Truss && rec.Default && fatalByDefault(rec.Signal) {
		// Death, unless the process shows up again.
		s := c.openSlot()
		s.Row = trace.Event{TimeNs: t, PID: p.pid, PPID: p.ppid, Kind: trace.Exit, Comm: p.comm, Signal: rec.Signal}
		s.Has = true
		if p.orphan {
			p.orows = append(p.orows, s)
		}
		p.death = s
	}
}

// sigchld reads the child's fate from a SIGCHLD's siginfo (OpenBSD kdump,
// truss): pid=N status=N code=CLD_*.
func (c *Converter) sigchld(info []byte, t int64) {
	v, ok := field(info, "pid")
	if !ok {
		return
	}
	pid, ok := atoi(v)
	if !ok {
		return
	}
	q := c.procs[pid]
	if q == nil || q.exited || q.orphan {
		return
	}
	code, _ := field(info, "code")
	st, _ := field(info, "status")
	status, _ := atoi(st)
	switch string(code) {
	case "CLD_EXITED":
		if q.death != nil {
			c.cancelDeath(q)
		}
		if q.exitCall {
			status = q.exitStat
		}
		c.Stats.ExitFallbacks++
		c.exitRow(q, t, status, true, 0, false)
	case "CLD_KILLED", "CLD_DUMPED":
		if q.death != nil {
			q.death.Row.CoreDumped = string(code) == "CLD_DUMPED"
			c.confirmDeath(q)
			return
		}
		c.Stats.ExitFallbacks++
		c.exitRow(q, t, 0, false, status, string(code) == "CLD_DUMPED")
	}
}

func (c *Converter) cancelDeath(p *proc) {
	c.drop(p.death)
	p.death = nil
}

// confirmDeath writes the exit row of a process killed by a signal.
func (c *Converter) confirmDeath(p *proc) {
	s := p.death
	p.death = nil
	c.Stats.SignalDeaths++
	c.Stats.Exits++
	c.release(s) // a slot forced out early was written already
	c.ended(p)
}

func (c *Converter) exitRow(p *proc, t int64, status int32, hasStatus bool, sig int32, core bool) {
	if p.death != nil {
		c.cancelDeath(p)
	}
	c.Stats.Exits++
	ev := trace.Event{TimeNs: t, PID: p.pid, PPID: p.ppid, Kind: trace.Exit, Comm: p.comm,
		ExitStatus: status, HasExitStatus: hasStatus, Signal: sig, CoreDumped: core}
	c.row(p, &ev)
	c.ended(p)
}

// ended settles what waited for p and marks it exited.
func (c *Converter) ended(p *proc) {
	p.exited = true
	for _, pc := range p.calls {
		if pc.kind.creates() {
			c.closeOne()
		}
		c.drop(pc.slot)
	}
	p.calls = nil
	if p.created != nil {
		c.release(p.created)
		p.created = nil
	}
	c.release(p.newThread)
	p.newThread = nil
	if !p.orphan {
		// An orphan stays known until claimed: its creation row is to come.
		c.forget(p)
	}
	c.releaseUnclaimed()
}

// Finish settles everything still waiting and writes it.
func (c *Converter) Finish() error {
	// Deaths by signal with nothing after them.
	var ps []*proc
	for _, p := range c.procs {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *proc) int { return int(a.firstSeq - b.firstSeq) })
	for _, p := range ps {
		if p.exited {
			continue
		}
		for _, pc := range p.calls {
			if pc.kind.creates() {
				c.closeOne()
			}
			c.drop(pc.slot)
		}
		p.calls = nil
		switch {
		case p.death != nil:
			c.confirmDeath(p)
		case p.exitCall:
			c.Stats.ExitFallbacks++
			c.exitRow(p, p.exitT, p.exitStat, true, 0, false)
		default:
			c.Stats.NotExited++
		}
	}
	for _, o := range c.orphans {
		c.unclaimed(o)
	}
	c.orphans = nil
	for _, w := range c.spawnWait {
		c.Stats.SpawnNoChild++
		c.release(w.slot)
	}
	c.spawnWait = nil
	for _, p := range ps {
		if p.created != nil {
			c.release(p.created)
		}
	}
	// Everything left goes out, but for creations whose child never
	// showed up.
	c.q.Drain(c.out, func(ev *trace.Event) bool {
		return !(ev.Kind.IsCreation() && ev.ChildPID == 0 && ev.Kind != trace.Spawn)
	})
	return c.err
}

// parseArgv reads truss's decoded argv: [ "a", "b" ].
func parseArgv(s []byte) []string {
	s = bytes.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' {
		return nil
	}
	s = bytes.TrimSuffix(s[1:], []byte("]"))
	var out []string
	var buf [64][]byte
	for _, a := range SplitArgs(s, buf[:]) {
		if len(a) == 0 {
			continue
		}
		out = append(out, string(Unquote(nil, a)))
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// slot is one row of the Converter's look-ahead queue.
type slot = lookahead.Slot[trace.Event]
