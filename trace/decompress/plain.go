package decompress

import (
	"bufio"
	"io"
	"os"
	"sync"
)

// A Mapper is the reader Reader returns for input that is not compressed:
// when that input is a regular file, it can map the file into memory, so
// that a consumer reads the file's bytes where the page cache holds them,
// without a read system call copying them (lineread's reading ahead
// does: that copy was some 5% of a conversion's CPU time).
type Mapper interface {
	io.Reader
	// Map maps the file read-only and returns its bytes, from its start
	// to its size now, and the offset in them of the next byte Read
	// would have returned; Read then goes on after them (a log still
	// being written grows). ok is false, and nothing changes, when the
	// input is not a regular file or cannot be mapped. The bytes stay
	// valid until Reader's (or Open's) closer is called. A file
	// truncated while it is mapped makes a read of its lost pages fault
	// (SIGBUS), which stops the process.
	Map() (data []byte, next int, ok bool)
	// Drop says that data[:n] will not be read again: its pages leave
	// the process's resident set, in runs of dropRun bytes (they stay in
	// the page cache, and a read after all maps them again). It may be
	// called from any goroutine.
	Drop(n int)
}

// dropRun is the least Drop hands back at once: a system call every few
// megabytes, and as many in flight (the resident set of a conversion of
// a file of gigabytes stays that of one of megabytes).
const dropRun = 4 << 20

// plain is an uncompressed input: what detection peeked (br's buffer),
// then straight from src. bufio.Reader reads around its buffer only for
// reads at least as large as it, which a consumer's reads into buffers of
// its own (the room left in a block) are not: every byte was copied twice.
type plain struct {
	br  *bufio.Reader
	src io.Reader

	mu      sync.Mutex
	m       []byte // the mapping, if mapped
	dropped int    // the pages of m[:dropped] were dropped
}

func (p *plain) Read(b []byte) (int, error) {
	if p.br.Buffered() > 0 {
		return p.br.Read(b)
	}
	return p.src.Read(b)
}

func (p *plain) Map() ([]byte, int, bool) {
	f, ok := p.src.(*os.File)
	if !ok || p.m != nil {
		return nil, 0, false
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0, false
	}
	m, ok := mapFile(f)
	if !ok {
		return nil, 0, false
	}
	next := int(off) - p.br.Buffered()
	if next < 0 || next > len(m) {
		unmapFile(m)
		return nil, 0, false
	}
	if _, err := f.Seek(int64(len(m)), io.SeekStart); err != nil {
		unmapFile(m)
		return nil, 0, false
	}
	p.br.Discard(p.br.Buffered())
	p.m = m
	return m, next, true
}

func (p *plain) Drop(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || n-p.dropped < dropRun {
		return
	}
	end := min(n, len(p.m)) &^ (os.Getpagesize() - 1)
	dropPages(p.m[p.dropped:end])
	p.dropped = end
}

// unmap is Reader's closer for plain input.
func (p *plain) unmap() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m != nil {
		unmapFile(p.m)
		p.m = nil
	}
}
