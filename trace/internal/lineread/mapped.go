package lineread

import "bytes"

// Reading a mapped file ahead.
//
// When the input can map its file (decompress.Mapper: a regular file
// that is not compressed), reading ahead cuts its blocks out of the
// mapping instead of reading the file into blocks of its own: a block is
// then a run of whole lines where the page cache holds them, with no read
// system call and no copy (those were some 5% of a conversion's CPU
// time). Blocks are handed out and released as before; releasing one
// drops the mapping's pages before it from the resident set (Drop), so
// that the memory in use is still that of the blocks in flight. The bytes
// after the mapping's last line end (a last line without one, or what a
// log still being written adds) are read as before, after the mapping's
// lines.

// mapper is decompress.Mapper, as this package uses it.
type mapper interface {
	Map() (data []byte, next int, ok bool)
	Drop(n int)
}

// noMap turns mapping off, for tests of the reading it replaces.
var noMap = false

// mapInput maps the input when it can be, for a: it returns the mapping
// and the offset in it of the next byte to read (what r has buffered is
// dropped: the mapping holds it), or nil.
func (r *Reader) mapInput(a *readAhead) ([]byte, int) {
	mp, ok := r.src.(mapper)
	if !ok || noMap {
		return nil, 0
	}
	m, next, ok := mp.Map()
	if !ok {
		return nil, 0
	}
	start := next - r.br.Buffered()
	r.br.Discard(r.br.Buffered())
	a.mapper = mp
	return m, start
}

// produceMapped hands out the whole lines of m from offset pos on, in
// blocks of about a.size bytes (a longer line makes a block of its own,
// which ReadLine cuts to MaxLine), until stop. It returns the bytes after
// the last line end, or stopped true.
func (a *readAhead) produceMapped(m []byte, pos, maxLine int, mark byte) (tail []byte, stopped bool) {
	end := pos + bytes.LastIndexByte(m[pos:], '\n') + 1 // pos when there is none
	for pos < end {
		var b *Block
		select {
		case b = <-a.free:
		case <-a.stop:
			return nil, true
		}
		stop := min(pos+a.size, end)
		if i := bytes.LastIndexByte(m[pos:stop], '\n'); i >= 0 {
			stop = pos + i + 1
		} else {
			stop += bytes.IndexByte(m[stop:end], '\n') + 1
		}
		b.data, b.n, b.long, b.last, b.err = m[pos:stop:stop], int64(stop-pos), false, false, nil
		b.mapped, b.end = true, stop
		b.scan(mark, maxLine)
		select {
		case a.out <- b:
		case <-a.stop:
			return nil, true
		}
		pos = stop
	}
	return m[end:], false
}
