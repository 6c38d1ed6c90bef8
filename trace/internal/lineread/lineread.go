// Package lineread reads a text log one physical line at a time for the
// log converters (strace, kdump, truss): it owns the buffer of the line it
// returns, cuts lines longer than a limit instead of growing without bound,
// and counts lines and bytes for progress and error messages.
package lineread

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"runtime/pprof"
	"slices"
	"sync"
)

// DefaultMaxLine is the longest line kept when MaxLine is 0.
const DefaultMaxLine = 4 << 20

// Reader reads lines. Its zero value is not usable; call Init.
type Reader struct {
	br  *bufio.Reader
	src io.Reader // what br reads
	// MaxLine is the longest line kept (DefaultMaxLine if 0); a longer one
	// is returned cut, with tooLong set.
	MaxLine int
	// LineNo is the number of the last line returned, from 1.
	LineNo int
	// Bytes counts what has been read.
	Bytes int64

	long  []byte
	eof   bool
	err   error
	ahead *readAhead

	// BlockDone, if set, is called when reading ahead and ReadLine has
	// finished a block, with the number of finished blocks not yet taken
	// by TakeDone. A consumer that holds blocks until a batch of its own
	// is full uses it to pass the batch on early, so that the reading
	// goroutine never waits for blocks held by a ReadLine caller that
	// waits for it.
	BlockDone func(finished int)

	// Mark, if not 0, is a byte that is rare in the input and that the
	// consumer must look for in every line (an escape character): when
	// reading ahead, each block is searched for it once, and LineMarked
	// says whether the last line's block holds it.
	Mark byte
}

