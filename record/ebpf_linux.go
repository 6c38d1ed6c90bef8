//go:build linux && amd64

package record

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/forkcost/forkcost/record/ebpf"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// Run records what opts says to watch with the backend opts.Via selects
// (see Options). In auto mode, a refusal of eBPF falls back on ptrace for a
// command, and Result.BackendWhy says so.
func Run(opts Options) (Result, error) {
	if err := opts.CheckTarget(); err != nil {
		return Result{}, err
	}
	switch opts.Via {
	case "", ViaPtrace:
		if !opts.watchesCommand() {
			return Result{}, errors.New("the ptrace backend records only a command it starts (-- CMD ARGS); --pid, --cgroup and --all need --via ebpf (or auto)")
		}
		res, err := runPtrace(opts)
		res.BackendWhy = "asked for"
		return res, err
	case ViaEBPF:
		res, err := runEBPF(opts)
		res.BackendWhy = "asked for"
		return res, err
	case ViaAuto:
		res, err := runEBPF(opts)
		var re *ebpf.RefusedError
		if !errors.As(err, &re) || !opts.watchesCommand() {
			res.BackendWhy = "eBPF is available"
			return res, err
		}
		res, err = runPtrace(opts)
		res.BackendWhy = "eBPF refused: " + re.Reason + "; to use eBPF: " + re.Fix
		return res, err
	}
	return Result{}, fmt.Errorf("unknown backend %q (want auto, ebpf or ptrace)", opts.Via)
}

// ebpfReorderNs is how long rows from the eBPF backend wait before they
// are written, so that events that CPUs put in the ring buffer slightly
// out of time order are written in order.
var ebpfReorderNs = int64(20 * time.Millisecond)

// ebpfProc is what the eBPF backend keeps of a watched process.
type ebpfProc struct {
	execd   bool
	created *trace.Event // its creation row, while awaiting its first exec or exit
}

// ebpfRecorder turns the tracer's events into rows.
type ebpfRecorder struct {
	opts      Options
	tr        *ebpf.Tracer
	out       emitter
	startMono int64
	start     time.Time
	root      int32 // the command's pid (command mode)
	started   bool  // rows are recorded (command mode: since the command's exec)
	procs     map[int32]*ebpfProc
	// creations awaiting measurements, by child pid: the vfork parent's
	// blocked time and the creating thread's fault window.
	blocked, faults map[int32]*trace.Event
	pageSize        int64

	stats Stats
	prog  sharedStats // the stats as last published for the progress goroutine
}

func monoNow() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

