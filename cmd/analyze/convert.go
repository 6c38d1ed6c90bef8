package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/addrspace"
	"github.com/forkcost/forkcost/trace/strace"
)

func init() {
	register(command{name: "convert", summary: "convert strace logs into a trace file", run: runConvert})
}

func runConvert(e *env, args []string) error {
	fs := newFlagSet(e, "convert", "analyze convert [--from strace|auto] [-o OUT.arrow|OUT.parquet] [--strict] LOG...",
		`Reads strace logs and writes them as one forkcost trace. LOG may be a file,
the prefix of an -ff set (LOG.PID files, merged by time), several LOG.PID
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
reported with file:line; with --strict the first one is an error.`,
		"  strace -f -ttt -T -e trace=process,memory -o build.strace make -j2\n  analyze convert -o build.arrow build.strace\n  strace -ff -ttt -e trace=process,memory -o log make; analyze convert -o build.parquet log")
	from := fs.String("from", "auto", "input `format`: strace, or auto to recognise it from the first lines")
	out := fs.StringP("output", "o", "", "write the trace to `file` (.arrow or .parquet; default: the first LOG with .arrow)")
	strict := fs.Bool("strict", false, "fail on the first line that cannot be parsed")
	frac := fs.Float64("resident-fraction", strace.DefaultResidentFraction, "`fraction` (0 to 1] of mapped memory taken as resident")
	pageSize := fs.Int("page-size", 4096, "page size of the recording host, in `bytes`")
	baseVirt := fs.Int64("exec-baseline", addrspace.DefaultBaseline.VirtBytes, "`bytes` mapped by the kernel at each exec, invisible to strace (program, ld.so, stack)")
	maxHeld := fs.Int("max-held", strace.DefaultMaxHeld, "most `rows` held back while creations wait for their child's exec")
	compress := fs.Bool("compress", false, "zstd-compress an .arrow output (smaller; arrow-js then needs a zstd codec)")
	quiet := fs.BoolP("quiet", "q", false, "print no summary")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := oneOf(fs, "from", *from, "strace", "auto"); err != nil {
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
	inputs, err := strace.ExpandFF(fs.Args())
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
	if *from == "auto" {
		for _, in := range inputs {
			if in.Name == "-" {
				continue // read as strace: the only text format so far
			}
			if _, err := os.Stat(in.Name); err != nil {
				return err
			}
			if !strace.SniffFile(in.Name) {
				return fmt.Errorf("%s: not recognised as a strace log (its first lines do not parse); use --from strace to convert it anyway", in.Name)
			}
		}
	}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// The heap is small and churns: collect less often, within a limit
		// that keeps the peak RSS well below 256 MiB.
		defer debug.SetGCPercent(debug.SetGCPercent(300))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(160 << 20))
	}
	bar := progress.New(e.stderr, e.terminal)
	defer bar.Done()
	base := addrspace.DefaultBaseline
	if *baseVirt != base.VirtBytes {
		base.VirtBytes = *baseVirt
	}
	cfg := strace.Config{
		Options:  strace.Options{ResidentFraction: *frac, PageSize: *pageSize, Baseline: &base, MaxHeld: *maxHeld},
		Strict:   *strict,
		Compress: *compress,
		Stdin:    e.stdin,
		Warn: func(format string, args ...any) {
			bar.Done()
			fmt.Fprintf(e.stderr, "analyze convert: "+format+"\n", args...)
		},
		Progress: func(n int64) { bar.Printf("converting: %.1f MB read", float64(n)/1e6) },
	}
	st, err := strace.ConvertFiles(inputs, *out, cfg)
	bar.Done()
	if err != nil {
		var se *strace.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("%s (--strict)", se)
		}
		return err
	}
	if !*quiet {
		fmt.Fprintf(e.stderr, "wrote %s: %s\n", *out, st)
		if st.SyntaxErrors > 0 {
			fmt.Fprintf(e.stderr, "skipped %s\n", plural(st.SyntaxErrors, "malformed line"))
		}
	}
	return nil
}

// openAny opens a trace, converting a raw log on the fly.
func openAny(e *env, path string) (*trace.Reader, error) {
	return trace.OpenAny(path, nil, func(format string, args ...any) {
		fmt.Fprintf(e.stderr, "analyze: %s: "+format+"\n", append([]any{path}, args...)...)
	})
}