// Init starts reading r with a buffer of size bytes.
func (r *Reader) Init(rd io.Reader, size int) {
	*r = Reader{br: bufio.NewReaderSize(rd, size), src: rd, MaxLine: r.MaxLine}
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
	if r.ahead != nil {
		return r.readAhead()
	}
	max := r.MaxLine
	if max <= 0 {
		max = DefaultMaxLine
	}
	b, err := r.br.ReadSlice('\n')
	r.Bytes += int64(len(b))
	if err == bufio.ErrBufferFull {
		// A line longer than the buffer: its first max+2 bytes are kept,
		// enough to tell whether, without its "\r\n", it is longer
		// than max.
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			r.Bytes += int64(len(b))
			if len(r.long) <= max+2 {
				r.long = append(r.long, b...)
			}
		}
		b = r.long
		if len(b) > max+2 {
			b, tooLong = b[:max], true
		}
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
	if tooLong {
		return b, true, true // (its end is not in b)
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if len(b) > max {
		// A line longer than MaxLine but shorter than the buffer: cut
		// too, as when reading ahead (the fuzz target's MaxLine is
		// smaller than the buffer; the pipelined and the line-by-line
		// conversion disagreed on such lines).
		b, tooLong = b[:max], true
	}
	return b, tooLong, true
}

// Reading ahead.
//
// After StartReadAhead, a goroutine reads the input into blocks of whole
// lines, each in memory of its own, and ReadLine returns lines sliced from
// them. Such a line stays valid until its block is released, not merely
// until the next call, so a consumer on another goroutine can use it
// without a copy: the converters' pipelines hand lexed records on to the
// next stage and release the blocks (TakeDone, Release) once that stage
// is done with them. Reading, decompressing and finding line ends then run
// beside the lexer.

// A Block is a run of whole lines of the input.
type Block struct {
	buf  []byte
	data []byte // whole lines; the input's last line may lack its '\n'
	long bool   // data is the first MaxLine bytes of one longer line
	n    int64  // input bytes the block stands for (a long line's cut tail too)
	err  error  // the read error that ended the input after this block
	last bool
	mark bool // data holds the byte Reader.Mark
	// plain: no line of data holds Mark, ends in '\r' or is longer than
	// MaxLine, so that NextInBlock may hand its lines out as they are.
	plain bool
	// nl holds the index in data of every '\n', found by the reading
	// goroutine, which has just written the bytes (they are in its
	// cache): the lexer, the busiest stage, then finds its lines
	// without a search.
	nl []int32
	// mapped: data lies in the mapped file (see mapped.go), and ends at
	// offset end of it.
	mapped bool
	end    int
}

type readAhead struct {
	size int
	free chan *Block
	out  chan *Block
	stop chan struct{}
	wg   sync.WaitGroup
	// mapper is the input whose mapping the blocks read before produce's
	// lie in (mapped.go), nil if it is read.
	mapper mapper
	blk    *Block // the block ReadLine is in
	pos    int
	line   int      // the index in blk.nl of the end of the line at pos
	done   []*Block // blocks ReadLine has finished
}

// StartReadAhead switches r to reading ahead, in blocks of about size
// bytes, with at most blocks of them in use at once (at least 3): the one
// ReadLine is in, those finished but not yet released, and those read
// ahead. A consumer must release finished blocks, or reading stops.
func (r *Reader) StartReadAhead(size, blocks int) {
	blocks = max(blocks, 3)
	a := &readAhead{size: size, free: make(chan *Block, blocks), out: make(chan *Block, blocks),
		stop: make(chan struct{})}
	for i := 0; i < blocks; i++ {
		a.free <- &Block{}
	}
	max := r.MaxLine
	if max <= 0 {
		max = DefaultMaxLine
	}
	m, start := r.mapInput(a)
	a.wg.Add(1)
	go pprof.Do(context.Background(), pprof.Labels("stage", "read-ahead"), func(context.Context) {
		defer a.wg.Done()
		defer close(a.out)
		var tail []byte
		if m != nil {
			var stopped bool
			if tail, stopped = a.produceMapped(m, start, max, r.Mark); stopped {
				return
			}
		}
		a.produce(drained{r.br, r.src}, max, r.Mark, tail)
	})
	r.ahead = a
}

// ReadsAhead reports whether StartReadAhead was called: lines then stay
// valid until their block is released.
func (r *Reader) ReadsAhead() bool { return r.ahead != nil }

// LineMarked reports whether the last line ReadLine returned may hold the
// byte Mark: always true unless reading ahead found none in its block.
func (r *Reader) LineMarked() bool {
	a := r.ahead
	return a == nil || a.blk == nil || a.blk.mark
}

// StopReadAhead stops the reading goroutine, if any, and waits for it.
// ReadLine then reports the end of the input.
func (r *Reader) StopReadAhead() {
	a := r.ahead
	if a == nil {
		return
	}
	close(a.stop)
	for range a.out {
	}
	a.wg.Wait()
}

// TakeDone appends to dst the blocks ReadLine has finished since the last
// call and returns it. The caller releases each when nothing refers to its
// lines any more.
func (r *Reader) TakeDone(dst []*Block) []*Block {
	a := r.ahead
	if a == nil || len(a.done) == 0 {
		return dst // the usual answer: the pipeline asks after every line
	}
	dst = append(dst, a.done...)
	clear(a.done)
	a.done = a.done[:0]
	return dst
}

// Release gives a finished block back for reuse. It may be called from any
// goroutine.
func (r *Reader) Release(b *Block) {
	a := r.ahead
	if cap(b.buf) > 4*a.size {
		b.buf = nil // do not keep a long line's memory
	}
	if b.mapped {
		a.mapper.Drop(b.end)
		b.mapped = false
	}
	b.data, b.err = nil, nil
	select {
	case a.free <- b:
	default: // cannot happen: there are as many slots as blocks
	}
}

// drained reads what the buffered reader holds (what detection peeked),
// then straight from its source: reading ahead reads into blocks of its
// own, and bufio.Reader reads around its buffer only for reads at least as
// large as it, which a block's room after the carried line is not (every
// byte was copied twice).
type drained struct {
	br  *bufio.Reader
	src io.Reader
}

func (d drained) Read(p []byte) (int, error) {
	if d.br.Buffered() > 0 {
		return d.br.Read(p)
	}
	return d.src.Read(p)
}

// produce reads the input into blocks until its end, an error or stop;
// carry is the start of its first line, read before (produceMapped's
// tail, which it copies).
func (a *readAhead) produce(rd io.Reader, maxLine int, mark byte, carry []byte) {
	carry = append([]byte(nil), carry...) // the start of a line cut by the end of a block
	var err error                         // the end of the input (io.EOF) or a read error
	for {
		var b *Block
		select {
		case b = <-a.free:
		case <-a.stop:
			return
		}
		if cap(b.buf) < a.size {
			b.buf = make([]byte, 0, a.size)
		}
		buf := append(b.buf[:0], carry...)
		carry = carry[:0]
		b.long, b.last = false, false
		for {
			for len(buf) < cap(buf) && err == nil {
				var n int
				n, err = rd.Read(buf[len(buf):cap(buf)])
				buf = buf[:len(buf)+n]
			}
			if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
				carry = append(carry, buf[i+1:]...)
				b.data, b.n = buf[:i+1], int64(i+1)
				b.last = err != nil && len(carry) == 0
				break
			}
			if len(buf) > maxLine+1 {
				// A line too long: its first maxLine bytes; the rest
				// is read and dropped. (maxLine+1 bytes and a '\r'
				// before the '\n' make a line of maxLine, as ReadLine
				// reads it without reading ahead.)
				var skipped int64
				skipped, carry, err = skipLine(rd, carry, err)
				b.data, b.n, b.long = buf[:maxLine], int64(len(buf))+skipped, true
				b.last = err != nil && len(carry) == 0
				break
			}
			if err != nil {
				// The input's last line, without a '\n' (or nothing).
				b.data, b.n, b.last = buf, int64(len(buf)), true
				break
			}
			// A line longer than the block: room for more of it.
			buf = slices.Grow(buf, min(cap(buf), maxLine+2-len(buf)))
		}
		b.buf = buf
		if b.long {
			b.nl = b.nl[:0]
			b.mark, b.plain = mark != 0 && bytes.IndexByte(b.data, mark) >= 0, false
		} else {
			b.scan(mark, maxLine)
		}
		if b.last && err != io.EOF {
			b.err = err
		}
		select {
		case a.out <- b:
		case <-a.stop:
			return
		}
		if b.last {
			return
		}
	}
}

