package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/forkcost/forkcost/internal/version"
	_ "github.com/forkcost/forkcost/trace/parquetio" // read and write .parquet
)

// env is what a subcommand may touch of the outside world, so that tests
// run the whole CLI in-process.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	// terminal reports whether stderr is a terminal: progress is shown only then.
	terminal bool
	// lenient makes openTrace skip (and report) rows that break the
	// trace schema's invariants instead of failing on the first (--lenient);
	// hasLenient says the command has the flag, so errors may suggest it.
	lenient, hasLenient bool
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

// commands lists the subcommands in the order the usage shows them. Each
// lives in a file of its own named after it.
var commands []command

func register(c command) { commands = append(commands, c) }

// usageError is a bad flag or argument: the usage has been printed and the
// exit status is 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// exitStatus ends a run with a given status and no message (the exit
// status of the command that 'analyze record' ran).
type exitStatus struct{ code int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// errUsagePrinted ends a run after --help: exit status 0, nothing more to say.
var errUsagePrinted = errors.New("usage printed")

func exitCode(err error, stderr io.Writer) int {
	var u usageError
	var st exitStatus
	switch {
	case err == nil, errors.Is(err, errUsagePrinted):
		return 0
	case errors.As(err, &u):
		return 2
	case errors.As(err, &st):
		// A status passed on from a command analyze ran (analyze record):
		// the command has said what it had to say.
		return st.code
	default:
		fmt.Fprintf(stderr, "analyze: %v\n", err)
		return 1
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	e := &env{stdout: stdout, stderr: stderr, stdin: os.Stdin}
	if f, ok := stderr.(*os.File); ok {
		e.terminal = term.IsTerminal(int(f.Fd()))
	}
	if len(args) == 0 {
		return runDemo(e)
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintf(stdout, "analyze %s\n", version.String())
		return nil
	case "-h", "--help", "help":
		mainUsage(stdout)
		return errUsagePrinted
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "analyze: unknown command %q\n\n", args[0])
	mainUsage(stderr)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

func mainUsage(w io.Writer) {
	fmt.Fprintf(w, `usage: analyze [command] [flags] [args]

With no command, analyze replays its two embedded traces (a real dietlibc
build recorded with 'analyze record', and a synthetic 1990s BSD libc build)
on a 200 MHz Pentium Pro and a current x86-64 server, prints how much time
sharing vfork saves over copy-on-write fork, and writes the default figures
into forkcost-figures/.

commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'analyze COMMAND --help' for a command's flags and an example.\n'analyze --version' prints the tool and model versions.\n")
}

// flagSet is a subcommand's flags with the usage text and example that
// --help prints.
type flagSet struct {
	*pflag.FlagSet
	e        *env
	synopsis string // "analyze replay [flags] TRACE..."
	about    string
	example  string
	help     bool
}

func newFlagSet(e *env, name, synopsis, about, example string) *flagSet {
	fs := &flagSet{FlagSet: pflag.NewFlagSet(name, pflag.ContinueOnError), e: e, synopsis: synopsis, about: about, example: example}
	fs.SetOutput(io.Discard) // errors are printed by parse, with the usage
	fs.SortFlags = false
	fs.BoolVarP(&fs.help, "help", "h", false, "print this help")
	return fs
}

func (fs *flagSet) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n\nflags:\n%s", fs.synopsis, strings.TrimSpace(fs.about), strings.ReplaceAll(fs.FlagUsages(), "[=true|false]", ""))
	if fs.example != "" {
		fmt.Fprintf(w, "\nexample:\n%s\n", strings.TrimRight(fs.example, "\n"))
	}
}

// parse parses args. After --help it returns errUsagePrinted; on a bad flag
// it prints the error and the usage to stderr and returns a usageError.
func (fs *flagSet) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		return fs.fail(err)
	}
	if fs.help {
		fs.usage(fs.e.stdout)
		return errUsagePrinted
	}
	return nil
}

// fail reports a bad flag value or argument found after parsing.
func (fs *flagSet) fail(err error) error {
	fmt.Fprintf(fs.e.stderr, "analyze %s: %v\n\n", fs.Name(), err)
	fs.usage(fs.e.stderr)
	return usageError{err}
}

// failf is fail with a formatted message.
func (fs *flagSet) failf(format string, args ...any) error {
	return fs.fail(fmt.Errorf(format, args...))
}
