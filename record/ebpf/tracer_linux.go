//go:build linux

package ebpf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// Tracer is the loaded and attached BPF program and its ring buffer.
type Tracer struct {
	objs  recordObjects
	links []link.Link
	rd    *ringbuf.Reader
	rec   ringbuf.Record
	mode  Mode
}

// Open loads the BPF program, attaches it and returns the tracer. When the
// kernel refuses, the error is a *RefusedError saying why and how to fix it.
func Open(cfg Config) (*Tracer, error) {
	if cfg.InjectLoadError != nil {
		return nil, diagnose(cfg.InjectLoadError, cfg.envOrDefault())
	}
	env := cfg.envOrDefault()
	if _, err := os.Stat(env.BTFPath); err != nil {
		return nil, diagnose(errNoBTF, env)
	}
	// Kernels from 5.11 account BPF memory to the cgroup; raising the
	// memlock limit then is not needed, and failing to is not an error.
	_ = rlimit.RemoveMemlock()
	spec, err := loadRecord()
	if err != nil {
		return nil, err
	}
	nrs, ok := syscallNumbers[runtime.GOARCH]
	if !ok {
		return nil, fmt.Errorf("the eBPF recorder does not know the system call numbers of %s", runtime.GOARCH)
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return nil, err
	}
	set := map[string]any{
		"mode": uint32(cfg.Mode), "self_tgid": uint32(os.Getpid()), "nr_cpus": uint32(ncpu),
		"nr_fork": nrs[0], "nr_vfork": nrs[1], "nr_clone": nrs[2], "nr_clone3": nrs[3], "nr_execve": nrs[4], "nr_execveat": nrs[5],
	}
	for name, v := range set {
		if err := spec.Variables[name].Set(v); err != nil {
			return nil, fmt.Errorf("setting %s: %w", name, err)
		}
	}
	if cfg.RingBytes > 0 {
		spec.Maps["events"].MaxEntries = uint32(cfg.RingBytes)
	}
	// Submits wake the reader only past a quarter of the ring (see
	// submit_flags): Next polls at its deadline.
	if err := spec.Variables["wakeup_bytes"].Set(uint64(spec.Maps["events"].MaxEntries / 4)); err != nil {
		return nil, fmt.Errorf("setting wakeup_bytes: %w", err)
	}
	t := &Tracer{mode: cfg.Mode}
	if err := load(spec, &t.objs); err != nil {
		return nil, diagnose(err, env)
	}
	if cfg.Mode == Cgroup {
		f, err := os.Open(cfg.Cgroup)
		if err != nil {
			t.Close()
			return nil, fmt.Errorf("--cgroup %s: %w", cfg.Cgroup, err)
		}
		err = t.objs.CgroupMap.Put(uint32(0), uint32(f.Fd()))
		f.Close()
		if err != nil {
			t.Close()
			return nil, fmt.Errorf("--cgroup %s: not a cgroup v2 directory? %w", cfg.Cgroup, err)
		}
	}
	for _, p := range []*ebpf.Program{t.objs.SysEnter, t.objs.SysExit, t.objs.SchedProcessFork,
		t.objs.SchedProcessExec, t.objs.SchedProcessExit, t.objs.SignalDeliver} {
		l, err := link.AttachTracing(link.TracingOptions{Program: p})
		if err != nil {
			t.Close()
			return nil, diagnose(fmt.Errorf("attaching %s: %w", p, err), env)
		}
		t.links = append(t.links, l)
	}
	if t.rd, err = ringbuf.NewReader(t.objs.Events); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// load loads the programs and their maps into objs. Its cost comes
// before the command may start, so the kernel's BTF (some 5 MB, read for
// the CO-RE relocations and the attachment points) is parsed while the
// maps are created, and the garbage collector, which would scan the
// parse's young heap twice over, waits until the load is done.
func load(spec *ebpf.CollectionSpec, objs *recordObjects) error {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	cache := btf.NewCache()
	go cache.Kernel() // the loader waits on the cache's lock for it
	return spec.LoadAndAssign(objs, &ebpf.CollectionOptions{Cache: cache})
}

// syscallNumbers are fork, vfork, clone, clone3, execve and execveat per
// architecture (-1: no such call).
var syscallNumbers = map[string][6]int32{
	"amd64": {57, 58, 56, 435, 59, 322},
	"arm64": {-1, -1, 220, 435, 221, 281},
}

// Track adds a process to the watched set (Tracked mode): its events are
// recorded from now on, and so are those of every process it creates.
func (t *Tracer) Track(pid int) error {
	return t.objs.Tracked.Put(uint32(pid), uint8(1))
}

// Next reads the next event into ev, waiting until deadline at most (zero:
// no wait beyond what is buffered). It returns false when none came.
// Events do not end the wait unless the ring buffer is a quarter full
// (see submit_flags in the BPF program): a caller polls, and reads what
// came in between at once.
func (t *Tracer) Next(deadline time.Time, ev *Event) (bool, error) {
	t.rd.SetDeadline(deadline)
	if err := t.rd.ReadInto(&t.rec); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, ringbuf.ErrFlushed) {
			return false, nil
		}
		return false, err
	}
	return true, decode(t.rec.RawSample, ev)
}