// skipLine reads rd up to the end of the current line. It returns the
// bytes it read up to and including the '\n', and those after it.
func skipLine(rd io.Reader, carry []byte, err error) (int64, []byte, error) {
	var scratch [32 << 10]byte
	var skipped int64
	for err == nil {
		var n int
		n, err = rd.Read(scratch[:])
		if i := bytes.IndexByte(scratch[:n], '\n'); i >= 0 {
			return skipped + int64(i+1), append(carry, scratch[i+1:n]...), err
		}
		skipped += int64(n)
	}
	return skipped, carry, err
}

// NextInBlock is ReadLine for the usual line when reading ahead: one that
// ends in the current block, is not too long, does not end in "\r", and
// whose block holds no Mark byte (so LineMarked would be false). For any
// other it returns ok false and consumes nothing: call ReadLine. It spares
// a lexer's every line ReadLine's calls and tests.
func (r *Reader) NextInBlock() (line []byte, ok bool) {
	a := r.ahead
	if a == nil || a.blk == nil {
		return nil, false
	}
	b := a.blk
	if a.line >= len(b.nl) || !b.plain {
		return nil, false
	}
	return r.take(a, b), true
}

// BlockLines is NextInBlock for a lexer's loop over a block's usual
// lines: the block's data, the ends of its lines not yet read and where
// the first of them starts, so that the loop keeps its place in locals
// rather than in the Reader (NextInBlock's loads and stores were some 50
// instructions a line). ok is false where NextInBlock's would be. The
// lines read are counted by TookLines, before anything else of r is
// called.
func (r *Reader) BlockLines() (data []byte, ends []int32, start int, ok bool) {
	a := r.ahead
	if a == nil || a.blk == nil {
		return nil, nil, 0, false
	}
	b := a.blk
	if a.line >= len(b.nl) || !b.plain {
		return nil, nil, 0, false
	}
	return b.data, b.nl[a.line:], a.pos, true
}

