//go:build linux && amd64

package record

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The command is started through a helper: the recorder's own executable,
// re-executed with helperEnv set. Package record's init sees the variable
// and, instead of running the program, waits until the recorder has seized
// it (a byte on fd 3), installs the exec-trapping seccomp filter and execs
// the command. Every program that links package record (analyze, the
// package's tests) can therefore serve as its own helper.
const helperEnv = "FORKCOST_RECORD_HELPER"

// helperArg0 is the helper's argv[0], by which the recorder tells the
// helper's own exec from the command's.
const helperArg0 = "forkcost-record-helper"

func init() {
	mode, ok := os.LookupEnv(helperEnv)
	if !ok {
		return
	}
	// init runs on the main thread, locked to it, so the filter installed
	// below is the exec'ing thread's.
	os.Unsetenv(helperEnv)
	restoreGodebug()
	code := runHelper(mode, os.Args)
	os.Exit(code)
}

// The helper is a Go program until it execs the command, and the Go
// runtime preempts its goroutines with SIGURG. A SIGURG still pending at
// the exec is delivered to the command, and a recorder then records a
// signal the command never had. The helper therefore runs with
// asynchronous preemption off (GODEBUG, read once at its start) and gives
// the command the GODEBUG it was meant to have: helperGodebugEnv holds
// "=" followed by the original value, or is empty when there was none.
const helperGodebugEnv = "FORKCOST_RECORD_HELPER_GODEBUG"

// helperEnviron is env for the helper: GODEBUG with asynchronous
// preemption off, the original kept aside, and the helper's mode.
func helperEnviron(env []string, mode string) []string {
	out := make([]string, 0, len(env)+3)
	saved := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			saved = "=" + v
			continue
		}
		out = append(out, kv)
	}
	godebug := "asyncpreemptoff=1"
	if saved != "" {
		godebug = saved[1:] + ",asyncpreemptoff=1"
	}
	return append(out, "GODEBUG="+godebug, helperGodebugEnv+"="+saved, helperEnv+"="+mode)
}

// restoreGodebug puts back the GODEBUG that helperEnviron set aside.
func restoreGodebug() {
	saved, ok := os.LookupEnv(helperGodebugEnv)
	if !ok {
		return
	}
	os.Unsetenv(helperGodebugEnv)
	if v, had := strings.CutPrefix(saved, "="); had {
		os.Setenv("GODEBUG", v)
	} else {
		os.Unsetenv("GODEBUG")
	}
}

func runHelper(mode string, args []string) int {
	// args: helper-name, path, argv...
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, "analyze record: helper started without a command")
		return 127
	}
	var b [1]byte
	for {
		n, err := syscall.Read(3, b[:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n != 1 {
			// The recorder went away before seizing us.
			return 127
		}
		break
	}
	syscall.Close(3)
	if strings.Contains(mode, "seccomp") {
		if err := installExecTrap(); err != nil {
			fmt.Fprintf(os.Stderr, "analyze record: cannot trap exec attempts (%v); failed execs will not be recorded\n", err)
		}
	}
	path, argv := args[1], args[2:]
	err := syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "analyze record: %s: %v\n", path, err)
	if err == syscall.ENOENT {
		return 127
	}
	return 126
}

// seccomp constants (linux/seccomp.h, linux/audit.h).
const (
	seccompRetAllow  = 0x7fff0000
	seccompRetTrace  = 0x7ff00000
	auditArchX86_64  = 0xc000003e
	bpfLdWAbs        = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	bpfJeqK          = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
	bpfRetK          = unix.BPF_RET | unix.BPF_K
	seccompDataNr    = 0
	seccompDataArch  = 4
	seccompFilterMod = 2 // SECCOMP_MODE_FILTER
)

// installExecTrap makes execve and execveat stop the calling thread (and
// everything it execs and creates) with PTRACE_EVENT_SECCOMP; every other
// system call runs untouched.
func installExecTrap() error {
	filter := []unix.SockFilter{
		{Code: bpfLdWAbs, K: seccompDataArch},
		{Code: bpfJeqK, Jt: 0, Jf: 3, K: auditArchX86_64},
		{Code: bpfLdWAbs, K: seccompDataNr},
		{Code: bpfJeqK, Jt: 2, Jf: 0, K: unix.SYS_EXECVE},
		{Code: bpfJeqK, Jt: 1, Jf: 0, K: unix.SYS_EXECVEAT},
		{Code: bpfRetK, K: seccompRetAllow},
		{Code: bpfRetK, K: seccompRetTrace},
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_SET_SECCOMP, seccompFilterMod, uintptr(unsafe.Pointer(&prog))); e != 0 {
		return fmt.Errorf("prctl(PR_SET_SECCOMP): %w", e)
	}
	return nil
}
