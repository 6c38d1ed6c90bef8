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
	register(command{name: "record", summary: "run a command under ptrace and record its process creations", run: runRecord})
}

const recordAbout = `
Runs CMD under ptrace and records every process creation (fork, vfork,
posix_spawn, clone), exec, failed exec, exit and signal of CMD and all its
descendants, with the creating parent's real address space read from /proc
while it is stopped at the creation: mappings, writable mappings, resident
and writable-resident bytes, anonymous and huge pages, page tables, threads
and fault counters. Threads are followed but are not creations.

The tracer stops processes only at those events (and at exec attempts,
trapped by a seccomp filter), never at every system call. Rows are written
in batches to a temporary file beside OUT, renamed into place when CMD and
all its descendants have exited.

The exit status is CMD's (128+N when signal N killed it). SIGINT, SIGTERM
and SIGHUP sent to analyze are forwarded to CMD; the trace then holds what
was recorded and its metadata key forkcost.incomplete says why it stops
early ('analyze dump' shows it). If analyze is killed, CMD is killed with
it and only the temporary file (.OUT.tmp-PID-N) remains; the rows in it,
flushed four times a second, are recovered with
'analyze convert --salvage .OUT.tmp-PID-N -o OUT'.

Recording needs Linux on amd64 and permission to ptrace (CAP_SYS_PTRACE in
a container, a Yama ptrace_scope of at most 1). Exec attempts are trapped
with a seccomp filter, which sets no_new_privs: set-user-ID programs run
without their privileges under the recorder (--no-exec-failures avoids the
filter, and failed execs are then not recorded).`

const recordExample = `  analyze record -o build.arrow -- make -j2
  analyze replay build.arrow`

func runRecord(e *env, args []string) error {
	fs := newFlagSet(e, "record", "analyze record [flags] -- CMD [ARGS...]", recordAbout, recordExample)
	out := fs.StringP("output", "o", "record.arrow", "write the trace to `file` (.arrow or .parquet)")
	noExecFail := fs.Bool("no-exec-failures", false, "do not trap exec attempts: failed execs are not recorded, set-user-ID programs keep their privileges")
	quiet := fs.BoolP("quiet", "q", false, "no progress and no summary on stderr")
	fs.SetInterspersed(false)
	if err := fs.parse(args); err != nil {
		return err
	}
	cmd := fs.Args()
	if len(cmd) == 0 {
		return fs.failf("no command to record: analyze record [flags] -- CMD [ARGS...]")
	}
	if *out == "" {
		return fs.failf("-o: empty file name")
	}
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".arrow", ".feather", ".ipc", ".parquet":
	default:
		return fs.failf("-o %s: the name must end in .arrow or .parquet", *out)
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
		if errors.Is(err, record.ErrUnsupported) {
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
		fmt.Fprintf(e.stderr, "analyze record: %s %s; wrote %d rows (%d creations, %d execs) to %s in %s (recorder CPU %s)\n",
			cmd[0], what, res.Stats.Rows, res.Stats.Creations, res.Stats.Execs, *out, res.Stats.Elapsed.Round(time.Millisecond),
			res.Stats.TracerCPU.Round(time.Millisecond))
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