// runEBPF records with the eBPF backend.
func runEBPF(opts Options) (Result, error) {
	res := Result{Backend: ViaEBPF}
	if opts.BatchRows <= 0 {
		opts.BatchRows = 4096
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 250 * time.Millisecond
	}
	cfg := ebpf.Config{Mode: ebpf.Tracked, InjectLoadError: opts.ebpfRefuse, RingBytes: opts.ebpfRing}
	var path, self string
	switch {
	case opts.All:
		cfg.Mode = ebpf.All
		if opts.Origin == "" {
			opts.Origin = "the whole system"
		}
	case opts.Cgroup != "":
		cfg.Mode, cfg.Cgroup = ebpf.Cgroup, opts.Cgroup
		if st, err := os.Stat(opts.Cgroup); err != nil || !st.IsDir() {
			return res, fmt.Errorf("--cgroup %s: not a cgroup directory (e.g. /sys/fs/cgroup/system.slice/NAME.service)", opts.Cgroup)
		}
		if opts.Origin == "" {
			opts.Origin = "cgroup " + opts.Cgroup
		}
	case opts.PID != 0:
		if err := syscall.Kill(opts.PID, 0); err == syscall.ESRCH {
			return res, fmt.Errorf("--pid %d: no such process", opts.PID)
		}
		if opts.Origin == "" {
			opts.Origin = fmt.Sprintf("pid %d and its new descendants", opts.PID)
		}
	default:
		arg0 := opts.Args[0]
		if opts.Dir != "" && strings.Contains(arg0, "/") && !filepath.IsAbs(arg0) {
			arg0 = filepath.Join(opts.Dir, arg0)
		}
		var err error
		if path, err = exec.LookPath(arg0); err != nil {
			return Result{ExitStatus: 127}, fmt.Errorf("%s: %w", opts.Args[0], err)
		}
		if opts.Origin == "" {
			opts.Origin = shellQuote(opts.Args)
		}
		if self, err = os.Executable(); err != nil {
			return res, fmt.Errorf("finding the recorder's executable (it starts the command): %w", err)
		}
	}
	if d := filepath.Dir(opts.Output); d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return res, fmt.Errorf("cannot write %s: %s is not a directory", opts.Output, d)
		}
	}
	// The command's helper starts while the programs load, and waits for
	// its go-ahead: its start-up is not added to the recorder's.
	var helper *os.Process
	var release func(start bool) error
	abandon := func() {}
	if opts.watchesCommand() {
		var err error
		if helper, release, err = spawnHelper(opts, self, path, "1"); err != nil {
			return res, err
		}
		abandon = func() {
			release(false)
			helper.Kill()
			helper.Wait()
		}
	}
	tr, err := ebpf.Open(cfg)
	if err != nil {
		abandon()
		return res, err
	}
	defer tr.Close()

	r := &ebpfRecorder{opts: opts, tr: tr, procs: map[int32]*ebpfProc{}, blocked: map[int32]*trace.Event{},
		faults: map[int32]*trace.Event{}, pageSize: int64(os.Getpagesize())}
	r.out.delay = ebpfReorderNs
	r.start, r.startMono = time.Now(), monoNow()
	meta := trace.Meta{Source: "record", SourceOS: "linux", Origin: opts.Origin, Tool: "analyze record",
		StartUnixNs: r.start.UnixNano(), Extra: map[string]string{MetaBackend: ViaEBPF}}
	w, err := arrowio.Create(opts.Output, meta, nil, arrowio.FlushEvery(250*time.Millisecond))
	if err != nil {
		abandon()
		return res, fmt.Errorf("cannot write %s: %w", opts.Output, err)
	}
	w.BatchRows = opts.BatchRows
	r.out.w = w

	// The command: started through the helper, watched before it execs.
	var rootDone chan os.ProcessState
	var root *os.Process
	if opts.watchesCommand() {
		root, err = startWatched(opts, helper, release, tr)
		if err != nil {
			w.Abort()
			return res, err
		}
		r.root = int32(root.Pid)
		r.procs[r.root] = &ebpfProc{}
		rootDone = make(chan os.ProcessState, 1)
		go func() {
			st, err := root.Wait()
			if err != nil || st == nil {
				st = &os.ProcessState{}
			}
			rootDone <- *st
			tr.Wake() // the loop need not wait out its poll to see the end
		}()
	} else {
		r.started = true
		if opts.PID != 0 {
			if err := tr.Track(opts.PID); err != nil {
				w.Abort()
				return res, err
			}
			r.procs[int32(opts.PID)] = &ebpfProc{execd: true}
		}
	}

	stopProgress := r.reportProgress()
	time.Sleep(opts.ebpfStall)
	var deadline <-chan time.Time
	if opts.Duration > 0 {
		deadline = time.After(opts.Duration)
	}
	var interrupt string
	var rootState *os.ProcessState
	var loopErr error
	quietSince := time.Now()
	var lastProbe time.Time // when the watched processes were last probed for life
	var ev ebpf.Event
loop:
	for {
		// Events do not wake the loop (the ring buffer is drained at each
		// poll, see submit_flags in the BPF program), the command's end
		// does. Once the command has exited, poll briefly: the end of the
		// recording is then the command's end plus what is still queued,
		// not a timeout (a fixed 150 ms was 5% of a 3 s build).
		wait := 10 * time.Millisecond
		if rootState != nil && lastProbe.IsZero() {
			wait = 2 * time.Millisecond
		}
		got, err := tr.Next(time.Now().Add(wait), &ev)
		if err != nil {
			loopErr = err
			break
		}
		if got {
			quietSince = time.Now()
			r.handle(&ev)
		}
		if err := r.out.flush(monoNow() - r.startMono); err != nil {
			loopErr = err
			break
		}
		r.publish()
		select {
		case sig := <-opts.Signals:
			s, ok := sig.(syscall.Signal)
			if !ok {
				break
			}
			if !opts.watchesCommand() {
				break loop // the normal end of --pid, --cgroup, --all
			}
			if interrupt == "" {
				interrupt = fmt.Sprintf("recording interrupted by %s (forwarded to the command) after %s",
					unix.SignalName(s), time.Since(r.start).Round(time.Millisecond))
			}
			if rootState == nil {
				syscall.Kill(root.Pid, s)
			} else {
				for pid := range r.procs {
					syscall.Kill(int(pid), s)
				}
			}
		case <-deadline:
			break loop
		case st := <-rootDone:
			rootState = &st
		default:
		}
		if got {
			continue
		}
		// Nothing came for a while: is everything watched gone? (An exit
		// lost to a full ring buffer would otherwise keep it waiting.)
		commandOver := opts.watchesCommand() && rootState != nil
		pidOver := opts.PID != 0
		// Right after the command's end, then every 20 ms while descendants
		// outlive it (a probe is a kill(0) per process); for --pid, after
		// 100 ms of silence.
		probe := commandOver && time.Since(lastProbe) >= 20*time.Millisecond ||
			pidOver && time.Since(quietSince) > 100*time.Millisecond
		if probe {
			lastProbe = time.Now()
			for pid := range r.procs {
				if syscall.Kill(int(pid), 0) == syscall.ESRCH {
					delete(r.procs, pid)
				}
			}
			if len(r.procs) == 0 {
				break
			}
		}
	}
	// What the ring buffer still holds.
	for loopErr == nil {
		got, err := tr.Next(time.Now(), &ev)
		if err != nil || !got {
			break
		}
		r.handle(&ev)
	}
	stopProgress()
	lost, untimed := tr.Drops()
	res.EventsLost = lost
	if untimed > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d system calls in flight at once were too many to time: some create_ns, parent_blocked_ns or exec_ns are missing", untimed))
	}
	unknown, err := r.out.drain()
	if err != nil && loopErr == nil {
		loopErr = err
	}
	r.stats.Elapsed = time.Since(r.start)
	r.stats.Processes = len(r.procs)
	r.stats.Unresolved = r.out.forced
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) == nil {
		r.stats.TracerCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	res.Stats = r.stats
	if opts.Progress != nil {
		opts.Progress(res.Stats)
	}
	if rootState != nil {
		if ws, ok := rootState.Sys().(syscall.WaitStatus); ok {
			switch {
			case ws.Exited():
				res.ExitStatus = ws.ExitStatus()
			case ws.Signaled():
				res.Signal = int(ws.Signal())
				res.ExitStatus = 128 + res.Signal
			}
		}
	}
	if lost > 0 {
		msg := fmt.Sprintf("%d events were lost to a full ring buffer", lost)
		if interrupt != "" {
			interrupt += "; " + msg
		} else {
			interrupt = msg
		}
	}
	res.Incomplete = interrupt
	if loopErr != nil {
		w.Abort()
		return res, loopErr
	}
	res.Meta, err = finish(w, opts.Output, meta, res.Incomplete, unknown)
	return res, err
}

