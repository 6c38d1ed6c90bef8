// Package lineread reads a text log one physical line at a time for the
// log converters (strace, kdump, truss): it owns the buffer of the line it
// returns, cuts lines longer than a limit instead of growing without bound,
// and counts lines and bytes for progress and error messages.
package lineread

import (
	"bufio"
	"io"
)

// DefaultMaxLine is the longest line kept when MaxLine is 0.
const DefaultMaxLine = 4 << 20

// Reader reads lines. Its zero value is not usable; call Init.
type Reader struct {
	br *bufio.Reader
	// MaxLine is the longest line kept (DefaultMaxLine if 0); a longer one
	// is returned cut, with tooLong set.
	MaxLine int
	// LineNo is the number of the last line returned, from 1.
	LineNo int
	// Lines and Bytes count what has been read.
	Lines, Bytes int64

	long []byte
	eof  bool
	err  error
}

// Init starts reading r with a buffer of size bytes.
func (r *Reader) Init(rd io.Reader, size int) {
	*r = Reader{br: bufio.NewReaderSize(rd, size), MaxLine: r.MaxLine}
}

// Peek returns the next n bytes without consuming them (for format
// detection); fewer at the end of the input.
func (r *Reader) Peek(n int) ([]byte, error) { return r.br.Peek(n) }

// ReadErr returns the I/O error that ended the input, if any (not io.EOF).
func (r *Reader) ReadErr() error { return r.err }

// ReadLine returns the next line without its line ending ("\n" or
// "\r\n"). The line is valid until the next call. A line longer than
// MaxLine comes back cut to MaxLine with tooLong set. ok is false at the end
// of the input or after an I/O error.
func (r *Reader) ReadLine() (line []byte, tooLong, ok bool) {
	if r.eof {
		return nil, false, false
	}
	max := r.MaxLine
	if max <= 0 {
		max = DefaultMaxLine
	}
	b, err := r.br.ReadSlice('\n')
	r.Bytes += int64(len(b))
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			r.Bytes += int64(len(b))
			if len(r.long) < max {
				r.long = append(r.long, b...)
			} else {
				tooLong = true
			}
		}
		if len(r.long) > max {
			r.long = r.long[:max]
			tooLong = true
		}
		b = r.long
	}
	if err != nil {
		r.eof = true
		if err != io.EOF {
			r.err = err
		}
		if len(b) == 0 {
			return nil, false, false
		}
	}
	r.LineNo++
	r.Lines++
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, tooLong, true
}
