package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/trace/addrspace"
	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/decompress"
	_ "github.com/forkcost/forkcost/trace/kdump"  // registers kdump
	_ "github.com/forkcost/forkcost/trace/strace" // registers strace
	"github.com/forkcost/forkcost/trace/textconv"
	_ "github.com/forkcost/forkcost/trace/truss" // registers truss
)

func init() {
	register(command{name: "convert", summary: "convert strace, kdump or truss logs into a trace file, or a trace between .arrow and .parquet", run: runConvert})
}

func runConvert(e *env, args []string) error {
	fs := newFlagSet(e, "convert", "analyze convert [--from strace|kdump|truss|auto] [-o OUT.arrow|OUT.parquet] [--strict] LOG... | --out DIR LOG|DIR|GLOB... | --salvage FILE -o OUT.arrow",
		`Reads strace, kdump or truss logs and writes them as one forkcost trace.
LOG may be a file, the prefix of an -ff set (LOG.PID files, merged by time), several LOG.PID
files, or - for stdin; gzip and zstd files are recognised by content.
Every strace output shape is read: with or without -f, -ff, -o or stderr,
-t/-tt/-ttt/-r timestamps, -T, -y, -Y, -n, -i, -k, -X, -v, and split
"<unfinished ...>" calls.

Address spaces are rebuilt from the memory system calls in the log
(record with -e trace=process,memory), plus a fixed per-exec baseline for
the kernel's own mappings that strace cannot see; resident sizes are an
estimate (--resident-fraction of the mapped sizes), so every creation row
says snapshot_source=estimated.

Lines that cannot be parsed are skipped, counted, and the first few are
reported with file:line; with --strict the first one is an error. A log of
which no line at all can be read is an error.

With --out DIR, each LOG (or -ff set) becomes a trace of its own in DIR,
named after it (--to arrow or parquet), in any format: a directory stands for the files
under it (LOG.PID files sharing a prefix form one -ff set), a quoted glob
for the files it matches. Logs are converted in parallel (--jobs); one
that fails is reported at the end and the exit status is 1.

BSD logs: the text kdump prints from a ktrace file (NetBSD, FreeBSD,
OpenBSD, DragonFly; record children with ktrace -i), with or without -T,
-E or -R timestamps, and FreeBSD truss output (-f, -H, -d, -D). --from
auto tells strace, kdump and truss apart by content. A log without
timestamps converts with times from record order, and the trace says
time_synthetic=true.`,
		"  strace -f -ttt -T -e trace=process,memory -o build.strace make -j2\n  analyze convert -o build.arrow build.strace\n  strace -ff -ttt -e trace=process,memory -o log make; analyze convert -o build.parquet log\n  analyze convert --out traces/ --to parquet logs/\n  ktrace -i make; kdump -T > build.kdump; analyze convert -o build.arrow build.kdump")
	from := fs.String("from", "auto", "input `format`: "+strings.Join(formatNames(), ", ")+", or auto to recognise it from the first lines")
	timeForm := fs.String("time-form", "", "kdump/truss: the `form` of the log's timestamps: auto, absolute (kdump -T), elapsed (kdump -E, truss -d), relative (kdump -R), duration (truss -D alone) or none")
	osName := fs.String("os", "", "kdump: the `system` the log comes from (netbsd, freebsd, openbsd, dragonfly), when the log does not tell")
	out := fs.StringP("output", "o", "", "write the trace to `file` (.arrow or .parquet; default: the first LOG with .arrow)")
	strict := fs.Bool("strict", false, "fail on the first line that cannot be parsed")
	frac := fs.Float64("resident-fraction", textconv.DefaultResidentFraction, "`fraction` (0 to 1] of mapped memory taken as resident")
	pageSize := fs.Int("page-size", 4096, "page size of the recording host, in `bytes`")
	baseVirt := fs.Int64("exec-baseline", addrspace.DefaultBaseline.VirtBytes, "`bytes` mapped by the kernel at each exec, invisible to strace (program, ld.so, stack)")
	maxHeld := fs.Int("max-held", textconv.DefaultMaxHeld, "most `rows` held back while creations wait for their child's exec")
	compress := fs.Bool("compress", false, "zstd-compress an .arrow output (smaller; arrow-js then needs a zstd codec)")
	quiet := fs.BoolP("quiet", "q", false, "print no summary")
	outDir := fs.String("out", "", "convert each LOG, -ff set, or file under a directory into a trace of its own in `DIR`")
	to := fs.String("to", "arrow", "with --out: the traces' `format`, arrow or parquet")
	jobs := fs.IntP("jobs", "j", defaultJobs(), "with --out: convert up to `n` logs at once")
	salvageFrom := fs.String("salvage", "", "recover the complete batches of a trace `file` that was never finished (the temporary file of a killed 'analyze record') into -o, marked incomplete")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *salvageFrom != "" {
		if *out == "" || fs.NArg() > 0 {
			return fs.failf("--salvage FILE wants -o OUT.arrow and no LOG")
		}
		return salvage(e, *salvageFrom, *out, *quiet)
	}
	if err := oneOf(fs, "from", *from, append(formatNames(), "auto")...); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fs.failf("no LOG given")
	}
	if *frac <= 0 || *frac > 1 {
		return fs.failf("--resident-fraction %g: want a value in (0, 1]", *frac)
	}
	if *pageSize <= 0 || *pageSize&(*pageSize-1) != 0 {
		return fs.failf("--page-size %d: want a power of two", *pageSize)
	}
	if *baseVirt < 0 || *maxHeld <= 0 {
		return fs.failf("--exec-baseline and --max-held must not be negative")
	}
	if *timeForm != "" {
		if _, err := bsd.ParseTimeForm(*timeForm); err != nil {
			return fs.failf("--time-form: %v", err)
		}
		if *timeForm == "auto" {
			*timeForm = ""
		}
	}
	if *osName != "" {
		if err := oneOf(fs, "os", *osName, "netbsd", "freebsd", "openbsd", "dragonfly"); err != nil {
			return err
		}
	}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// The heap is small and churns: collect less often, within a limit
		// that keeps the peak RSS well below 256 MiB.
		defer debug.SetGCPercent(debug.SetGCPercent(300))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(160 << 20))
	}
	base := addrspace.DefaultBaseline
	base.VirtBytes = *baseVirt
	cfg := textconv.Config{
		Options:  textconv.Options{ResidentFraction: *frac, PageSize: *pageSize, Baseline: &base, MaxHeld: *maxHeld},
		Strict:   *strict,
		Compress: *compress,
		TimeForm: *timeForm,
		OS:       *osName,
	}
	if *outDir != "" {
		if *out != "" {
			return fs.failf("give -o (one trace from all the LOGs) or --out DIR (one trace per LOG), not both")
		}
		if err := oneOf(fs, "to", *to, "arrow", "parquet"); err != nil {
			return err
		}
		if err := needParquet(fs, "--to", *to); err != nil {
			return err
		}
		if *jobs < 1 {
			return fs.failf("--jobs %d: want at least 1", *jobs)
		}
		return convertMany(e, fs, fs.Args(), *outDir, "."+*to, *from, *jobs, *quiet, cfg)
	}
	if tables := countTables(fs.Args()); tables > 0 {
		// A trace or per-event file already: re-encode it.
		if tables != fs.NArg() || fs.NArg() != 1 {
			return fs.failf("give one .arrow or .parquet file to re-encode, or logs to convert, not both or several")
		}
		return convertTable(e, fs, fs.Arg(0), *out, *compress, *quiet)
	}
	inputs, err := textconv.ExpandFF(fs.Args())
	if err != nil {
		return err
	}
	stdins := 0
	for _, in := range inputs {
		if in.Name == "-" {
			stdins++
		}
	}
	if stdins > 1 {
		return fs.failf("- (stdin) given more than once")
	}
	if *out == "" {
		if inputs[0].Name == "-" {
			return fs.failf("reading stdin: give the output file with -o")
		}
		base := strings.TrimSuffix(strings.TrimSuffix(fs.Arg(0), ".gz"), ".zst")
		*out = base + ".arrow"
	}
	if !strings.HasSuffix(*out, ".arrow") && !strings.HasSuffix(*out, ".parquet") {
		return fs.failf("-o %s: the output must end in .arrow or .parquet", *out)
	}
	if err := needParquet(fs, "-o", *out); err != nil {
		return err
	}
	format, err := detectFormat(e, *from, inputs)
	if err != nil {
		return err
	}
	if !format.Sets && len(inputs) != 1 {
		return fs.failf("%s: give one log (kdump and truss write one file for all processes)", format.Name)
	}
	bar := progress.New(e.stderr, e.terminal)
	defer bar.Done()
	cfg.Stdin = e.stdin
	cfg.Warn = func(format string, args ...any) {
		bar.Done()
		fmt.Fprintf(e.stderr, "analyze convert: "+format+"\n", args...)
	}
	cfg.Progress = func(n int64) { bar.Printf("converting: %.1f MB read", float64(n)/1e6) }
	st, err := format.Convert(inputs, *out, cfg)
	bar.Done()
	if err != nil {
		return strictError(err)
	}
	if !*quiet {
		fmt.Fprintf(e.stderr, "wrote %s: %s\n", *out, st)
		if st.SyntaxErrors > 0 {
			fmt.Fprintf(e.stderr, "skipped %s\n", plural(st.SyntaxErrors, "malformed line"))
		}
	}
	return nil
}

