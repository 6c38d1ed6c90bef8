package main

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/record"
	"github.com/forkcost/forkcost/trace"
)

func init() {
	register(command{name: "record", summary: "record the process creations of a command, a process, a cgroup or the system (eBPF or ptrace)", run: runRecord})
}

const recordAbout = `
Records every process creation (fork, vfork, posix_spawn, clone), exec,
failed exec, exit and signal of what it watches, with the creating
parent's real address space at the instant of each creation: mappings,
writable mappings, resident and writable-resident bytes, anonymous pages,
page tables, threads and fault counters. Threads are followed but are not
creations.

What to watch: CMD and all its descendants (-- CMD ARGS); a running
process and every descendant it creates from then on (--pid); everything
in a cgroup (--cgroup); the whole system (--all). The last three run until
--duration has passed or until SIGINT/SIGTERM, then finish the file.

Two backends (--via): eBPF (programs on kernel tracepoints: no process is
ever stopped, and each creation's kernel cost is measured: create_ns,
parent_blocked_ns for vfork, post_create_faults, and exec_ns on exec rows)
and ptrace (stops each process at its events and reads /proc; only for
-- CMD). auto, the default, uses eBPF where the kernel and privileges
allow it (root, or CAP_BPF and CAP_PERFMON; a kernel with BTF) and ptrace
otherwise; the summary line says which ran and why.

Rows are written in batches to a temporary file beside OUT, renamed into
place at the end. The exit status is CMD's (128+N when signal N killed
it). SIGINT, SIGTERM and SIGHUP sent to analyze are forwarded to CMD; the
trace then holds what was recorded and its metadata key
forkcost.incomplete says why it stops early ('analyze dump' shows it).
Events the eBPF backend loses to a full buffer are counted and also mark
the trace incomplete. If analyze is killed, CMD is killed with it and only
the temporary file (.OUT.tmp-PID-N) remains; the rows in it, flushed four
times a second, are recovered with
'analyze convert --salvage .OUT.tmp-PID-N -o OUT'.

With ptrace, exec attempts are trapped with a seccomp filter, which sets
no_new_privs: set-user-ID programs run without their privileges under the
recorder (--no-exec-failures avoids the filter, and failed execs are then
not recorded). ptrace needs CAP_SYS_PTRACE in a container and a Yama
ptrace_scope of at most 1.`

const recordExample = `  analyze record -o build.arrow -- make -j2
  analyze replay build.arrow
  analyze record --via ebpf --all --duration 30s -o system.arrow
  analyze record --pid 1234 -o service.arrow    (until Ctrl-C)`

