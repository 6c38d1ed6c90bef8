#!/bin/sh
# bench-convert.sh: throughput and peak memory of 'analyze convert' on a
# large strace log, as ratios to 'wc -l' on the same page-cached file,
# measured in the same run.
#
#   scripts/bench-convert.sh [SIZE_MB]    (default 500)
#
# The log is built from the go build recorded in
# trace/strace/testdata/real/gobuild.strace.zst, repeated with shifted pids
# and times (scripts/stracegen). Needs GNU time (/usr/bin/time) for the peak
# RSS. Work files go to ${TMPDIR:-/tmp}/forkcost-bench-convert and are kept for
# reruns (delete the directory to rebuild them).
set -eu
size=${1:-500}
dir=${TMPDIR:-/tmp}/forkcost-bench-convert
mkdir -p "$dir"
root=$(cd "$(dirname "$0")/.." && pwd)
log=$dir/big-$size.strace
if [ ! -s "$log" ]; then
	(cd "$root" && go run ./scripts/stracegen -size "$size" -o "$log" trace/strace/testdata/real/gobuild.strace.zst)
fi
(cd "$root" && go build -o "$dir/analyze" ./cmd/analyze)
bytes=$(wc -c <"$log")
# Page-cache the log, then time wc -l (best of 3).
cat "$log" >/dev/null
now() { date +%s.%N; }
best=
for i in 1 2 3; do
	t0=$(now); lines=$(wc -l <"$log"); t1=$(now)
	t=$(echo "$t1 - $t0" | bc -l)
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
wct=$best
t0=$(now)
/usr/bin/time -f '%M %U %S' -o "$dir/rss" "$dir/analyze" convert -q -o "$dir/out.arrow" "$log"
t1=$(now)
ct=$(echo "$t1 - $t0" | bc -l)
read rss ut st <"$dir/rss"
cpu=$(echo "$ut + $st" | bc -l)
echo "log:            $log ($bytes bytes, $lines lines)"
printf 'wc -l:          %.3f s  %8.1f MB/s\n' "$wct" "$(echo "$bytes / $wct / 1000000" | bc -l)"
printf 'convert:        %.3f s  %8.1f MB/s  %10.0f lines/s\n' "$ct" "$(echo "$bytes / $ct / 1000000" | bc -l)" "$(echo "$lines / $ct" | bc -l)"
printf 'ratio:          convert throughput = 1/%.1f of wc -l (target: at least 1/20, aim 1/10)\n' "$(echo "$ct / $wct" | bc -l)"
printf 'peak RSS:       %.1f MiB (target: below 256 MiB)\n' "$(echo "$rss / 1024" | bc -l)"
printf 'cpu time:       %.2f s user+sys (%.0f%% of one core over the run)\n' "$cpu" "$(echo "100 * $cpu / $ct" | bc -l)"
printf 'cores:          %s; load average: %s (other work on the machine slows convert more than wc -l)\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
