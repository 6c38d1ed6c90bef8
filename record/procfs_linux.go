//go:build linux

package record

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"

	"github.com/forkcost/forkcost/trace"
)

// errGone says a process vanished before its /proc files could be read.
var errGone = errors.New("process gone")

// procReader reads /proc files into reused buffers.
type procReader struct {
	root     string // "/proc"
	buf      []byte
	pageSize int32
}

func newProcReader() *procReader {
	return &procReader{root: "/proc", buf: make([]byte, 0, 256<<10), pageSize: int32(os.Getpagesize())}
}

// read returns the contents of /proc/PID/name, valid until the next read.
// It uses the system calls directly: os.File would try to register each
// file with the network poller, one more system call per read, and reads
// are on the tracer's critical path.
func (p *procReader) read(pid int, name string) ([]byte, error) {
	path := p.root + "/" + strconv.Itoa(pid) + "/" + name
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		if err == syscall.ENOENT || err == syscall.ESRCH {
			return nil, errGone
		}
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	b := p.buf[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := syscall.Read(fd, b[len(b):cap(b)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			if err == syscall.ESRCH || err == syscall.ENOENT {
				return nil, errGone
			}
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			break
		}
		b = b[:len(b)+n]
	}
	p.buf = b
	return b, nil
}

// procStat is what forkcost takes from /proc/PID/stat.
type procStat struct {
	comm           string
	ppid           int32
	state          byte
	minflt, majflt int64
}

// stat reads /proc/PID/stat.
func (p *procReader) stat(pid int) (procStat, error) {
	b, err := p.read(pid, "stat")
	if err != nil {
		return procStat{}, err
	}
	return parseStat(b)
}

func parseStat(b []byte) (procStat, error) {
	var st procStat
	open := bytes.IndexByte(b, '(')
	cl := bytes.LastIndexByte(b, ')')
	if open < 0 || cl < open {
		return st, errGone
	}
	st.comm = string(b[open+1 : cl])
	// Fields after the comm, numbered from 3 (state) as in proc(5).
	f := bytes.Fields(b[cl+1:])
	if len(f) < 10 {
		return st, errGone
	}
	st.state = f[0][0]
	ppid, _ := strconv.ParseInt(string(f[1]), 10, 32)
	st.ppid = int32(ppid)
	st.minflt, _ = strconv.ParseInt(string(f[7]), 10, 64) // field 10
	st.majflt, _ = strconv.ParseInt(string(f[9]), 10, 64) // field 12
	return st, nil
}

// snapshot reads the address space of process pid (a thread-group id).
func (p *procReader) snapshot(pid int) (trace.Snapshot, error) {
	s := trace.Snapshot{PageSize: p.pageSize, Source: trace.Recorded}
	b, err := p.read(pid, "status")
	if err != nil {
		return s, err
	}
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		switch {
		case bytes.HasPrefix(line, []byte("VmPTE:")):
			s.PageTableBytes = kB(line[len("VmPTE:"):])
		case bytes.HasPrefix(line, []byte("Threads:")):
			s.ParentThreads = int32(num(line[len("Threads:"):]))
		}
	}
	b, err = p.read(pid, "smaps")
	if err != nil {
		return s, err
	}
	if err := parseSmaps(b, &s); err != nil {
		return s, err
	}
	if s.MapEntries == 0 {
		// A zombie: its address space is already gone.
		return s, errGone
	}
	return s, nil
}

// parseSmaps sums /proc/PID/smaps into s: every mapping counts towards
// VirtBytes, ResidentBytes and AnonResidentBytes; private writable mappings
// (the ones a copy-on-write fork must write-protect) towards WritableBytes
// and WritableResidentBytes.
func parseSmaps(b []byte, s *trace.Snapshot) error {
	writable := false
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		sp := bytes.IndexByte(line, ' ')
		if sp <= 0 {
			continue
		}
		tok := line[:sp]
		if tok[len(tok)-1] != ':' {
			// A mapping header: "start-end perms offset dev inode path".
			dash := bytes.IndexByte(tok, '-')
			if dash < 0 {
				continue
			}
			lo, err1 := strconv.ParseUint(string(tok[:dash]), 16, 64)
			hi, err2 := strconv.ParseUint(string(tok[dash+1:]), 16, 64)
			if err1 != nil || err2 != nil {
				continue
			}
			rest := line[sp+1:]
			writable = len(rest) >= 4 && rest[1] == 'w' && rest[3] == 'p'
			s.MapEntries++
			s.VirtBytes += int64(hi - lo)
			if writable {
				s.WritableBytes += int64(hi - lo)
			}
			continue
		}
		switch string(tok) {
		case "Rss:":
			v := kB(line[sp:])
			s.ResidentBytes += v
			if writable {
				s.WritableResidentBytes += v
			}
		case "Anonymous:":
			s.AnonResidentBytes += kB(line[sp:])
		case "AnonHugePages:", "ShmemPmdMapped:", "FilePmdMapped:", "Shared_Hugetlb:", "Private_Hugetlb:":
			s.HugeResidentBytes += kB(line[sp:])
		}
	}
	return nil
}

func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// num parses the first decimal number in b.
func num(b []byte) int64 {
	var n int64
	seen := false
	for _, c := range b {
		if c >= '0' && c <= '9' {
			n = n*10 + int64(c-'0')
			seen = true
		} else if seen {
			break
		}
	}
	return n
}

// kB parses "   1234 kB" into bytes.
func kB(b []byte) int64 { return num(b) << 10 }

// cmdline reads /proc/PID/cmdline as an argv.
func (p *procReader) cmdline(pid int) ([]string, error) {
	b, err := p.read(pid, "cmdline")
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSuffix(b, []byte{0})
	argv := []string{}
	if len(b) == 0 {
		return argv, nil
	}
	for _, a := range bytes.Split(b, []byte{0}) {
		argv = append(argv, string(a))
	}
	return argv, nil
}

// ids returns the thread-group id and parent pid of task tid (0 if gone).
func (p *procReader) ids(tid int) (tgid, ppid int) {
	b, err := p.read(tid, "status")
	if err != nil {
		return 0, 0
	}
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		switch {
		case bytes.HasPrefix(line, []byte("Tgid:")):
			tgid = int(num(line[len("Tgid:"):]))
		case bytes.HasPrefix(line, []byte("PPid:")):
			ppid = int(num(line[len("PPid:"):]))
		}
	}
	return tgid, ppid
}
