#!/bin/sh
# bench-convert.sh: throughput and peak memory of 'analyze convert' on a
# large strace log, as ratios to 'wc -l' on the same page-cached file,
# measured in the same run.
#
#   scripts/bench-convert.sh [SIZE_MB]    (default 500)
#
# RUNS (default 5) sets the number of alternating runs of wc -l and
# convert; the ratio is of their medians.
#
# The log is built from the go build recorded in
# trace/strace/testdata/real/gobuild.strace.zst, repeated with shifted pids
# and times (scripts/stracegen). Needs GNU time (/usr/bin/time) for the peak
# RSS. Work files go to ${TMPDIR:-/tmp}/forkcost-bench-convert and are kept for
# reruns (delete the directory to rebuild them). The trace is written to
# $OUT_DIR (default /dev/shm when it exists, so that the disk's speed and the
# writer's final fsync are not measured; set OUT_DIR=$TMPDIR to include them).
set -eu
size=${1:-500}
dir=${TMPDIR:-/tmp}/forkcost-bench-convert
mkdir -p "$dir"
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${OUT_DIR:-}" ]; then
	if [ -d /dev/shm ]; then OUT_DIR=/dev/shm; else OUT_DIR=$dir; fi
fi
out=$OUT_DIR/forkcost-bench-convert-$$.arrow
log=$dir/big-$size.strace
if [ ! -s "$log" ]; then
	(cd "$root" && go run ./scripts/stracegen -size "$size" -o "$log" trace/strace/testdata/real/gobuild.strace.zst)
fi
(cd "$root" && go build -o "$dir/analyze" ./cmd/analyze)
bytes=$(wc -c <"$log")
runs=${RUNS:-5}
# Page-cache the log, then alternate wc -l and convert, RUNS times each
# (default 5): this machine's speed drifts by a third from minute to
# minute, and alternating exposes both to the same drift. The ratio is of
# the medians.
cat "$log" >/dev/null
now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
: >"$dir/wc.times"
: >"$dir/conv.times"
: >"$dir/conv.rss"
: >"$dir/conv.cpu"
i=0
while [ "$i" -lt "$runs" ]; do
	t0=$(now); lines=$(wc -l <"$log"); t1=$(now)
	echo "$t1 - $t0" | bc -l >>"$dir/wc.times"
	t0=$(now)
	/usr/bin/time -f '%M %U %S' -o "$dir/rss" "$dir/analyze" convert -q -o "$out" "$log"
	t1=$(now)
	echo "$t1 - $t0" | bc -l >>"$dir/conv.times"
	read rss ut st <"$dir/rss"
	echo "$rss" >>"$dir/conv.rss"
	echo "$ut + $st" | bc -l >>"$dir/conv.cpu"
	outsize=$(wc -c <"$out")
	rm -f "$out"
	i=$((i + 1))
done
wct=$(median <"$dir/wc.times")
ct=$(median <"$dir/conv.times")
cpu=$(median <"$dir/conv.cpu")
rss=$(sort -n "$dir/conv.rss" | tail -n 1)
echo "log:            $log ($bytes bytes, $lines lines)"
echo "trace:          $out ($outsize bytes, removed)"
echo "runs:           $runs alternating runs of each; medians (convert's range: $(sort -g "$dir/conv.times" | head -n 1 | xargs printf '%.3f')-$(sort -g "$dir/conv.times" | tail -n 1 | xargs printf '%.3f') s)"
printf 'wc -l:          %.3f s  %8.1f MB/s\n' "$wct" "$(echo "$bytes / $wct / 1000000" | bc -l)"
printf 'convert:        %.3f s  %8.1f MB/s  %10.0f lines/s\n' "$ct" "$(echo "$bytes / $ct / 1000000" | bc -l)" "$(echo "$lines / $ct" | bc -l)"
printf 'ratio:          convert throughput = 1/%.1f of wc -l (target: at least 1/20, aim 1/10)\n' "$(echo "$ct / $wct" | bc -l)"
printf 'peak RSS:       %.1f MiB, the largest of the runs (target: below 256 MiB)\n' "$(echo "$rss / 1024" | bc -l)"
printf 'cpu time:       %.2f s user+sys (%.0f%% of one core over the run)\n' "$cpu" "$(echo "100 * $cpu / $ct" | bc -l)"
printf 'cores:          %s; load average: %s (other work on the machine slows convert more than wc -l)\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