// startWatched lets the helper (see helperEnv), which waits on a pipe,
// exec the command once its pid is watched.
func startWatched(opts Options, p *os.Process, release func(bool) error, tr *ebpf.Tracer) (*os.Process, error) {
	if err := tr.Track(p.Pid); err != nil {
		release(false)
		p.Kill()
		p.Wait()
		return nil, err
	}
	if err := release(true); err != nil {
		p.Kill()
		p.Wait()
		return nil, fmt.Errorf("starting %s: %w", opts.Args[0], err)
	}
	return p, nil
}

// ebpfCalls maps the tracer's calls to the amd64 system calls Classify
// knows.
var ebpfCalls = [...]int{ebpf.CallUnknown: -1, ebpf.CallFork: unix.SYS_FORK, ebpf.CallVFork: unix.SYS_VFORK,
	ebpf.CallClone: unix.SYS_CLONE, ebpf.CallClone3: unix.SYS_CLONE3}

func (r *ebpfRecorder) time(ns int64) int64 { return max(ns-r.startMono, 0) }

// handle turns one event into rows.
func (r *ebpfRecorder) handle(ev *ebpf.Event) {
	if !r.started {
		// Command mode: nothing before the command's own exec (the helper
		// is the recorder's executable, waiting for it).
		if ev.Type != ebpf.Exec || ev.PID != r.root {
			return
		}
		r.started = true
	}
	t := r.time(ev.TimeNs)
	switch ev.Type {
	case ebpf.Fork:
		nr := -1
		if int(ev.Call) < len(ebpfCalls) {
			nr = ebpfCalls[ev.Call]
		}
		kind := Classify(nr, ev.Flags, ev.HasFlags)
		if nr == -1 {
			kind = trace.Fork
		}
		row := &trace.Event{TimeNs: t, PID: ev.PID, PPID: ev.PPID, Kind: kind, ChildPID: ev.Child,
			CloneFlags: ev.Flags, HasCloneFlags: ev.HasFlags, Comm: ev.Comm,
			MinFaults: ev.MinFlt, MajFaults: ev.MajFlt, HasFaults: true, HasSnapshot: true,
			Snapshot: r.snapshot(ev)}
		if ev.Value >= 0 {
			row.CreateNs, row.HasCreateNs = ev.Value, true
		}
		// Awaited: the child's first exec or exit, the creating thread's
		// fault window, and for vfork-like calls the parent's return.
		waits := 2
		r.faults[ev.Child] = row
		if kind == trace.VFork || ev.Flags&unix.CLONE_VFORK != 0 && ev.HasFlags {
			r.blocked[ev.Child] = row
			waits++
		}
		r.procs[ev.Child] = &ebpfProc{created: row}
		r.count(func(s *Stats) { s.Rows++; s.Creations++ })
		r.out.hold(row, waits)
	case ebpf.Thread:
		r.count(func(s *Stats) { s.Rows++ })
		r.out.add(&trace.Event{TimeNs: t, PID: ev.PID, PPID: ev.PPID, Kind: trace.Thread, ChildPID: ev.Child,
			CloneFlags: ev.Flags, HasCloneFlags: ev.HasFlags, Comm: ev.Comm})
	case ebpf.Exec:
		row := &trace.Event{TimeNs: t, PID: ev.PID, PPID: ev.PPID, Kind: trace.Exec, Comm: ev.Comm,
			ExecPath: ev.Path, Argv: ev.Argv, ExecNs: ev.Value, HasExecNs: true,
			MinFaults: ev.MinFlt, MajFaults: ev.MajFlt, HasFaults: true}
		if ev.ArgvCut {
			row.Argv = append(row.Argv, ArgvCutMark)
		}
		p := r.proc(ev.PID)
		if !p.execd {
			p.execd = true
			if p.created != nil {
				r.out.resolve(p.created, t, true)
				p.created = nil
			}
		}
		r.count(func(s *Stats) { s.Rows++; s.Execs++ })
		r.out.add(row)
	case ebpf.ExecFailed:
		r.count(func(s *Stats) { s.Rows++ })
		r.out.add(&trace.Event{TimeNs: t, PID: ev.PID, PPID: ev.PPID, Kind: trace.ExecFailed, Comm: ev.Comm, ExecPath: ev.Path})
	case ebpf.Exit:
		row := &trace.Event{TimeNs: t, PID: ev.PID, PPID: ev.PPID, Kind: trace.Exit, Comm: ev.Comm,
			MinFaults: ev.MinFlt, MajFaults: ev.MajFlt, HasFaults: true}
		fillExit(row, syscall.WaitStatus(ev.Code))
		if p := r.procs[ev.PID]; p != nil && p.created != nil {
			r.out.resolve(p.created, 0, false)
		}
		delete(r.procs, ev.PID)
		r.count(func(s *Stats) { s.Rows++ })
		r.out.add(row)
	case ebpf.Signal:
		r.count(func(s *Stats) { s.Rows++ })
		r.out.add(&trace.Event{TimeNs: t, PID: ev.PID, PPID: ev.PPID, Kind: trace.Signal, Signal: ev.Code, Comm: ev.Comm})
	case ebpf.Blocked:
		if row := r.blocked[ev.Child]; row != nil {
			delete(r.blocked, ev.Child)
			if r.out.done(row) {
				row.ParentBlockedNs, row.HasParentBlockedNs = ev.Value, true
			}
		}
	case ebpf.Faults:
		if row := r.faults[ev.Child]; row != nil {
			delete(r.faults, ev.Child)
			if r.out.done(row) {
				row.PostCreateFaults, row.HasPostCreateFaults = ev.Value, true
			}
		}
	}
}

