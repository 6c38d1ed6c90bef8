package main

import (
	"math"

	"github.com/forkcost/forkcost/report"
	"github.com/forkcost/forkcost/trace"
)

func init() {
	register(command{name: "explain", summary: "print every strategy's steps for one hypothetical creation", run: runExplain})
}

func runExplain(e *env, args []string) error {
	fs := newFlagSet(e, "explain", "analyze explain [--machine NAME] [--resident-mib N] [--writable-resident-mib N] [--map-entries N] [...] [--format text|json]",
		`Costs one hypothetical creation, described by the parent's address space,
under every strategy on one machine, and prints each strategy's steps in
the order of NetBSD's two lists, with the line of the seed each mirrors:
a reader can check the model against the seed by eye. Sizes not given take
the defaults shown in --help; the output lists which were defaulted.`,
		"  analyze explain --machine ppro200 --resident-mib 1.2 --writable-resident-mib 0.9 --map-entries 12\n  analyze explain --machine zen4 --resident-mib 4096 --format json")
	var mf machineFlags
	mf.add(fs)
	format := fs.String("format", "text", "output `format`: text, json, markdown or latex")
	wide := wideFlag(fs)
	virt := fs.Float64("virt-mib", 4, "parent's mapped address space (`MiB`)")
	writable := fs.Float64("writable-mib", 1, "parent's private writable mappings (`MiB`)")
	resident := fs.Float64("resident-mib", 1, "parent's resident set (`MiB`)")
	wres := fs.Float64("writable-resident-mib", 0.5, "resident pages in private writable mappings (`MiB`)")
	anon := fs.Float64("anon-resident-mib", -1, "resident anonymous memory (`MiB`; default: the writable resident size)")
	huge := fs.Float64("huge-resident-mib", 0, "resident memory in huge pages (`MiB`)")
	ptKiB := fs.Float64("page-table-kib", 16, "size of the parent's page tables (`KiB`)")
	entries := fs.Int64("map-entries", 12, "number of mappings (`n`)")
	threads := fs.Int32("parent-threads", 1, "threads in the parent (`n`)")
	pageSize := fs.Int32("page-size", 4096, "page size of the host the sizes came from (`bytes`)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := oneOf(fs, "format", *format, "text", "json", "markdown", "latex"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fs.failf("unexpected argument %q", fs.Arg(0))
	}
	if len(mf.names)+len(mf.files) == 0 {
		mf.names = []string{"ppro200"}
	}
	profs, err := mf.profiles(fs)
	if err != nil {
		return err
	}
	if len(profs) != 1 {
		return fs.failf("explain takes one machine, got %d", len(profs))
	}
	if *anon < 0 {
		*anon = *wres
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"virt-mib", *virt}, {"writable-mib", *writable}, {"resident-mib", *resident}, {"writable-resident-mib", *wres},
		{"anon-resident-mib", *anon}, {"huge-resident-mib", *huge}, {"page-table-kib", *ptKiB}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return fs.failf("--%s %v: want a finite, non-negative size", f.name, f.v)
		}
	}
	if *wres > *resident || *anon > *resident {
		return fs.failf("--writable-resident-mib and --anon-resident-mib cannot exceed --resident-mib")
	}
	if *entries < 0 || *threads < 1 || *pageSize < 512 {
		return fs.failf("want --map-entries >= 0, --parent-threads >= 1, --page-size >= 512")
	}
	mib := func(v float64) int64 { return int64(v * (1 << 20)) }
	snap := trace.Snapshot{VirtBytes: mib(*virt), WritableBytes: mib(*writable), ResidentBytes: mib(*resident),
		WritableResidentBytes: mib(*wres), AnonResidentBytes: mib(*anon), HugeResidentBytes: mib(*huge),
		PageTableBytes: int64(*ptKiB * 1024), MapEntries: *entries, ParentThreads: *threads, PageSize: *pageSize}
	var defaulted []string
	for _, name := range []string{"virt-mib", "writable-mib", "resident-mib", "writable-resident-mib", "anon-resident-mib",
		"huge-resident-mib", "page-table-kib", "map-entries", "parent-threads", "page-size"} {
		if !fs.Changed(name) {
			defaulted = append(defaulted, name)
		}
	}
	ex := report.Explain(profs[0], snap, defaulted)
	switch *format {
	case "json":
		return report.ExplainJSON(e.stdout, ex)
	case "markdown":
		return report.ExplainTable(ex, *wide).WriteMarkdown(e.stdout)
	case "latex":
		return report.ExplainTable(ex, *wide).WriteLaTeX(e.stdout)
	}
	return report.ExplainText(e.stdout, ex)
}