// TookLines counts the first n lines of those BlockLines returned as
// read; next is where the line after them starts.
func (r *Reader) TookLines(n, next int) {
	a := r.ahead
	a.line += n
	r.Bytes += int64(next - a.pos)
	a.pos = next
	r.LineNo += n
}

// take returns the line of the block b that ends at its next line end,
// and counts it (NextInBlock's and readAhead's usual case).
func (r *Reader) take(a *readAhead, b *Block) []byte {
	end := int(b.nl[a.line])
	line := b.data[a.pos:end]
	a.line++
	r.Bytes += int64(end + 1 - a.pos)
	a.pos = end + 1
	r.LineNo++
	return line
}

// scan finds the line ends of the block's data, and says whether it holds
// mark (0: none) and whether it is plain. Lines longer than maxLine are
// only in data longer than it.
func (b *Block) scan(mark byte, maxLine int) {
	var special bool
	b.nl, special = findNewlines(b.data, b.nl, mark)
	// special: mark or '\r' somewhere (or a NUL, with no mark); which,
	// the rare block's second look says.
	b.mark = special && mark != 0 && bytes.IndexByte(b.data, mark) >= 0
	b.plain = !special && len(b.data) <= maxLine
}

// readAhead is ReadLine's reading-ahead half.
func (r *Reader) readAhead() (line []byte, tooLong, ok bool) {
	a := r.ahead
	if b := a.blk; b != nil && a.line < len(b.nl) {
		// The usual case, a line of the block that ends in it: read
		// with fewer tests than the general case below (a tenth of the
		// line reading's instructions, scripts/ir-convert). A long
		// block has no line ends.
		line = r.take(a, b)
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if limit := r.MaxLine; len(line) > limit && (limit > 0 || len(line) > DefaultMaxLine) {
			line, tooLong = r.cut(line)
		}
		return line, tooLong, true
	}
	for a.blk == nil || a.pos >= len(a.blk.data) {
		if b := a.blk; b != nil {
			a.blk = nil
			a.done = append(a.done, b)
			if r.BlockDone != nil {
				r.BlockDone(len(a.done))
			}
			if b.last {
				r.eof, r.err = true, b.err
				return nil, false, false
			}
		}
		b, ok := <-a.out
		if !ok {
			r.eof = true // stopped
			return nil, false, false
		}
		a.blk, a.pos, a.line = b, 0, 0
		if len(b.data) == 0 && b.last {
			continue
		}
	}
	b := a.blk
	if b.long {
		line, tooLong = b.data, true
		a.pos = len(b.data)
		r.Bytes += b.n
	} else {
		rest := b.data[a.pos:]
		i := -1
		if a.line < len(b.nl) {
			i = int(b.nl[a.line]) - a.pos
			a.line++
		}
		if i < 0 {
			i = len(rest) // the input's last line
			line = rest
			a.pos += i
			r.Bytes += int64(i)
		} else {
			line = rest[:i]
			a.pos += i + 1
			r.Bytes += int64(i + 1)
		}
	}
	r.LineNo++
	if n := len(line); n > 0 && line[n-1] == '\r' && !b.long {
		line = line[:n-1] // (a long block's data does not end its line)
	}
	if l, cut := r.cut(line); cut {
		line, tooLong = l, true
	}
	return line, tooLong, true
}

// cut cuts a line longer than MaxLine inside a block (blocks can be longer
// than MaxLine).
func (r *Reader) cut(line []byte) ([]byte, bool) {
	limit := r.MaxLine
	if limit <= 0 {
		limit = DefaultMaxLine
	}
	if len(line) > limit {
		return line[:limit], true
	}
	return line, false
}
