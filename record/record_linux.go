//go:build linux && amd64

package record

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// The ptrace options the recorder sets on every traced task.
const (
	ptraceOptions = unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_TRACEFORK | unix.PTRACE_O_TRACEVFORK |
		unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEEXEC |
		unix.PTRACE_O_TRACESECCOMP | unix.PTRACE_O_EXITKILL
)

// Classify returns the kind of a creation from its system call number and
// flags: trace.ClassifyLinux, the rule the strace converter follows too.
func Classify(nr int, flags uint64, hasFlags bool) trace.Kind {
	call := trace.LinuxClone
	switch nr {
	case unix.SYS_VFORK:
		call = trace.LinuxVFork
	case unix.SYS_FORK:
		call = trace.LinuxFork
	case unix.SYS_CLONE3:
		call = trace.LinuxClone3
	}
	return trace.ClassifyLinux(call, flags, hasFlags)
}

// process is a traced thread group.
type process struct {
	pid     int
	ppid    int32
	comm    string
	tasks   int
	execd   bool // has exec'd since the recorder saw it created
	faults  [2]int64
	hasFlt  bool
	created *trace.Event // its creation row, while awaiting its first exec
}

// task is a traced thread.
type task struct {
	tid      int
	proc     *process
	seen     bool         // its first stop has been handled
	execPath string       // path of the exec attempt in progress
	inExec   bool         // an exec attempt in progress: its success is an exec event
	attempt  *trace.Event // its exec_failed row, queued and dropped if it succeeds
	held     bool         // kept at its first stop until its creator's event is seen
}

type recorder struct {
	opts    Options
	start   time.Time
	w       *arrowio.Writer
	proc    *procReader
	tasks   map[int]*task
	procs   map[int]*process
	root    int
	started bool // the root has exec'd the command: rows are recorded from then on
	stats   Stats
	out     emitter
	lastPro time.Time

	mu        sync.Mutex // guards alive and interrupt, used by other goroutines
	alive     map[int]bool
	interrupt string
	prog      sharedStats // the stats as last published for the progress goroutine

	held    int   // tasks held at their first stop
	procErr error // the first /proc read that failed other than by the process's exit

	rootStatus syscall.WaitStatus
	rootDone   bool
}