func runRecord(e *env, args []string) error {
	fs := newFlagSet(e, "record", "analyze record [flags] (-- CMD [ARGS...] | --pid PID | --cgroup DIR | --all)", recordAbout, recordExample)
	out := fs.StringP("output", "o", "record.arrow", "write the trace to `file` (.arrow or .parquet)")
	noExecFail := fs.Bool("no-exec-failures", false, "do not trap exec attempts: failed execs are not recorded, set-user-ID programs keep their privileges")
	quiet := fs.BoolP("quiet", "q", false, "no progress and no summary on stderr")
	via := fs.String("via", record.ViaAuto, "backend: `auto`, ebpf or ptrace")
	pid := fs.Int("pid", 0, "watch the running process `PID` and the processes it creates from now on (eBPF)")
	cgroup := fs.String("cgroup", "", "watch everything in the cgroup v2 directory `DIR` (eBPF)")
	all := fs.Bool("all", false, "watch the whole system (eBPF)")
	duration := fs.Duration("duration", 0, "with --pid, --cgroup or --all: stop after `D` (default: at SIGINT/SIGTERM)")
	fs.SetInterspersed(false)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := oneOf(fs, "via", *via, record.ViaAuto, record.ViaEBPF, record.ViaPtrace); err != nil {
		return err
	}
	cmd := fs.Args()
	target := record.Options{Args: cmd, PID: *pid, Cgroup: *cgroup, All: *all}
	if err := target.CheckTarget(); err != nil {
		return fs.failf("%v: -- CMD [ARGS...], --pid PID, --cgroup DIR or --all", err)
	}
	switch {
	case *pid < 0:
		return fs.failf("--pid %d: want a process id", *pid)
	case *duration < 0:
		return fs.failf("--duration %s: want a positive duration", *duration)
	case *duration != 0 && len(cmd) > 0:
		return fs.failf("--duration applies to --pid, --cgroup and --all; a command is recorded until it ends")
	case *via == record.ViaPtrace && len(cmd) == 0:
		return fs.failf("--via ptrace records only a command it starts (-- CMD ARGS); --pid, --cgroup and --all need eBPF (--via ebpf or auto)")
	}
	if *out == "" {
		return fs.failf("-o: empty file name")
	}
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".arrow", ".feather", ".ipc", ".parquet":
	default:
		return fs.failf("-o %s: the name must end in .arrow or .parquet", *out)
	}
	if err := needParquet(fs, "-o", *out); err != nil {
		return err
	}

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	signalsOwned.Store(true) // the recorder finishes the trace, marked incomplete
	defer signalsOwned.Store(false)

	stdout, doneOut := osFile(e.stdout, os.Stdout)
	stderr, doneErr := osFile(e.stderr, os.Stderr)
	opts := record.Options{
		Args:           cmd,
		Via:            *via,
		PID:            *pid,
		Cgroup:         *cgroup,
		All:            *all,
		Duration:       *duration,
		Output:         *out,
		Signals:        sigs,
		NoExecFailures: *noExecFail,
		Stdout:         stdout,
		Stderr:         stderr,
	}
	if f, ok := e.stdin.(*os.File); ok {
		opts.Stdin = f
	}
	bar := progress.New(e.stderr, e.terminal && !*quiet)
	opts.Progress = func(s record.Stats) {
		bar.Printf("record: %s  %s  %s  %s  %d running",
			s.Elapsed.Round(100*time.Millisecond), plural(s.Rows, "row"), plural(s.Creations, "creation"),
			plural(s.Execs, "exec"), s.Processes)
	}
	res, err := record.Run(opts)
	doneOut()
	doneErr()
	bar.Done()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, iofs.ErrNotExist) && res.ExitStatus == 127 {
			// As a shell would say it.
			fmt.Fprintf(e.stderr, "analyze record: %v\n", err)
			return exitStatus{127}
		}
		if errors.Is(err, record.ErrUnsupported) || len(cmd) == 0 {
			return fmt.Errorf("record: %w", err)
		}
		return fmt.Errorf("record %s: %w", cmd[0], err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "analyze record: warning: %s\n", w)
	}
	if !*quiet {
		what := "exited with status 0"
		switch {
		case res.Signal != 0:
			what = fmt.Sprintf("killed by signal %d (%s)", res.Signal, syscall.Signal(res.Signal))
		case res.ExitStatus != 0:
			what = fmt.Sprintf("exited with status %d", res.ExitStatus)
		}
		var subject string
		if len(cmd) > 0 {
			subject = cmd[0] + " " + what
		} else {
			subject = "watched " + res.Meta.Origin
		}
		fmt.Fprintf(e.stderr, "analyze record: %s; wrote %d rows (%d creations, %d execs) to %s in %s (recorder CPU %s); recorded with %s: %s\n",
			subject, res.Stats.Rows, res.Stats.Creations, res.Stats.Execs, *out, res.Stats.Elapsed.Round(time.Millisecond),
			res.Stats.TracerCPU.Round(time.Millisecond), res.Backend, res.BackendWhy)
		if res.EventsLost > 0 {
			fmt.Fprintf(e.stderr, "analyze record: %d events were lost to a full ring buffer\n", res.EventsLost)
		}
		if res.Incomplete != "" {
			fmt.Fprintf(e.stderr, "analyze record: the trace is marked incomplete (%s): %s\n", trace.MetaIncomplete, res.Incomplete)
		}
	}
	if res.ExitStatus != 0 {
		return exitStatus{res.ExitStatus}
	}
	return nil
}

// osFile returns w as a file for the command, through a pipe when it is
// not one (tests run the CLI with buffers). done waits for the copy.
func osFile(w io.Writer, def *os.File) (*os.File, func()) {
	if w == nil {
		return def, func() {}
	}
	if f, ok := w.(*os.File); ok {
		return f, func() {}
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return def, func() {}
	}
	copied := make(chan struct{})
	go func() {
		io.Copy(w, pr)
		pr.Close()
		close(copied)
	}()
	return pw, func() {
		pw.Close()
		<-copied
	}
}
