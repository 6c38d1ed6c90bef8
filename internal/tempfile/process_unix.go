//go:build unix

package tempfile

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// running reports whether pid is a running process that may have written
// a file last modified at mod: it exists, and (where /proc tells) it
// started before mod, so that a pid reused by a later process is not
// taken for the owner.
func running(pid int, mod time.Time) bool {
	if err := syscall.Kill(pid, 0); err != nil && err != syscall.EPERM {
		return false
	}
	if start, ok := startTime(pid); ok && start.After(mod.Add(time.Second)) {
		return false
	}
	return true
}

// startTime returns when pid started, from /proc (Linux).
func startTime(pid int) (time.Time, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return time.Time{}, false
	}
	// The fields after the command name, which is in parentheses and may
	// hold anything; starttime is field 22, the 20th after it.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return time.Time{}, false
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 20 {
		return time.Time{}, false
	}
	ticks, err := strconv.ParseInt(f[19], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	boot, ok := bootTime()
	if !ok {
		return time.Time{}, false
	}
	const hz = 100 // USER_HZ, 100 on every Linux architecture
	return boot.Add(time.Duration(ticks) * time.Second / hz), true
}

func bootTime() (time.Time, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return time.Unix(s, 0), err == nil
		}
	}
	return time.Time{}, false
}