// runPtrace records opts.Args with ptrace. It returns when the command and every descendant
// have exited (or, after an error, when they have been killed): like
// strace -f, it waits for descendants that outlive the command.
//
// Run locks its goroutine to its thread, which becomes the tracer, and
// reaps with wait4(-1): a program must not start other child processes
// while Run is running, or Run may reap them. If the recorder dies, the
// kernel kills the traced processes (PTRACE_O_EXITKILL): none is left
// stopped or running untraced.
func runPtrace(opts Options) (Result, error) {
	if len(opts.Args) == 0 {
		return Result{}, errors.New("no command to record")
	}
	if opts.BatchRows <= 0 {
		opts.BatchRows = 4096
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 250 * time.Millisecond
	}
	if opts.seize == nil {
		opts.seize = ptraceSeize
	}
	arg0 := opts.Args[0]
	if opts.Dir != "" && strings.Contains(arg0, "/") && !filepath.IsAbs(arg0) {
		arg0 = filepath.Join(opts.Dir, arg0)
	}
	path, err := exec.LookPath(arg0)
	if err != nil {
		return Result{ExitStatus: 127}, fmt.Errorf("%s: %w", opts.Args[0], err)
	}
	if opts.Origin == "" {
		opts.Origin = shellQuote(opts.Args)
	}
	self, err := os.Executable()
	if err != nil {
		return Result{}, fmt.Errorf("finding the recorder's executable (it starts the command): %w", err)
	}

	// The output is written to a temporary file beside the destination,
	// flushed four times a second so that a killed recording leaves its rows
	// there (arrowio.Salvage), then renamed into place or, when the
	// recording was interrupted, copied with its metadata marked.
	meta := trace.Meta{Source: "record", SourceOS: "linux", Origin: opts.Origin, Tool: "analyze record",
		Extra: map[string]string{MetaBackend: ViaPtrace}}

	// ptrace requests must all come from the thread that attached.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	r := &recorder{opts: opts, proc: newProcReader(), tasks: map[int]*task{}, procs: map[int]*process{}, alive: map[int]bool{}}
	if opts.procRoot != "" {
		r.proc.root = opts.procRoot
	}
	// The output is created first, so that a bad path fails before the
	// command starts.
	r.start = time.Now()
	meta.StartUnixNs = r.start.UnixNano()
	if d := filepath.Dir(opts.Output); d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return Result{}, fmt.Errorf("cannot write %s: %s is not a directory", opts.Output, d)
		}
	}
	w, err := arrowio.Create(opts.Output, meta, nil, arrowio.FlushEvery(250*time.Millisecond))
	if err != nil {
		return Result{}, fmt.Errorf("cannot write %s: %w", opts.Output, err)
	}
	child, err := r.startHelper(self, path)
	if err != nil {
		w.Abort()
		return Result{}, err
	}
	w.BatchRows = opts.BatchRows
	r.w = w
	r.out.w = w

	stopFwd := r.forwardSignals()
	stopProgress := r.reportProgress()
	loopErr := r.loop()
	stopProgress()
	stopFwd()
	if loopErr != nil {
		r.killAll()
	}
	unknown, err := r.out.drain()
	if err != nil && loopErr == nil {
		loopErr = err
	}
	r.stats.Unresolved = r.out.forced
	r.stats.Elapsed = time.Since(r.start)
	r.stats.Processes, r.stats.Tasks = len(r.procs), len(r.tasks)
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) == nil {
		r.stats.TracerCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if r.opts.Progress != nil {
		r.opts.Progress(r.stats)
	}
	child.Release()

	res := Result{Stats: r.stats, Backend: ViaPtrace}
	if r.procErr != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("some rows lack what /proc would have given: %v", r.procErr))
	}
	if r.rootDone {
		switch {
		case r.rootStatus.Exited():
			res.ExitStatus = r.rootStatus.ExitStatus()
		case r.rootStatus.Signaled():
			res.Signal = int(r.rootStatus.Signal())
			res.ExitStatus = 128 + res.Signal
		}
	}
	r.mu.Lock()
	res.Incomplete = r.interrupt
	r.mu.Unlock()
	if loopErr != nil {
		w.Abort()
		return res, loopErr
	}
	res.Meta, err = finish(w, opts.Output, meta, res.Incomplete, unknown)
	return res, err
}

// startHelper starts the helper (see helperEnv) and seizes it.
func (r *recorder) startHelper(self, path string) (*os.Process, error) {
	mode := "1"
	if !r.opts.NoExecFailures {
		mode = "seccomp"
	}
	p, release, err := spawnHelper(r.opts, self, path, mode)
	if err != nil {
		return nil, err
	}
	pid := p.Pid
	if err := r.opts.seize(pid, ptraceOptions); err != nil {
		release(false)
		p.Kill()
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
		p.Release()
		return nil, refusal(err)
	}
	r.root = pid
	proc := &process{pid: pid, ppid: int32(os.Getpid()), comm: filepath.Base(path), tasks: 1}
	r.procs[pid] = proc
	r.tasks[pid] = &task{tid: pid, proc: proc, seen: true}
	r.mu.Lock()
	r.alive[pid] = true
	r.mu.Unlock()
	if err := release(true); err != nil {
		r.killAll()
		p.Release()
		return nil, fmt.Errorf("starting %s: %w", r.opts.Args[0], err)
	}
	return p, nil
}

// spawnHelper starts the helper, which waits to exec the command until
// release(true) is called (release(false) only closes the pipe).
func spawnHelper(opts Options, self, path, mode string) (*os.Process, func(bool) error, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	defer pr.Close()
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	env = helperEnviron(env, mode)
	files := []*os.File{opts.Stdin, opts.Stdout, opts.Stderr, pr}
	for i, def := range []*os.File{os.Stdin, os.Stdout, os.Stderr} {
		if files[i] == nil {
			files[i] = def
		}
	}
	argv := append([]string{helperArg0, path}, opts.Args...)
	p, err := os.StartProcess(self, argv, &os.ProcAttr{Dir: opts.Dir, Env: env, Files: files})
	if err != nil {
		pw.Close()
		return nil, nil, fmt.Errorf("starting %s: %w", opts.Args[0], err)
	}
	release := func(start bool) error {
		defer pw.Close()
		if !start {
			return nil
		}
		_, err := pw.Write([]byte{1})
		return err
	}
	return p, release, nil
}

