// Package tempfile makes the temporary files that forkcost writes outputs
// through, and keeps them from being left behind.
//
// An output is written to a temporary file beside it, named
// .BASE.tmp-PID-RANDOM, and renamed into place when complete, so that an
// interrupted run never leaves a half-written output under the real name.
// The pid in the name tells a later run whose file it is:
//
//   - Every temporary file (and directory, MkdirTemp) is registered while
//     it exists; RemoveAll, which the command's SIGINT/SIGTERM handler
//     calls, removes them all and holds the lock so that no rename can
//     follow.
//   - Create first looks for temporary files of the same target left by
//     earlier runs (SIGKILL, a crash, a power cut), says so through Warn,
//     and removes those whose process is gone; a file whose process is
//     still running, or that Keep says holds something worth keeping, is
//     left in place.
package tempfile

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	mu       sync.Mutex
	live     = map[string]bool{} // registered files and directories
	stopped  bool                // RemoveAll has run: the process is ending
	warnFunc func(string)
	keepFunc func(path string) string
)

// SetWarn sets where messages about stale temporary files go (nil: nowhere).
func SetWarn(f func(msg string)) {
	mu.Lock()
	defer mu.Unlock()
	warnFunc = f
}

// SetKeep sets the test of a stale temporary file whose owner is gone: a
// non-empty answer says why it must be kept (it holds the rows of a
// recording that was killed), and is told through Warn.
func SetKeep(f func(path string) string) {
	mu.Lock()
	defer mu.Unlock()
	keepFunc = f
}

func warn(format string, args ...any) {
	if warnFunc != nil {
		warnFunc(fmt.Sprintf(format, args...))
	}
}

// Name returns the temporary file name for target with the given pid and
// random part: .BASE.tmp-PID-RANDOM.
func Name(target string, pid int, random uint32) string {
	dir, base := filepath.Split(target)
	return filepath.Join(dir, "."+base+".tmp-"+strconv.Itoa(pid)+"-"+strconv.FormatUint(uint64(random), 10))
}

// Create creates a new temporary file beside target, mode 0644, after
// dealing with the stale ones (see the package comment).
func Create(target string) (*os.File, error) {
	mu.Lock()
	defer mu.Unlock()
	if stopped {
		return nil, fmt.Errorf("%s: the program is being interrupted", target)
	}
	cleanStale(target)
	for try := 0; ; try++ {
		name := Name(target, os.Getpid(), rand.Uint32())
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if os.IsExist(err) && try < 100 {
			continue
		}
		if err != nil {
			return nil, err
		}
		live[name] = true
		return f, nil
	}
}

// MkdirTemp is os.MkdirTemp with the directory registered for removal.
func MkdirTemp(dir, pattern string) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if stopped {
		return "", fmt.Errorf("the program is being interrupted")
	}
	d, err := os.MkdirTemp(dir, pattern)
	if err == nil {
		live[d] = true
	}
	return d, err
}

// Rename moves the temporary file tmp to target and forgets it. After
// RemoveAll it fails (tmp has been removed).
func Rename(tmp, target string) error {
	mu.Lock()
	defer mu.Unlock()
	if stopped {
		return fmt.Errorf("%s: the program is being interrupted", target)
	}
	delete(live, tmp)
	return os.Rename(tmp, target)
}

// Remove removes a temporary file or directory and forgets it.
func Remove(name string) error {
	mu.Lock()
	defer mu.Unlock()
	delete(live, name)
	return os.RemoveAll(name)
}

// RemoveAll removes every registered temporary file and directory and
// returns their names. It is meant for a signal handler that then ends the
// process: later Create, Rename and MkdirTemp calls fail.
func RemoveAll() []string {
	mu.Lock()
	defer mu.Unlock()
	stopped = true
	var names []string
	for name := range live {
		if os.RemoveAll(name) == nil {
			names = append(names, name)
		}
		delete(live, name)
	}
	return names
}

// cleanStale deals with the temporary files of target that other
// processes left. Called with mu held.
func cleanStale(target string) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := "." + base + ".tmp-"
	for _, ent := range ents {
		name := ent.Name()
		if !strings.HasPrefix(name, prefix) || ent.IsDir() {
			continue
		}
		path := filepath.Join(dir, name)
		if live[path] {
			continue
		}
		pidText, _, ok := strings.Cut(name[len(prefix):], "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 {
			warn("%s: a temporary file of an earlier forkcost that does not name its process; not removed", path)
			continue
		}
		info, err := ent.Info()
		if err != nil {
			continue
		}
		if pid == os.Getpid() || running(pid, info.ModTime()) {
			warn("%s: a temporary file of process %d, which is still running (writing %s at the same time?); left alone", path, pid, target)
			continue
		}
		if keepFunc != nil {
			if why := keepFunc(path); why != "" {
				warn("%s: left by process %d, which is gone; kept: %s", path, pid, why)
				continue
			}
		}
		if err := os.Remove(path); err != nil {
			warn("%s: left by process %d, which is gone; could not remove it: %v", path, pid, err)
			continue
		}
		warn("removed %s, a temporary file left by process %d, which is gone (%s, last written %s)",
			path, pid, sizeText(info.Size()), info.ModTime().Format(time.DateTime))
	}
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
