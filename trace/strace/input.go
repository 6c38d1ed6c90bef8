package strace

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// ffPID returns the pid of an -ff file name LOG.PID.
func ffPID(name string) (int32, bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || i == len(name)-1 {
		return 0, false
	}
	ext := name[i+1:]
	v, err := strconv.ParseInt(ext, 10, 32)
	if err != nil || v <= 0 {
		return 0, false
	}
	return int32(v), true
}

// Decompress wraps r in a gzip or zstd reader when its first bytes say so.
// The returned closer releases the decoder (not r).
func Decompress(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, func() { zr.Close() }, nil
	case len(head) == 4 && bytes.Equal(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd: %w", err)
		}
		return zr, zr.Close, nil
	}
	return br, func() {}, nil
}

// Input is one log to read: a file, or stdin when Name is "-".
type Input struct {
	Name string
	PID  int32 // the pid of an -ff file, else 0
}

// ExpandFF turns the arguments of convert into inputs. An argument naming
// a file is used as given. An argument LOG that is not a file, but for which
// LOG.PID files exist (strace -ff -o LOG), stands for all of them. When
// several arguments share a prefix and all end in .PID, each is taken as an
// -ff file of that pid.
func ExpandFF(args []string) ([]Input, error) {
	var out []Input
	for _, a := range args {
		if a == "-" {
			out = append(out, Input{Name: a})
			continue
		}
		if _, err := os.Stat(a); err == nil {
			out = append(out, Input{Name: a})
			continue
		}
		matches, _ := filepath.Glob(globEscape(a) + ".*")
		var ff []Input
		for _, m := range matches {
			if pid, ok := ffPID(m); ok && strings.TrimSuffix(m, "."+strconv.Itoa(int(pid))) == a {
				ff = append(ff, Input{Name: m, PID: pid})
			}
		}
		if len(ff) == 0 {
			return nil, fmt.Errorf("%s: no such file, and no -ff files %s.PID", a, a)
		}
		sort.Slice(ff, func(i, j int) bool { return ff[i].PID < ff[j].PID })
		out = append(out, ff...)
	}
	// Several LOG.PID files given one by one: an -ff set.
	if len(out) > 1 {
		prefix := ""
		all := true
		for i, in := range out {
			pid, ok := ffPID(in.Name)
			if !ok {
				all = false
				break
			}
			p := strings.TrimSuffix(in.Name, "."+strconv.Itoa(int(pid)))
			if i == 0 {
				prefix = p
			} else if p != prefix {
				all = false
				break
			}
		}
		if all {
			for i := range out {
				out[i].PID, _ = ffPID(out[i].Name)
			}
		}
	}
	return out, nil
}

func globEscape(s string) string {
	r := strings.NewReplacer("*", `\*`, "?", `\?`, "[", `\[`)
	return r.Replace(s)
}

// Sniff reports whether head (the first bytes of a log, decompressed) looks
// like strace output: one of its first lines parses as a system call, an
// exit or a signal line.
func Sniff(head []byte) bool {
	rd := NewReader(bytes.NewReader(head), "")
	good, bad := 0, 0
	for rd.Next() && good+bad < 20 {
		switch rd.Result().(type) {
		case *Record:
			good++
		case *SyntaxError:
			bad++
		}
	}
	return good > 0 && good >= bad
}
