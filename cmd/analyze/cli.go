package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/forkcost/forkcost/internal/version"
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

// usageError is a bad flag or argument: the error has been printed, with a
// pointer to --help, and the exit status is 2.
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
		// "open F: no such file or directory" names the path after the
		// operation; say the path first, as every other message does.
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) && msg == pe.Error() {
			msg = pe.Path + ": " + pe.Err.Error()
		}
		fmt.Fprintf(stderr, "analyze: %s\n", msg)
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
	var names []string
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
		names = append(names, c.name)
	}
	msg := fmt.Sprintf("unknown command %q%s", args[0], didYouMean(args[0], names))
	if strings.HasPrefix(args[0], "-") {
		msg = fmt.Sprintf("unknown flag %q before the command (flags come after it: analyze COMMAND [flags])", args[0])
	}
	fmt.Fprintf(stderr, "analyze: %s\nRun 'analyze --help' for the commands.\n", msg)
	return usageError{errors.New(msg)}
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
	fmt.Fprintf(w, "usage: %s\n\n%s\n\nflags:\n%s", fs.synopsis, strings.TrimSpace(fs.about), alignFlagUsages(strings.ReplaceAll(fs.FlagUsages(), "[=true|false]", "")))
	if fs.example != "" {
		fmt.Fprintf(w, "\nexample:\n%s\n", strings.TrimRight(fs.example, "\n"))
	}
}

// alignFlagUsages lines up the descriptions of pflag's flag list in one
// column. pflag pads each line to the longest "-x, --flag value" but
// counts a value placeholder it has already replaced, so lines with and
// without one start their descriptions in different columns.
func alignFlagUsages(u string) string {
	lines := strings.Split(strings.TrimRight(u, "\n"), "\n")
	type split struct{ flag, desc string }
	parts := make([]split, len(lines))
	width := 0
	for i, l := range lines {
		// The flag part ends at the first run of two or more spaces after
		// the leading indentation.
		trim := strings.TrimLeft(l, " ")
		indent := len(l) - len(trim)
		j := strings.Index(trim, "  ")
		if j < 0 || !strings.HasPrefix(trim, "-") {
			parts[i] = split{desc: l}
			continue
		}
		parts[i] = split{flag: l[:indent+j], desc: strings.TrimLeft(trim[j:], " ")}
		width = max(width, indent+j)
	}
	var b strings.Builder
	for _, p := range parts {
		if p.flag == "" {
			// A continuation of the line before: indent it to the column.
			if d := strings.TrimLeft(p.desc, " "); d != "" {
				fmt.Fprintf(&b, "%s   %s\n", strings.Repeat(" ", width), d)
			}
			continue
		}
		fmt.Fprintf(&b, "%-*s   %s\n", width, p.flag, p.desc)
	}
	return b.String()
}

// parse parses args. After --help it returns errUsagePrinted; on a bad flag
// it prints the error, with a suggestion for a misspelt flag, and returns a
// usageError.
func (fs *flagSet) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "unknown flag: --"); ok {
			var flags []string
			fs.VisitAll(func(f *pflag.Flag) { flags = append(flags, f.Name) })
			if s := closest(name, flags); s != "" {
				err = fmt.Errorf("%w (did you mean --%s?)", err, s)
			}
		}
		return fs.fail(err)
	}
	if fs.help {
		fs.usage(fs.e.stdout)
		return errUsagePrinted
	}
	return nil
}

// fail reports a bad flag value or argument: the error on one line and
// where the usage is, not the usage itself, which would bury the error.
func (fs *flagSet) fail(err error) error {
	fmt.Fprintf(fs.e.stderr, "analyze %s: %v\nRun 'analyze %s --help' for usage.\n", fs.Name(), err, fs.Name())
	return usageError{err}
}

// closest returns the candidate nearest to word (ignoring case) when it is
// near enough to be a likely slip, else "".
func closest(word string, candidates []string) string {
	best, bestD := "", 0
	lw := strings.ToLower(word)
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(lw, strings.ToLower(c))
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(1, len(word)/3) {
		return ""
	}
	return best
}

// didYouMean is " (did you mean "x"?)" for the closest candidate, or "".
func didYouMean(word string, candidates []string) string {
	if s := closest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// failf is fail with a formatted message.
func (fs *flagSet) failf(format string, args ...any) error {
	return fs.fail(fmt.Errorf(format, args...))
}
