package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/trace/addrspace"
	"github.com/forkcost/forkcost/trace/strace"
)

func init() {
	register(command{name: "convert", summary: "convert strace, kdump or truss logs into a trace file", run: runConvert})
}

func runConvert(e *env, args []string) error {
	fs := newFlagSet(e, "convert", "analyze convert [--from strace|kdump|truss|auto] [-o OUT.arrow|OUT.parquet] [--strict] LOG... | --out DIR LOG|DIR|GLOB... | --salvage FILE -o OUT.arrow",
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
reported with file:line; with --strict the first one is an error.

With --out DIR, each LOG (or -ff set) becomes a trace of its own in DIR,
named after it (--to arrow or parquet): a directory stands for the files
under it (LOG.PID files sharing a prefix form one -ff set), a quoted glob
for the files it matches. Logs are converted in parallel (--jobs); one
that fails is reported at the end and the exit status is 1.

BSD logs: the text kdump prints from a ktrace file (NetBSD, FreeBSD,
OpenBSD, DragonFly; record children with ktrace -i), with or without -T,
-E or -R timestamps, and FreeBSD truss output (-f, -H, -d, -D). --from
auto tells strace, kdump and truss apart by content. A log without
timestamps converts with times from record order, and the trace says
time_synthetic=true. (--out DIR converts strace logs only.)`,
		"  strace -f -ttt -T -e trace=process,memory -o build.strace make -j2\n  analyze convert -o build.arrow build.strace\n  strace -ff -ttt -e trace=process,memory -o log make; analyze convert -o build.parquet log\n  analyze convert --out traces/ --to parquet logs/\n  ktrace -i make; kdump -T > build.kdump; analyze convert -o build.arrow build.kdump")
	from := fs.String("from", "auto", "input `format`: strace, kdump, truss, or auto to recognise it from the first lines")
	bf := addBSDFlags(fs)
	out := fs.StringP("output", "o", "", "write the trace to `file` (.arrow or .parquet; default: the first LOG with .arrow)")
	strict := fs.Bool("strict", false, "fail on the first line that cannot be parsed")
	frac := fs.Float64("resident-fraction", strace.DefaultResidentFraction, "`fraction` (0 to 1] of mapped memory taken as resident")
	pageSize := fs.Int("page-size", 4096, "page size of the recording host, in `bytes`")
	baseVirt := fs.Int64("exec-baseline", addrspace.DefaultBaseline.VirtBytes, "`bytes` mapped by the kernel at each exec, invisible to strace (program, ld.so, stack)")
	maxHeld := fs.Int("max-held", strace.DefaultMaxHeld, "most `rows` held back while creations wait for their child's exec")
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
	if err := oneOf(fs, "from", *from, "strace", "kdump", "truss", "auto"); err != nil {
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
	if *outDir != "" {
		if *from == "kdump" || *from == "truss" {
			return fs.failf("--out DIR converts strace logs only; convert a %s log with -o", *from)
		}
		if *out != "" {
			return fs.failf("give -o (one trace from all the LOGs) or --out DIR (one trace per LOG), not both")
		}
		if err := oneOf(fs, "to", *to, "arrow", "parquet"); err != nil {
			return err
		}
		if *jobs < 1 {
			return fs.failf("--jobs %d: want at least 1", *jobs)
		}
		base := addrspace.DefaultBaseline
		base.VirtBytes = *baseVirt
		cfg := strace.Config{
			Options:  strace.Options{ResidentFraction: *frac, PageSize: *pageSize, Baseline: &base, MaxHeld: *maxHeld},
			Strict:   *strict,
			Compress: *compress,
		}
		return convertMany(e, fs, fs.Args(), *outDir, "."+*to, *from == "auto", *jobs, *quiet, cfg)
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
	format, err := detectFormat(e, *from, inputs)
	if err != nil {
		return err
	}
	if format == "kdump" || format == "truss" {
		return convertBSD(e, fs, format, inputs, convertOpts{out: *out, strict: *strict, quiet: *quiet,
			frac: *frac, pageSize: *pageSize, baseVirt: *baseVirt, maxHeld: *maxHeld, compress: *compress}, bf)
	}
	if *from == "auto" {
		for _, in := range inputs {
			if in.Name == "-" {
				continue // read as strace: the only text format so far
			}
			fi, err := os.Stat(in.Name)
			if err != nil {
				return err
			}
			if fi.Size() == 0 {
				continue // an empty -ff file of a task that printed nothing
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
