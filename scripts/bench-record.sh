#!/bin/bash
# bench-record.sh: the recording overhead of 'analyze record' on a real
# build, against the same build untraced and under strace.
#
#   scripts/bench-record.sh SRCDIR [RUNS] [MAKE ARGS...]
#
# SRCDIR is a pristine C source tree; every run builds a fresh copy of it
# (the copy is not timed) with 'make -j2 MAKE ARGS'. The three modes
#
#   direct  make -j2 ...
#   record  analyze record -o OUT.arrow -- make -j2 ...
#   strace  strace -f -e trace=process,memory -o /dev/null make -j2 ...
#   floor   bench-record.d/floor make -j2 ...  (ptrace alone: a C tracer
#           that follows every process through the same process events
#           and resumes each stop at once, reading nothing; what any
#           ptrace recorder costs at least, so record/floor is the
#           recorder's own work)
#
# run RUNS times each (default 5), alternating, in rotating order, in the
# same session. It prints every run (wall time, and the user+system CPU
# time of the build and its tracer), the medians, and the two ratios the
# issue bounds, for wall time and, since CPU time depends less on what
# else the machine runs, for CPU time too:
#
#   record/direct                          (want <= 1.10)
#   (record-direct)/(strace-direct)        (want <= 0.50)
#
# The numbers we reported came from the dietlibc source in Debian
# (apt-get source dietlibc; upstream 0.34~cvs20160606) with
#   MAKE ARGS = CC="gcc -no-pie -D__dietlibc__" bin-x86_64/libpthread.a bin-x86_64/libcompat.a
# (106 compilations plus ar), see record/testdata/README.md.
set -eu
src=${1:?usage: bench-record.sh SRCDIR [RUNS] [MAKE ARGS...]}
runs=${2:-5}
shift; [ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here" && go build -o "$work/analyze" ./cmd/analyze)
cc -O2 -o "$work/floor" "$here/scripts/bench-record.d/floor.c"
command -v strace >/dev/null || { echo "bench-record: strace not found" >&2; exit 1; }

fail() { exit 1; }

one() { # mode run MAKE-ARGS...
	mode=$1 run=$2
	shift 2
	rm -rf "$work/tree"
	cp -a "$src" "$work/tree"
	cd "$work/tree"
	# bash's time: wall, and the CPU (user+system) of the build and, for
	# record and strace, of the tracer; CPU depends less on the load.
	local TIMEFORMAT='%R %U %S' t
	t=$( { time {
		case $mode in
		direct) make -j2 "$@" >/dev/null 2>&1 || fail direct ;;
		record) "$work/analyze" record -q -o "$work/rec.arrow" -- make -j2 "$@" >/dev/null 2>&1 || fail record ;;
		strace) strace -f -e trace=process,memory -o /dev/null make -j2 "$@" >/dev/null 2>&1 || fail strace ;;
		floor) "$work/floor" make -j2 "$@" >/dev/null 2>&1 || fail floor ;;
		esac
	}; } 2>&1 ) || { echo "bench-record: the build failed in mode $mode" >&2; exit 1; }
	set -- $t
	cd "$here"
	echo "$mode $run $1 $(echo "$2 + $3" | bc)"
}

echo "mode run wall-s cpu-s"
results=$work/results
: >"$results"
i=1
while [ "$i" -le "$runs" ]; do
	case $((i % 3)) in
	1) order="direct record strace floor" ;;
	2) order="record strace floor direct" ;;
	0) order="strace floor direct record" ;;
	esac
	for m in $order; do
		one "$m" "$i" "$@" >>"$results" || exit 1
		tail -n 1 "$results"
	done
	i=$((i + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
{ n[$1]++; wall[$1, n[$1]] = $3; cpu[$1, n[$1]] = $4 }
function median(m, usecpu,   k, j, a, tmp, cnt) {
	cnt = n[m]
	for (k = 1; k <= cnt; k++) a[k] = usecpu ? cpu[m, k] : wall[m, k]
	for (k = 1; k <= cnt; k++) for (j = k + 1; j <= cnt; j++) if (a[j] < a[k]) { tmp = a[k]; a[k] = a[j]; a[j] = tmp }
	return cnt % 2 ? a[(cnt + 1) / 2] : (a[cnt / 2] + a[cnt / 2 + 1]) / 2
}
END {
	d = median("direct", 0); r = median("record", 0); s = median("strace", 0)
	f = median("floor", 0)
	printf "median wall time (s): direct %.2f  record %.2f  strace %.2f  floor %.2f   (%d runs each)\n", d, r, s, f, n["direct"]
	printf "record/direct = %.3f (want <= 1.10)\n", r / d
	printf "floor/direct = %.3f (ptrace alone), record/floor = %.3f (what the recorder adds)\n", f / d, r / f
	if (s > d) printf "(record-direct)/(strace-direct) = %.3f (want <= 0.50)\n", (r - d) / (s - d)
	else printf "strace added no time over direct: the second ratio is undefined\n"
	d = median("direct", 1); r = median("record", 1); s = median("strace", 1)
	printf "median CPU time, user+system (s): direct %.2f  record %.2f  strace %.2f\n", d, r, s
	printf "CPU: record/direct = %.3f, (record-direct)/(strace-direct) = %.3f\n", r / d, (s > d) ? (r - d) / (s - d) : 0
}' "$results"
