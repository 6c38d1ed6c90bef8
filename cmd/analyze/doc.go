// Analyze is forkcost's command: it turns process-creation traces into an
// answer to NetBSD's question, how much time sharing vfork saves over
// copy-on-write fork, per creation, per command, per step and per machine.
//
// Usage:
//
//	analyze [command] [flags] [args]
//
// With no command it replays the two embedded traces (a real dietlibc build
// recorded with analyze record, and a synthetic 1990s BSD libc build) on a
// 200 MHz Pentium Pro and a current x86-64 server, prints the headline, and
// writes the default figures into forkcost-figures/:
//
//	$ analyze
//
// # Traces
//
// A trace is an Arrow IPC (.arrow) or Parquet (.parquet) file in forkcost's
// schema (package trace; files by trace/arrowio). Parquet needs a build
// with -tags parquet (go build -tags parquet ./cmd/analyze), since it links
// gRPC; a default build says so when given or asked for Parquet. Make a
// synthetic trace with synth; look inside any with dump:
//
//	$ analyze synth libc-build --sources 20 -o libc20.arrow
//	$ analyze synth sweep --max-mib 64 -o sweep.parquet
//	$ analyze dump --kind fork,vfork,spawn,clone build.arrow
//	$ analyze dump --format jsonl --limit 3 build.arrow
//
// # Replay
//
// replay finds the creations that could have used vfork (the child's first
// actions were exec attempts or its exit), costs each under every strategy
// on every chosen machine, and prints totals, savings with 90% intervals,
// the steps and the commands behind them:
//
//	$ analyze replay build.arrow
//	$ analyze replay --format json build.arrow
//	$ analyze replay --format markdown --machine ppro200 build.arrow
//	$ analyze replay -o per-event.parquet build.arrow
//
// Machines are chosen with --machine (built-in profiles), --machine-file (a
// TOML profile of your own) and --set MACHINE.PARAM=VALUE. A --set value may
// be a list or a range, which replaces the machine by one variant per value:
//
//	$ analyze replay --set ppro200.soft_fault_ns=20000 build.arrow
//	$ analyze replay --machine ppro200 --set ppro200.tlb_flush_ns=100:1600:x2 --mc-draws 0 build.arrow
//
// # Recording
//
// record (Linux, amd64) runs a command under ptrace and records every
// process it creates, execs and exits, with the creating parent's real
// address space read from /proc at each creation; the trace's
// creations then replay like any other:
//
//	analyze record -o build.arrow -- make -j2
//
// The exit status is the command's. SIGINT or SIGTERM to analyze is passed
// on to the command, and the trace then ends early, marked incomplete
// (replay and dump say so). It needs ptrace: CAP_SYS_PTRACE in a container.
// Its last line (without -q) gives the rows written and the recorder's own
// CPU time, the part of the overhead spent outside the command.
//
// # Machines and the model
//
//	$ analyze machines
//	$ analyze machines show ppro200
//	$ analyze machines diff ppro200 zen4 build.arrow
//	$ analyze explain --machine ppro200 --resident-mib 1.2 --writable-resident-mib 0.9 --map-entries 12
//	$ analyze explain --machine zen4 --resident-mib 4096 --writable-resident-mib 4000 --format json
//	$ analyze explain --machine ppro200 --trace embedded:dietlibc-build.arrow --pid 29577
//
// The headline of replay and of the demo has two parts: the what-if, every
// eligible creation costed as a copy-on-write fork against sharing vfork,
// and the saving on the creations that really called fork, the only part a
// kernel with sharing vfork would have saved on the run as recorded.
//
// # Filters, comparisons, tables and many traces
//
// replay and dump take filters: a time window from the trace start or in
// absolute time (--since, --until), parent or child command globs (--comm),
// a process subtree (--subtree), creation kinds (--kind) and a minimum
// parent size (--min-parent-mib). They choose the creations counted;
// eligibility is still decided on the whole trace. The output names them:
//
//	$ analyze replay --since 2ms --comm make build.arrow
//	$ analyze replay --subtree 101 --kind spawn,vfork --format json build.arrow
//	$ analyze dump --subtree 101 build.arrow
//
// compare sets two traces, or two sets of runs (A... vs B...), side by
// side with the difference and, for sets, a Mann-Whitney U test:
//
//	$ analyze compare build.arrow libc20.arrow
//	$ analyze compare --format csv build.arrow libc20.arrow
//
// Every command that prints takes the same --format set: text (the
// default; CSV for dump), csv, json, markdown and latex, all written by
// report.Generate. The tables are for papers (booktabs LaTeX) and READMEs
// (markdown):
//
//	$ analyze replay --format latex build.arrow
//	$ analyze replay --format latex --wide build.arrow
//	$ analyze machines show zen4 --format markdown
//	$ analyze tree --format csv build.arrow
//
// LaTeX tables fit one column of a two-column paper unless --wide asks for
// a table*; long ones break across columns (xtab). Their provenance is in
// LaTeX comments, not in the caption. convert re-encodes a trace between
// Arrow and Parquet:
//
//	$ analyze convert -o build.parquet build.arrow
//
// replay and convert take directories and globs and work on several traces
// at once; a bad file is reported at the end (exit status 1). replay --out
// writes a Parquet dataset partitioned by machine and trace for DuckDB or
// Polars (docs/analysis.md gives the query):
//
//	$ analyze replay --out results build.arrow libc20.arrow
//
//	analyze replay --jobs 2 'ci/*.parquet'
//	analyze convert --out traces --to parquet logs/
//
// # Figures
//
// plot draws figures for a paper (SVG, PDF, PNG; 3.3 in or 7 in wide),
// each with the CSV of the data behind it and the provenance in both; the
// same inputs give the same bytes. 'analyze' without arguments also writes
// the embedded trace's figures, as SVG, into forkcost-figures/:
//
//	$ analyze plot --out figs build.arrow
//	$ analyze plot --figure machines,sensitivity --format pdf --width 7in --machine ppro200,zen4 --out figs build.arrow
//
// # Views
//
// tree prints the process tree, one line per process under its creator,
// with what sharing vfork saves in each subtree (the first line's figures
// are replay's); report writes one self-contained HTML page with the
// headline, the machines, an interactive tree, the timeline and the
// figures:
//
//	$ analyze tree build.arrow
//	$ analyze tree -v --depth 1 --format json build.arrow
//	$ analyze report -o report.html build.arrow libc20.arrow
//
// # Calibration and validation
//
// calibrate measures this host (Linux, cgo builds): fork, vfork,
// posix_spawn, fork+exit and fork alone with parent buffers up to 1 GiB,
// the parent's write faults after a fork, and a few machine
// microbenchmarks; it fits the parameters these identify and writes a
// profile that --machine host reads ($XDG_CONFIG_HOME/forkcost/host.toml,
// else ~/.config/forkcost/host.toml). It takes a minute or more (--quick:
// seconds), so the manual's test does not run it:
//
//	analyze calibrate
//	analyze calibrate --quick -o quick.toml
//	analyze replay --machine host,zen4 build.arrow
//
// validate sets predictions against observations the parameters were not
// set from: the host's held-out sizes, when it has been calibrated, and the
// published figures for the built-in profiles:
//
//	$ analyze validate --no-host
//	$ analyze validate --no-host --format markdown --out validation
//
// Every subcommand prints its flags and an example with --help. A bad flag
// or value prints one line, with the nearest valid name when it looks
// misspelt, and a pointer to --help, and exits with status 2; other
// failures (a missing or corrupt file) exit 1 with one line that names the
// file.
package main
