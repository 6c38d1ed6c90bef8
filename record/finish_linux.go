//go:build linux

package record

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/forkcost/forkcost/trace"
)

// stagingPath is where a recording is written before it is renamed (or
// copied, see remeta) to output.
func stagingPath(output string) string {
	dir, base := filepath.Split(output)
	return filepath.Join(dir, "."+base+".recording-"+strconv.Itoa(os.Getpid())+filepath.Ext(base))
}

// finish closes the staging trace and puts it in place as output: renamed
// when its metadata is final, else copied with the incomplete mark and
// the unknown exec attempts in its metadata.
func finish(w *trace.Writer, staging, output string, meta trace.Meta, incomplete string, unknown []string) (trace.Meta, error) {
	if err := w.Close(); err != nil {
		os.Remove(staging)
		return meta, err
	}
	meta.Incomplete = incomplete
	if len(unknown) > 0 {
		meta.Extra[MetaUnknownExec] = strings.Join(unknown, "\n")
	}
	if incomplete == "" && len(unknown) == 0 {
		if err := os.Rename(staging, output); err != nil {
			os.Remove(staging)
			return meta, err
		}
	} else {
		err := remeta(staging, output, meta)
		os.Remove(staging)
		if err != nil {
			return meta, err
		}
	}
	// The writer's temporary file is private (0600); a trace is not.
	chmodUmask(output, 0o644)
	return meta, nil
}

func chmodUmask(path string, mode os.FileMode) {
	old := syscall.Umask(0)
	syscall.Umask(old)
	os.Chmod(path, mode&^os.FileMode(old))
}