// Wake makes a Next that is waiting return now, after what is buffered,
// as if its deadline had passed. It is safe to call from any goroutine.
func (t *Tracer) Wake() {
	t.rd.Flush()
}

// Drops returns the events lost to a full ring buffer and the calls whose
// timing was not kept (the in-flight map was full), summed over CPUs.
func (t *Tracer) Drops() (lost, untimed uint64) {
	var per []uint64
	if t.objs.Drops.Lookup(uint32(0), &per) == nil {
		for _, v := range per {
			lost += v
		}
	}
	if t.objs.Drops.Lookup(uint32(1), &per) == nil {
		for _, v := range per {
			untimed += v
		}
	}
	return lost, untimed
}

// Close detaches and unloads everything.
func (t *Tracer) Close() error {
	for _, l := range t.links {
		l.Close()
	}
	if t.rd != nil {
		t.rd.Close()
	}
	return t.objs.Close()
}

func cstr(b []int8) string {
	u := unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), len(b))
	if i := bytes.IndexByte(u, 0); i >= 0 {
		u = u[:i]
	}
	return string(u)
}

// decode turns a ring-buffer sample into ev.
func decode(raw []byte, ev *Event) error {
	if len(raw) < int(unsafe.Sizeof(recordEvent{})) {
		return fmt.Errorf("short event from the kernel: %d bytes", len(raw))
	}
	e := (*recordEvent)(unsafe.Pointer(&raw[0]))
	*ev = Event{
		Type: Type(e.Type), TimeNs: int64(e.Ts), PID: int32(e.Pid), TID: int32(e.Tid), PPID: int32(e.Ppid),
		Child: int32(e.Child), Call: Call(e.Call), Flags: e.Flags, HasFlags: e.HasFlags != 0,
		Code: e.ExitCode, Value: e.Value, MinFlt: int64(e.MinFlt), MajFlt: int64(e.MajFlt),
		TotalVM: int64(e.TotalVm), MapCount: int64(e.MapCount), PageTableBytes: int64(e.PgtablesBytes),
		FilePages: int64(e.FilePages), AnonPages: int64(e.AnonPages), ShmemPages: int64(e.ShmemPages),
		WritableBytes: int64(e.WritableBytes), Threads: int32(e.Threads), VMAWalked: e.VmaWalked != 0,
		Comm: cstr(e.Comm[:]),
	}
	if ev.Type != Exec && ev.Type != ExecFailed {
		return nil
	}
	if len(raw) < int(unsafe.Sizeof(recordExecEvent{})) {
		return fmt.Errorf("short exec event from the kernel: %d bytes", len(raw))
	}
	x := (*recordExecEvent)(unsafe.Pointer(&raw[0]))
	ev.Path = cstr(x.Path[:])
	if ev.Type == Exec {
		n := min(int(x.ArgsLen), len(x.Args))
		args := unsafe.Slice((*byte)(unsafe.Pointer(&x.Args[0])), n)
		args = bytes.TrimSuffix(args, []byte{0})
		ev.Argv = []string{}
		if len(args) > 0 {
			for _, a := range bytes.Split(args, []byte{0}) {
				ev.Argv = append(ev.Argv, string(a))
			}
		}
		ev.ArgvCut = x.ArgsCut != 0
	}
	return nil
}

