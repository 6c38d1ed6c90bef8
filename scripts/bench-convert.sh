#!/bin/sh
# bench-convert.sh: throughput and peak memory of 'analyze convert' on large
# strace logs of several shapes, as ratios to 'wc -l' on the same
# page-cached file, measured in the same run.
#
#   scripts/bench-convert.sh [SHAPE|all] [OUT_DIR]
#
# SHAPE is one of (default: all)
#   gobuild  a Go build (go build, cold cache): mostly memory calls of a
#            multi-threaded compiler, threads, spawns
#   libc     a libc-like C build (make -j2, gcc with glibc's long command
#            lines, sh -c, failed execs of PATH searches)
#   mem      an allocator-heavy program: almost only memory calls, half of
#            them split "<unfinished ...>" pairs
# Each log is built from the recording committed in
# trace/strace/testdata/real/ (gobuild.strace.zst, libcbuild.strace.zst,
# memheavy.strace.zst), repeated with shifted pids and times
# (scripts/stracegen) to SIZE MB (default 500).
#
# The trace is written to OUT_DIR: /dev/shm by default (when it exists),
# so that the disk's speed and the writer's final fsync are not measured;
# give a directory on disk to include them.
#
# SPLIT=1 adds, per shape, one profiled conversion of the same log (the
# trace/strace benchmark ConvertFile with -cpuprofile) and prints each
# pipeline stage's share of the CPU (read-ahead, lexer, converter,
# writer), from the profile's stage labels.
#
# analyze is built as go build builds it, with profile-guided optimization
# by cmd/analyze/default.pgo (see scripts/pgo-profile); PGO=0 builds it
# without (-pgo=off).
#
# RUNS (default 5) sets the number of alternating runs of wc -l and
# convert; the ratio is of their medians. Needs GNU time (/usr/bin/time) for
# the peak RSS and CPU time. Work files go to
# ${TMPDIR:-/tmp}/forkcost-bench-convert and are kept for reruns (delete
# the directory to rebuild them).
set -eu
shape=${1:-all}
size=${SIZE:-500}
runs=${RUNS:-5}
dir=${TMPDIR:-/tmp}/forkcost-bench-convert
mkdir -p "$dir"
root=$(cd "$(dirname "$0")/.." && pwd)
outdir=${2:-${OUT_DIR:-}}
if [ -z "$outdir" ]; then
	if [ -d /dev/shm ]; then outdir=/dev/shm; else outdir=$dir; fi
fi
case $shape in
all) shapes="gobuild libc mem" ;;
gobuild | libc | mem) shapes=$shape ;;
*)
	echo "bench-convert.sh: unknown shape $shape (want gobuild, libc, mem or all)" >&2
	exit 2
	;;
esac
pgo=auto
if [ "${PGO:-}" = 0 ]; then pgo=off; fi
(cd "$root" && go build -pgo="$pgo" -o "$dir/analyze" ./cmd/analyze && go build -o "$dir/stracegen" ./scripts/stracegen)
if [ "${SPLIT:-}" = 1 ]; then
	(cd "$root" && go test -c -o "$dir/strace.test" ./trace/strace)
fi
now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "output to $outdir; $runs alternating runs per shape; $(nproc) cores; pgo=$pgo; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %8s %8s %9s %11s %8s %9s %8s %8s\n' shape MB lines wc-MB/s conv-MB/s lines/s ratio RSS-MiB CPU-s
for s in $shapes; do
	case $s in
	gobuild) src=gobuild.strace.zst ;;
	libc) src=libcbuild.strace.zst ;;
	mem) src=memheavy.strace.zst ;;
	esac
	log=$dir/$s-$size.strace
	if [ ! -s "$log" ]; then
		"$dir/stracegen" -size "$size" -o "$log" "$root/trace/strace/testdata/real/$src" >/dev/null
	fi
	out=$outdir/forkcost-bench-convert-$$.arrow
	bytes=$(wc -c <"$log")
	cat "$log" >/dev/null # page-cache it
	: >"$dir/wc.times"
	: >"$dir/conv.times"
	: >"$dir/conv.rss"
	: >"$dir/conv.cpu"
	i=0
	while [ "$i" -lt "$runs" ]; do
		# Alternate: this machine's speed drifts from minute to minute,
		# and alternating exposes both to the same drift.
		t0=$(now); lines=$(wc -l <"$log"); t1=$(now)
		echo "$t1 - $t0" | bc -l >>"$dir/wc.times"
		t0=$(now)
		/usr/bin/time -f '%M %U %S' -o "$dir/rss" "$dir/analyze" convert -q -o "$out" "$log" 2>"$dir/conv.err"
		t1=$(now)
		echo "$t1 - $t0" | bc -l >>"$dir/conv.times"
		read -r rss ut st <"$dir/rss"
		echo "$rss" >>"$dir/conv.rss"
		echo "$ut + $st" | bc -l >>"$dir/conv.cpu"
		rm -f "$out"
		i=$((i + 1))
	done
	wct=$(median <"$dir/wc.times")
	ct=$(median <"$dir/conv.times")
	cpu=$(median <"$dir/conv.cpu")
	rss=$(sort -n "$dir/conv.rss" | tail -n 1)
	printf '%-8s %8.1f %8d %9.1f %11.1f %8.0f %9.3f %8.1f %8.2f\n' "$s" "$(echo "$bytes / 1000000" | bc -l)" "$lines" \
		"$(echo "$bytes / $wct / 1000000" | bc -l)" "$(echo "$bytes / $ct / 1000000" | bc -l)" "$(echo "$lines / $ct" | bc -l)" \
		"$(echo "$wct / $ct" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$cpu"
	if [ "${SPLIT:-}" = 1 ]; then
		FORKCOST_BENCH_LOG=$log "$dir/strace.test" -test.run '^$' -test.bench 'ConvertFile$' -test.benchtime 1x \
			-test.cpuprofile "$dir/$s.prof" >/dev/null
		printf '%-8s CPU split:' "$s"
		go tool pprof -tags "$dir/strace.test" "$dir/$s.prof" 2>/dev/null |
			awk '/^ stage:/ { on = 1; next } on && NF == 0 { exit } on { gsub(/[():]/, ""); printf " %s %s", $3, $2 }'
		echo
	fi
done
echo "ratio: convert's throughput over wc -l's (medians; target at least 0.10 to /dev/shm, 0.07 to disk, aim 0.15); RSS: the largest of the runs (target below 256 MiB); CPU: user+sys, median"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