// ptraceSeize attaches to pid with options, without stopping it.
func ptraceSeize(pid, options int) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(pid), 0, uintptr(options), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// refusal explains a refused PTRACE_SEIZE.
func refusal(err error) error {
	if !errors.Is(err, syscall.EPERM) && !errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("%w: PTRACE_SEIZE: %v", ErrPtraceRefused, err)
	}
	yama := ""
	if b, e := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); e == nil {
		yama = fmt.Sprintf(" (it is %s here)", strings.TrimSpace(string(b)))
	}
	return fmt.Errorf(`%w: %v.
analyze record follows the command with ptrace(2), and this system does not allow it here.
To fix it:
  - in a container, give it CAP_SYS_PTRACE: docker/podman run --cap-add=SYS_PTRACE,
    or in Kubernetes securityContext.capabilities.add: ["SYS_PTRACE"]; a custom
    seccomp profile must also allow ptrace;
  - with Yama, /proc/sys/kernel/yama/ptrace_scope%s must be 0 or 1 for a program
    to trace its own children (2 needs CAP_SYS_PTRACE: run as root or
    'setcap cap_sys_ptrace+ep analyze'; 3 disables ptrace until reboot);
  - or record elsewhere and analyze the trace here`, ErrPtraceRefused, err, yama)
}