var errNoBTF = errors.New("no kernel BTF")

// diagnose explains why the kernel refused the recorder.
func diagnose(err error, env Env) error {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		// The verifier rejected the program: a bug or a kernel too old
		// for it, not a refusal.
		return fmt.Errorf("the kernel's verifier rejected the recorder's BPF program (kernel %s; 6.7 or later is needed): %w", kernelRelease(), err)
	}
	r := &RefusedError{Err: err}
	status := env.Status
	if status == "" {
		b, _ := os.ReadFile("/proc/self/status")
		status = string(b)
	}
	lockdown := env.Lockdown
	if lockdown == "" {
		b, _ := os.ReadFile("/sys/kernel/security/lockdown")
		lockdown = string(b)
	}
	capEff, seccomp := statusFields(status)
	hasCap := func(c uint) bool { return capEff&(1<<c) != 0 }
	switch {
	case errors.Is(err, errNoBTF):
		r.Reason = "the kernel has no BTF type information (" + env.BTFPath + " is missing)"
		r.Fix = "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distributions' kernels are), or record with --via ptrace"
	case strings.Contains(lockdown, "[confidentiality]"):
		r.Reason = "the kernel is locked down (" + strings.TrimSpace(lockdown) + "): BPF programs may not read kernel memory"
		r.Fix = "boot with lockdown=integrity or none (or Secure Boot off), or record with --via ptrace"
	case errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) || errors.Is(err, syscall.ENOSYS):
		switch {
		case !(hasCap(capBPF) && hasCap(capPerfmon)) && !hasCap(capSysAdmin):
			r.Reason = "the recorder lacks CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"
			r.Fix = "run as root, or 'setcap cap_bpf,cap_perfmon+ep analyze'; in a container, --cap-add=BPF --cap-add=PERFMON (or --privileged); or record with --via ptrace"
		case seccomp != "0" && seccomp != "":
			r.Reason = "a seccomp filter (Seccomp: " + seccomp + " in /proc/self/status) denies the bpf(2) system call"
			r.Fix = "run without the filter (docker/podman --security-opt seccomp=unconfined, or a profile that allows bpf), or record with --via ptrace"
		default:
			r.Reason = "the kernel refused to load the BPF program although the recorder has the capabilities (an LSM policy? kernel.unprivileged_bpf_disabled only matters without them)"
			r.Fix = "check the kernel log and LSM policy (SELinux, AppArmor, BPF LSM), or record with --via ptrace"
		}
	default:
		r.Reason = "the kernel could not load or attach the BPF program"
		r.Fix = "use a kernel of 6.7 or later with BTF and BPF tracing (CONFIG_BPF_SYSCALL, CONFIG_BPF_EVENTS), or record with --via ptrace"
	}
	return r
}

// Capability numbers (linux/capability.h).
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// statusFields reads CapEff and Seccomp from /proc/self/status.
func statusFields(status string) (capEff uint64, seccomp string) {
	for _, line := range strings.Split(status, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "CapEff":
			fmt.Sscanf(v, "%x", &capEff)
		case "Seccomp":
			seccomp = v
		}
	}
	return capEff, seccomp
}

func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}
