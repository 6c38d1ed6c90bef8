#!/bin/bash
# bench-record.sh: the recording overhead of 'analyze record' on a real
# build, against the same build untraced and under strace.
#
#   scripts/bench-record.sh SRCDIR [RUNS] [MAKE ARGS...]
#
# SRCDIR is a pristine C source tree; every run builds a fresh copy of it
# (the copy is not timed) with 'make -j2 MAKE ARGS'. The modes
#
#   direct  make -j2 ...
#   ebpf    analyze record --via ebpf -o OUT.arrow -- make -j2 ...
#   all     make -j2 ... while 'analyze record --via ebpf --all' records
#           the whole system beside it (started before the build, given
#           a second to attach, stopped with SIGTERM after it; only the
#           build is timed)
#   ptrace  analyze record --via ptrace -o OUT.arrow -- make -j2 ...
#   strace  strace -f -e trace=process,memory -o /dev/null make -j2 ...
#   floor   bench-record.d/floor make -j2 ...  (ptrace alone: a C tracer
#           that follows every process through the same process events
#           and resumes each stop at once, reading nothing; what any
#           ptrace recorder costs at least)
#
# (MODES="direct ebpf ..." picks some; the default is all but floor) run
# RUNS times each (default 7), alternating, in rotating order, in the
# same session. It prints every run (wall time, and the user+system CPU
# time of the build and, but for 'all', its tracer), the medians, and the
# ratios of medians to direct, for wall time and, since CPU time depends
# less on what else the machine runs, for CPU time too:
#
#   ebpf/direct    (want <= 1.03, aim 1.01)
#   all/direct     (want <= 1.03)
#   ptrace/direct, strace/direct, (ptrace-direct)/(strace-direct)
#
# The numbers we reported came from the dietlibc source in Debian
# (apt-get source dietlibc; upstream 0.34~cvs20160606) with
#   MAKE ARGS = CC="gcc -no-pie -D__dietlibc__" bin-x86_64/libpthread.a bin-x86_64/libcompat.a
# (106 compilations plus ar), see testdata/recorded/README.md.
set -eu
src=${1:?usage: bench-record.sh SRCDIR [RUNS] [MAKE ARGS...]}
runs=${2:-7}
modes=${MODES:-direct ebpf all ptrace strace}
shift; [ $# -gt 0 ] && shift
make_args=("$@")
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
	local allpid=
	if [ "$mode" = all ]; then
		"$work/analyze" record -q --via ebpf --all -o "$work/all.arrow" >/dev/null 2>&1 &
		allpid=$!
		sleep 1
	fi
	# bash's time: wall, and the CPU (user+system) of the build and, for
	# record and strace, of the tracer; CPU depends less on the load.
	local TIMEFORMAT='%R %U %S' t
	t=$( { time {
		case $mode in
		direct) make -j2 "$@" >/dev/null 2>&1 || fail direct ;;
		ebpf) "$work/analyze" record -q --via ebpf -o "$work/rec.arrow" -- make -j2 "$@" >/dev/null 2>&1 || fail ebpf ;;
		ptrace) "$work/analyze" record -q --via ptrace -o "$work/rec.arrow" -- make -j2 "$@" >/dev/null 2>&1 || fail ptrace ;;
		all) make -j2 "$@" >/dev/null 2>&1 || fail all ;;
		strace) strace -f -e trace=process,memory -o /dev/null make -j2 "$@" >/dev/null 2>&1 || fail strace ;;
		floor) "$work/floor" make -j2 "$@" >/dev/null 2>&1 || fail floor ;;
		esac
	}; } 2>&1 ) || { echo "bench-record: the build failed in mode $mode" >&2; exit 1; }
	if [ -n "$allpid" ]; then
		kill -TERM "$allpid"
		wait "$allpid" || { echo "bench-record: the --all recorder failed" >&2; exit 1; }
	fi
	set -- $t
	cd "$here"
	echo "$mode $run $1 $(echo "$2 + $3" | bc)"
}

echo "mode run wall-s cpu-s"
results=$work/results
: >"$results"
i=1
while [ "$i" -le "$runs" ]; do
	# Rotate the order of the modes from run to run.
	set -- $modes
	k=$(( (i - 1) % $# ))
	order="$(echo "$modes" | tr ' ' '\n' | awk -v k=$k 'NF { a[n++] = $0 } END { for (j = 0; j < n; j++) printf "%s ", a[(j + k) % n] }')"
	for m in $order; do
		one "$m" "$i" "${make_args[@]}" >>"$results" || exit 1
		tail -n 1 "$results"
	done
	i=$((i + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v modes="$modes" '
{ n[$1]++; wall[$1, n[$1]] = $3; cpu[$1, n[$1]] = $4 }
function median(m, usecpu,   k, j, a, tmp, cnt) {
	cnt = n[m]
	for (k = 1; k <= cnt; k++) a[k] = usecpu ? cpu[m, k] : wall[m, k]
	for (k = 1; k <= cnt; k++) for (j = k + 1; j <= cnt; j++) if (a[j] < a[k]) { tmp = a[k]; a[k] = a[j]; a[j] = tmp }
	return cnt % 2 ? a[(cnt + 1) / 2] : (a[cnt / 2] + a[cnt / 2 + 1]) / 2
}
END {
	nm = split(modes, ms, " ")
	want["ebpf"] = " (want <= 1.03, aim 1.01)"; want["all"] = " (want <= 1.03)"
	for (c = 0; c <= 1; c++) {
		printf "median %s (s):", c ? "CPU time, user+system" : "wall time"
		for (k = 1; k <= nm; k++) { med[ms[k]] = median(ms[k], c); printf " %s %.2f ", ms[k], med[ms[k]] }
		printf "  (%d runs each)\n", n["direct"]
		d = med["direct"]
		for (k = 1; k <= nm; k++) if (ms[k] != "direct") printf "%s%s/direct = %.3f%s\n", c ? "CPU: " : "", ms[k], med[ms[k]] / d, c ? "" : want[ms[k]]
		if (("ptrace" in med) && ("strace" in med) && med["strace"] > d)
			printf "%s(ptrace-direct)/(strace-direct) = %.3f\n", c ? "CPU: " : "", (med["ptrace"] - d) / (med["strace"] - d)
	}
}' "$results"