// forwardSignals passes signals received by the recorder to the command;
// the first one marks the trace incomplete.
func (r *recorder) forwardSignals() (stop func()) {
	if r.opts.Signals == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case sig := <-r.opts.Signals:
				s, ok := sig.(syscall.Signal)
				if !ok {
					continue
				}
				r.mu.Lock()
				if r.interrupt == "" {
					r.interrupt = fmt.Sprintf("recording interrupted by %s (forwarded to the command) after %s",
						unix.SignalName(s), time.Since(r.start).Round(time.Millisecond))
				}
				var targets []int
				if r.alive[r.root] {
					targets = []int{r.root}
				} else {
					for pid := range r.alive {
						targets = append(targets, pid)
					}
				}
				for _, pid := range targets {
					syscall.Kill(pid, s)
				}
				r.mu.Unlock()
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// killAll kills every traced process (after an error), then reaps them.
func (r *recorder) killAll() {
	r.mu.Lock()
	for pid := range r.alive {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	r.mu.Unlock()
	for tid := range r.tasks {
		syscall.Kill(tid, syscall.SIGKILL)
	}
	for len(r.tasks) > 0 {
		var ws unix.WaitStatus
		tid, err := unix.Wait4(-1, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			break
		}
		if ws.Exited() || ws.Signaled() {
			delete(r.tasks, tid)
		} else {
			unix.PtraceCont(tid, 0)
		}
	}
}

func (r *recorder) now() int64 { return int64(time.Since(r.start)) }

// publish makes the stats visible to the progress goroutine, at most
// every few milliseconds.
func (r *recorder) publish() {
	if r.opts.Progress == nil {
		return
	}
	t := time.Now()
	if t.Sub(r.lastPro) < r.opts.ProgressEvery/4 {
		return
	}
	r.lastPro = t
	st := r.stats
	st.Processes, st.Tasks = len(r.procs), len(r.tasks)
	r.prog.set(st)
}

// reportProgress calls opts.Progress every ProgressEvery, events or not,
// so that the elapsed time moves on while the command runs quietly.
func (r *recorder) reportProgress() (stop func()) {
	return progressLoop(r.opts, r.start, r.prog.get)
}

// sharedStats hands a recorder's stats to its progress goroutine.
type sharedStats struct {
	mu sync.Mutex
	st Stats
}

func (s *sharedStats) set(st Stats) {
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
}

func (s *sharedStats) get() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// progressLoop calls opts.Progress (if set) every opts.ProgressEvery with
// the stats get returns, until stop is called.
func progressLoop(opts Options, start time.Time, get func() Stats) (stop func()) {
	if opts.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(opts.ProgressEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				st := get()
				st.Elapsed = time.Since(start)
				opts.Progress(st)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// loop handles stops until no traced task is left.
func (r *recorder) loop() error {
	for len(r.tasks) > 0 {
		if r.held > 0 && r.held == len(r.tasks) {
			// Every task left is a new one whose creator was killed
			// before reporting it: let them run.
			r.releaseOrphans(0)
		}
		// Peek at the next event without consuming it: a process that
		// exited is a zombie until the tracer reaps it (a traced zombie is
		// visible only to its tracer), so its final fault counters can be
		// read then, without the stop of PTRACE_O_TRACEEXIT.
		pid, exited, err := waitPeek()
		if err == unix.EINTR {
			continue
		}
		if err == unix.ECHILD {
			return nil
		}
		if err != nil {
			return fmt.Errorf("waitid: %w", err)
		}
		if exited {
			r.exitCounters(pid)
		}
		var ws unix.WaitStatus
		tid, err := unix.Wait4(pid, &ws, unix.WALL|unix.WNOHANG, nil)
		if err == unix.EINTR || err == nil && tid == 0 {
			continue
		}
		if err == unix.ECHILD {
			return nil
		}
		if err != nil {
			return fmt.Errorf("wait4: %w", err)
		}
		if err := r.handle(tid, ws); err != nil {
			return err
		}
		if err := r.out.flush(r.now()); err != nil {
			return err
		}
		r.publish()
	}
	return nil
}

// siginfoChld is the SIGCHLD layout of siginfo_t (x86-64 and arm64).
type siginfoChld struct {
	Signo, Errno, Code, _ int32
	Pid                   int32
	Uid                   uint32
	Status                int32
	_                     [100]byte
}

// waitPeek waits for the next event of any traced task without consuming
// it (waitid with WNOWAIT) and reports its pid and whether it is an exit.
func waitPeek() (pid int, exited bool, err error) {
	var info siginfoChld
	// Not a raw system call: the wait can last as long as the command
	// runs quietly, and the Go runtime must be able to stop the world
	// (for a collection) meanwhile, which it cannot while a goroutine
	// blocks in a raw one.
	_, _, e := unix.Syscall6(unix.SYS_WAITID, unix.P_ALL, 0, uintptr(unsafe.Pointer(&info)),
		unix.WEXITED|unix.WNOWAIT|unix.WALL, 0, 0)
	if e != 0 {
		return 0, false, e
	}
	switch info.Code {
	case cldExited, cldKilled, cldDumped:
		exited = true
	}
	return int(info.Pid), exited, nil
}

// si_code values of SIGCHLD (asm-generic/siginfo.h).
const (
	cldExited = 1
	cldKilled = 2
	cldDumped = 3
)

// exitCounters reads the final fault counters of a process that exited,
// from its zombie, before the tracer reaps it.
func (r *recorder) exitCounters(tid int) {
	t := r.tasks[tid]
	if t == nil || t.proc == nil || t.tid != t.proc.pid || r.procGone(tid) {
		return
	}
	if st, err := r.proc.stat(tid); err == nil {
		t.proc.faults = [2]int64{st.minflt, st.majflt}
		t.proc.hasFlt = true
	}
}

func (r *recorder) handle(tid int, ws unix.WaitStatus) error {
	t := r.tasks[tid]
	if ws.Exited() || ws.Signaled() {
		if t != nil && t.inExec {
			r.attemptFailed(t)
		}
		r.gone(tid, t, ws)
		return nil
	}
	if !ws.Stopped() {
		return nil
	}
	if t == nil {
		// A new task whose first stop came before its creator's event.
		t = &task{tid: tid}
		r.tasks[tid] = t
	}
	sig := ws.StopSignal()
	// The ptrace event is in bits 16-23 of the status, whatever the stop
	// signal (WaitStatus.TrapCause reads it only for SIGTRAP, but a
	// group-stop reports PTRACE_EVENT_STOP with the stopping signal).
	event := int(uint32(ws)>>16) & 0xff
	if t.inExec && !(sig == syscall.SIGTRAP && event == unix.PTRACE_EVENT_EXEC) {
		// An exec attempt that ends in anything but an exec event
		// failed.
		r.attemptFailed(t)
	}
	switch {
	case sig == syscall.SIGTRAP|0x80:
		return r.cont(tid, 0) // a system-call stop: none is asked for
	case sig == syscall.SIGTRAP && event > 0 && event != unix.PTRACE_EVENT_STOP:
		switch event {
		case unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK, unix.PTRACE_EVENT_CLONE:
			r.creation(t)
		case unix.PTRACE_EVENT_EXEC:
			r.exec(t)
		case unix.PTRACE_EVENT_SECCOMP:
			r.execAttempt(t)
		}
		return r.cont(tid, 0)
	case event == unix.PTRACE_EVENT_STOP:
		if !t.seen {
			// The initial stop of an auto-attached child. If its
			// creator's event has not been handled yet, it stays stopped
			// until it is, so that none of its rows precede its creation.
			t.seen = true
			if t.proc == nil {
				t.held = true
				r.held++
				return nil
			}
			return r.cont(tid, 0)
		}
		switch sig {
		case syscall.SIGSTOP, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU:
			// A group stop: stay stopped, but keep reporting.
			if _, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_LISTEN, uintptr(tid), 0, 0, 0, 0); e != 0 && e != unix.ESRCH {
				err := e
				return fmt.Errorf("PTRACE_LISTEN %d: %w", tid, err)
			}
			return nil
		}
		return r.cont(tid, 0)
	}
	// A signal-delivery stop: record it and deliver the signal.
	t.seen = true
	r.signal(t, int(sig))
	return r.cont(tid, int(sig))
}

// cont resumes a task; a task that died meanwhile is reported by wait4.
func (r *recorder) cont(tid, sig int) error {
	if err := unix.PtraceCont(tid, sig); err != nil && err != unix.ESRCH {
		return fmt.Errorf("PTRACE_CONT %d: %w", tid, err)
	}
	return nil
}

func (r *recorder) procGone(pid int) bool {
	return r.opts.procGone != nil && r.opts.procGone(pid)
}

// procError marks ev for a failed /proc read: proc_gone when the process
// has gone; otherwise (/proc unreadable: hidepid, a sandbox) the first
// such error is kept for the result's warnings.
func (r *recorder) procError(err error, ev *trace.Event) {
	if errors.Is(err, errGone) {
		ev.ProcGone = true
		return
	}
	if r.procErr == nil {
		r.procErr = err
	}
}

// readStat reads the process's comm and fault counters into ev.
func (r *recorder) readStat(p *process, ev *trace.Event) bool {
	if r.procGone(p.pid) {
		ev.ProcGone = true
		return false
	}
	st, err := r.proc.stat(p.pid)
	if err != nil {
		r.procError(err, ev)
		return false
	}
	p.comm = st.comm
	ev.MinFaults, ev.MajFaults, ev.HasFaults = st.minflt, st.majflt, true
	return true
}

// creation handles a fork, vfork or clone event of t.
func (r *recorder) creation(t *task) {
	msg, err := unix.PtraceGetEventMsg(t.tid)
	if err != nil {
		return // the task was killed; wait4 reports it
	}
	childTid := int(msg)
	var regs unix.PtraceRegs
	nr, flags, hasFlags := -1, uint64(0), false
	if unix.PtraceGetRegs(t.tid, &regs) == nil {
		nr = int(regs.Orig_rax)
		switch nr {
		case unix.SYS_CLONE:
			flags, hasFlags = regs.Rdi, true
		case unix.SYS_CLONE3:
			var b [8]byte
			if n, err := unix.PtracePeekData(t.tid, uintptr(regs.Rdi), b[:]); err == nil && n == 8 {
				flags, hasFlags = le64(b[:]), true
			}
		}
	}
	kind := Classify(nr, flags, hasFlags)
	if nr == -1 {
		// Registers unreadable: fall back on the event.
		kind = trace.Fork
	}
	p := t.proc
	child := r.tasks[childTid]
	if child == nil {
		child = &task{tid: childTid}
		r.tasks[childTid] = child
	}
	defer r.release(child)
	if p == nil {
		return
	}
	if kind == trace.Thread {
		child.proc = p
		p.tasks++
		if r.started {
			r.stats.Rows++
			r.out.add(&trace.Event{TimeNs: r.now(), PID: int32(p.pid), PPID: p.ppid, Kind: trace.Thread,
				ChildPID: int32(childTid), CloneFlags: flags, HasCloneFlags: hasFlags, Comm: p.comm})
		}
		return
	}
	cp := &process{pid: childTid, ppid: int32(p.pid), comm: p.comm, tasks: 1}
	child.proc = cp
	r.procs[childTid] = cp
	r.mu.Lock()
	r.alive[childTid] = true
	r.mu.Unlock()
	if !r.started {
		return
	}
	ev := &trace.Event{TimeNs: r.now(), PID: int32(p.pid), PPID: p.ppid, Kind: kind, ChildPID: int32(childTid),
		CloneFlags: flags, HasCloneFlags: hasFlags}
	if r.readStat(p, ev) {
		if snap, err := r.proc.snapshot(p.pid); err == nil {
			ev.Snapshot, ev.HasSnapshot = snap, true
		} else {
			r.procError(err, ev)
		}
	}
	ev.Comm = p.comm
	r.stats.Rows++
	r.stats.Creations++
	cp.created = ev
	r.out.addCreation(ev)
}

// release resumes a task held at its first stop.
func (r *recorder) release(t *task) {
	if !t.held {
		return
	}
	t.held = false
	r.held--
	if err := unix.PtraceCont(t.tid, 0); err != nil && err != unix.ESRCH {
		// Nothing better to do: wait4 reports it if it died.
		_ = err
	}
}

// releaseOrphans resumes held tasks whose creator will never report them:
// those whose parent is ppid (0: all), with their process found in /proc.
func (r *recorder) releaseOrphans(ppid int) {
	for _, t := range r.tasks {
		if !t.held {
			continue
		}
		tgid, parent := r.proc.ids(t.tid)
		if ppid != 0 && parent != ppid && tgid == t.tid {
			continue
		}
		if tgid != 0 && tgid != t.tid {
			t.proc = r.procs[tgid]
		}
		if t.proc == nil {
			p := &process{pid: t.tid, ppid: int32(parent), tasks: 1}
			if st, err := r.proc.stat(t.tid); err == nil {
				p.comm = st.comm
			}
			r.procs[t.tid] = p
			r.mu.Lock()
			r.alive[t.tid] = true
			r.mu.Unlock()
			t.proc = p
		} else {
			t.proc.tasks++
		}
		r.release(t)
	}
}

// execAttempt handles the seccomp stop at an execve or execveat entry: it
// queues the attempt's exec_failed row at the time of the attempt, which is
// dropped if an exec event follows and kept if anything else does. Not
// stopping at the end of the call halves the stops of a PATH search.
func (r *recorder) execAttempt(t *task) {
	t.inExec = true
	t.execPath = ""
	var regs unix.PtraceRegs
	if unix.PtraceGetRegs(t.tid, &regs) == nil {
		addr := regs.Rdi
		if regs.Orig_rax == unix.SYS_EXECVEAT {
			addr = regs.Rsi
		}
		t.execPath = readString(t.tid, uintptr(addr))
	}
	if p := t.proc; p != nil && r.started {
		t.attempt = &trace.Event{TimeNs: r.now(), PID: int32(p.pid), PPID: p.ppid, Kind: trace.ExecFailed,
			ExecPath: t.execPath, Comm: p.comm}
		r.out.addPending(t.attempt)
	}
}

// attemptFailed settles t's exec attempt as failed.
func (r *recorder) attemptFailed(t *task) {
	t.inExec = false
	if t.attempt != nil {
		if r.out.settle(t.attempt, true, r.now()) {
			r.stats.Rows++
		}
		t.attempt = nil
	}
}

// attemptSucceeded drops t's exec_failed row: the attempt was the exec.
func (r *recorder) attemptSucceeded(t *task) {
	t.inExec = false
	if t.attempt != nil {
		r.out.settle(t.attempt, false, r.now())
		t.attempt = nil
	}
}

// exec handles a successful exec of t's process.
func (r *recorder) exec(t *task) {
	if msg, err := unix.PtraceGetEventMsg(t.tid); err == nil && int(msg) != t.tid {
		// A non-leader thread exec'd: it now has the leader's id, and its
		// old id is gone.
		if t.inExec {
			r.attemptFailed(t) // the leader's own attempt, if any
		}
		if old := r.tasks[int(msg)]; old != nil {
			t.execPath = old.execPath
			r.attemptSucceeded(old)
			if t.proc == nil {
				t.proc = old.proc
			}
			delete(r.tasks, int(msg))
		}
	}
	p := t.proc
	path := t.execPath
	r.attemptSucceeded(t)
	t.execPath = ""
	if p == nil {
		return
	}
	p.tasks = 1
	var argv []string
	if !r.started {
		// The root's first exec is the command's, unless the helper's own
		// exec was still in progress when the recorder seized it.
		// (If /proc cannot tell, it is taken to be the command's.)
		a, err := r.proc.cmdline(p.pid)
		if t.tid != r.root || err == nil && len(a) > 0 && a[0] == helperArg0 {
			return
		}
		r.started = true
		argv = a
	}
	ev := &trace.Event{TimeNs: r.now(), PID: int32(p.pid), PPID: p.ppid, Kind: trace.Exec}
	if r.readStat(p, ev) {
		if argv == nil {
			argv, _ = r.proc.cmdline(p.pid)
		}
		ev.Argv = argv
	}
	if path == "" {
		path, _ = os.Readlink("/proc/" + strconv.Itoa(p.pid) + "/exe")
	}
	ev.ExecPath = path
	ev.Comm = p.comm
	r.stats.Rows++
	r.stats.Execs++
	if !p.execd {
		p.execd = true
		if p.created != nil {
			r.out.resolve(p.created, ev.TimeNs, true)
			p.created = nil
		}
	}
	r.out.add(ev)
}

// signal records a signal delivered to t.
func (r *recorder) signal(t *task, sig int) {
	if !r.started || t.proc == nil {
		return
	}
	p := t.proc
	r.stats.Rows++
	r.out.add(&trace.Event{TimeNs: r.now(), PID: int32(p.pid), PPID: p.ppid, Kind: trace.Signal, Signal: int32(sig), Comm: p.comm})
}

// gone handles a task that exited or was killed.
func (r *recorder) gone(tid int, t *task, ws unix.WaitStatus) {
	delete(r.tasks, tid)
	if tid == r.root {
		r.rootStatus, r.rootDone = syscall.WaitStatus(ws), true
	}
	if t == nil || t.proc == nil {
		return
	}
	p := t.proc
	p.tasks--
	if tid != p.pid {
		return // a thread
	}
	delete(r.procs, p.pid)
	r.mu.Lock()
	delete(r.alive, p.pid)
	r.mu.Unlock()
	if r.held > 0 {
		r.releaseOrphans(p.pid)
	}
	if p.created != nil {
		r.out.resolve(p.created, 0, false)
		p.created = nil
	}
	if !r.started {
		return
	}
	ev := &trace.Event{TimeNs: r.now(), PID: int32(p.pid), PPID: p.ppid, Kind: trace.Exit, Comm: p.comm,
		MinFaults: p.faults[0], MajFaults: p.faults[1], HasFaults: p.hasFlt}
	fillExit(ev, syscall.WaitStatus(ws))
	r.stats.Rows++
	r.out.add(ev)
}

// fillExit sets an exit row's status, or signal and core flag, from the
// process's wait status (both backends have it in this form).
func fillExit(ev *trace.Event, ws syscall.WaitStatus) {
	if ws.Exited() {
		ev.ExitStatus, ev.HasExitStatus = int32(ws.ExitStatus()), true
	} else {
		ev.Signal, ev.CoreDumped = int32(ws.Signal()), ws.CoreDump()
	}
}

func le64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// readString reads a NUL-terminated string from the tracee's memory.
func readString(tid int, addr uintptr) string {
	if addr == 0 {
		return ""
	}
	var out []byte
	buf := make([]byte, 256)
	for len(out) < 4096 {
		// Stay within the page, so that a read never crosses into an
		// unmapped one.
		n := 4096 - int(addr%4096)
		if n > len(buf) {
			n = len(buf)
		}
		local := []unix.Iovec{{Base: &buf[0], Len: uint64(n)}}
		remote := []unix.RemoteIovec{{Base: addr, Len: n}}
		got, err := unix.ProcessVMReadv(tid, local, remote, 0)
		if err != nil || got <= 0 {
			break
		}
		for i := 0; i < got; i++ {
			if buf[i] == 0 {
				return string(append(out, buf[:i]...))
			}
		}
		out = append(out, buf[:got]...)
		addr += uintptr(got)
	}
	return string(out)
}

func shellQuote(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && strings.IndexFunc(a, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./=:,+@%", c))
		}) < 0 {
			b.WriteString(a)
			continue
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}