// ArgvCutMark ends an argv that was longer than the recorder copies (1 KiB
// on the eBPF backend), as strace marks a cut array.
const ArgvCutMark = "..."

func (r *ebpfRecorder) proc(pid int32) *ebpfProc {
	p := r.procs[pid]
	if p == nil {
		p = &ebpfProc{}
		r.procs[pid] = p
	}
	return p
}

// snapshot builds a creation row's snapshot from the parent's mm as the
// kernel had it (see package ebpf for what each is and why the writable
// resident bytes are the anonymous ones).
func (r *ebpfRecorder) snapshot(ev *ebpf.Event) trace.Snapshot {
	pg := r.pageSize
	s := trace.Snapshot{
		VirtBytes: ev.TotalVM * pg, ResidentBytes: (ev.FilePages + ev.AnonPages + ev.ShmemPages) * pg,
		AnonResidentBytes: ev.AnonPages * pg, WritableResidentBytes: ev.AnonPages * pg,
		PageTableBytes: ev.PageTableBytes, MapEntries: ev.MapCount, ParentThreads: ev.Threads,
		PageSize: int32(pg), Source: trace.Estimated, WritableBytes: ev.WritableBytes,
	}
	if !ev.VMAWalked {
		s.WritableBytes = s.AnonResidentBytes // no VMA iterator: the least it can be
	}
	s.WritableResidentBytes = min(s.WritableResidentBytes, s.WritableBytes)
	return s
}

func (r *ebpfRecorder) count(f func(*Stats)) { f(&r.stats) }

// publish makes the stats visible to the progress goroutine.
func (r *ebpfRecorder) publish() {
	if r.opts.Progress != nil {
		st := r.stats
		st.Processes = len(r.procs)
		r.prog.set(st)
	}
}

func (r *ebpfRecorder) reportProgress() (stop func()) {
	return progressLoop(r.opts, r.start, r.prog.get)
}
