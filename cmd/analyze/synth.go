package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/synth"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

func init() {
	register(command{name: "synth", summary: "generate a synthetic trace (a 1990s libc build, or a size sweep)", run: runSynth})
}

// sizeFlag parses RESIDENT/WRITABLE/ENTRIES (KiB, KiB, count).
func sizeFlag(fs *flagSet, name string, v string, into *synth.ProcessSize) error {
	parts := strings.Split(v, "/")
	if len(parts) != 3 {
		return fs.failf("--%s %q: want RESIDENT_KIB/WRITABLE_RESIDENT_KIB/MAP_ENTRIES", name, v)
	}
	var n [3]int64
	for i, p := range parts {
		x, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return fs.failf("--%s %q: %q is not an integer", name, v, p)
		}
		n[i] = x
	}
	*into = synth.ProcessSize{ResidentKiB: n[0], WritableResidentKiB: n[1], MapEntries: n[2]}
	return nil
}

func runSynth(e *env, args []string) error {
	lb, sw := synth.DefaultLibcBuild(), synth.DefaultSweep()
	fs := newFlagSet(e, "synth", "analyze synth WORKLOAD [-o OUT.arrow|OUT.parquet] [flags]",
		`Writes a deterministic synthetic trace. WORKLOAD is libc-build (a 1990s BSD
libc build: make runs sh for each rule, cc runs cpp, cc1 and as; normal,
profiled and PIC objects; then ar, ranlib and ld) or sweep (one parent that
touches 1 MiB .. 1 GiB and forks and execs a small program at each size).
Every size is an assumption with a documented default; see package synth.`,
		"  analyze synth libc-build --seed 7 -o libc.arrow\n  analyze synth sweep --max-mib 4096 -o sweep.parquet")
	out := fs.StringP("output", "o", "", "output `file` (.arrow or .parquet; default WORKLOAD.arrow)")
	seed := fs.Uint64("seed", 1, "random `seed`: the same seed gives the same trace")
	compress := fs.Bool("compress", false, "zstd-compress an .arrow output (smaller; arrow-js then needs a zstd codec)")
	fs.IntVar(&lb.Sources, "sources", lb.Sources, "libc-build: number of libc `sources`")
	fs.IntVar(&lb.Variants, "variants", lb.Variants, "libc-build: objects per source (`n`: normal, profiled, PIC)")
	makeSize := fs.String("make-kib", "1200/900/12", "libc-build: make's size, `RES/WRITABLE_RES/ENTRIES` (KiB, KiB, count)")
	shSize := fs.String("sh-kib", "300/120/12", "libc-build: sh's size, `RES/WRITABLE_RES/ENTRIES`")
	ccSize := fs.String("cc-kib", "250/100/12", "libc-build: the cc driver's size, `RES/WRITABLE_RES/ENTRIES`")
	fs.Float64Var(&lb.Jitter, "jitter", lb.Jitter, "libc-build: relative spread of sizes and durations (`fraction`)")
	fs.Int64Var(&sw.MinMiB, "min-mib", sw.MinMiB, "sweep: smallest touched size (`MiB`)")
	fs.Int64Var(&sw.MaxMiB, "max-mib", sw.MaxMiB, "sweep: largest touched size (`MiB`); sizes double")
	fs.IntVar(&sw.Reps, "reps", sw.Reps, "sweep: fork+exec rounds per size (`n`)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fs.failf("want exactly one WORKLOAD (libc-build or sweep), got %d arguments", fs.NArg())
	}
	workload := fs.Arg(0)
	if *out == "" {
		*out = workload + ".arrow"
	}
	var meta trace.Meta
	var gen func(synth.Emit) error
	switch workload {
	case "libc-build":
		for _, f := range []struct {
			name, v string
			into    *synth.ProcessSize
		}{{"make-kib", *makeSize, &lb.Make}, {"sh-kib", *shSize, &lb.Shell}, {"cc-kib", *ccSize, &lb.CC}} {
			if err := sizeFlag(fs, f.name, f.v, f.into); err != nil {
				return err
			}
		}
		lb.Seed = *seed
		if err := lb.Validate(); err != nil {
			return fs.fail(err)
		}
		meta, gen = lb.Meta(), lb.Generate
	case "sweep":
		sw.Seed = *seed
		meta, gen = sw.Meta(), sw.Generate
	default:
		return fs.failf("unknown workload %q%s: want libc-build or sweep", workload, didYouMean(workload, []string{"libc-build", "sweep"}))
	}
	meta.Tool = version.String()
	var opts []arrowio.CreateOption
	if *compress {
		opts = append(opts, arrowio.Compressed())
	}
	if err := checkTableOut(fs, "-o", *out); err != nil {
		return err
	}
	w, err := arrowio.Create(*out, meta, nil, opts...)
	if err != nil {
		return err
	}
	if err := gen(func(ev *trace.Event) error { return w.Append(ev) }); err != nil {
		w.Abort()
		return fs.fail(err)
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s (%s)\n", *out, plural(w.Rows(), "event"), meta.Origin)
	return nil
}