// strictError says which flag made a syntax error fatal.
func strictError(err error) error {
	var se *textconv.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s (--strict)", se)
	}
	return err
}

// formatNames are the names of the registered text formats.
func formatNames() []string {
	var names []string
	for _, f := range textconv.Formats() {
		names = append(names, f.Name)
	}
	return names
}

// detectFormat returns the format of the inputs for --from: the one named,
// or the one recognised by content when from is auto (the same for every
// input). With auto and stdin, e.stdin is replaced by a buffered reader
// whose start was looked at.
func detectFormat(e *env, from string, inputs []textconv.Input) (*textconv.Format, error) {
	if from != "auto" {
		return textconv.Lookup(from), nil
	}
	found := ""
	for _, in := range inputs {
		var head []byte
		if in.Name == "-" {
			br := bufio.NewReaderSize(e.stdin, textconv.HeadBytes)
			e.stdin = br
			peek, _ := br.Peek(textconv.HeadBytes)
			// Decompress a copy of the start (gzip or zstd on stdin), so
			// that nothing is consumed from stdin itself.
			head = decompress.Head(bytes.NewReader(peek), textconv.HeadBytes)
		} else {
			fi, err := os.Stat(in.Name)
			if err != nil {
				return nil, err
			}
			if fi.Size() == 0 {
				if len(inputs) == 1 {
					return nil, fmt.Errorf("%s: the file is empty: nothing to convert", in.Name)
				}
				continue // an empty -ff file of a task that printed nothing
			}
			head = decompress.HeadFile(in.Name, textconv.HeadBytes)
		}
		f := textconv.Detect(head)
		if f == "" {
			if in.Name == "-" {
				continue
			}
			return nil, notALog(in.Name, head)
		}
		if found != "" && f != found {
			return nil, fmt.Errorf("%s is a %s log but the logs before it are %s logs", in.Name, f, found)
		}
		found = f
	}
	if found == "" {
		found = "strace"
	}
	return textconv.Lookup(found), nil
}

// notALog is the error for a file whose start no format recognises.
func notALog(name string, head []byte) error {
	if bytes.IndexByte(head, 0) >= 0 {
		return fmt.Errorf("%s: binary data, not a text log (a ktrace.out file is rendered as text first, with kdump -T -f %s > %s.txt)", name, name, name)
	}
	var others []string
	for _, n := range formatNames() {
		if n != "strace" {
			others = append(others, n)
		}
	}
	return fmt.Errorf("%s: not recognised as a strace log, nor as a %s log (its first lines do not parse); use --from to convert it anyway", name, strings.Join(others, " or "))
}
