package arrowio

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// arrow-go decodes an Arrow schema from its flatbuffer trusting every
// vector length in it: a corrupt count of fields, children or metadata
// pairs becomes a make() of that many elements, and a count of 2^28
// children kills the process with "out of memory" (found by FuzzReadIPC;
// no recover() stops it). The flatbuffers below are therefore walked
// before arrow-go sees them: every table, vector and string a schema
// decoder follows must lie inside the buffer, and a schema may expand to
// at most fbMaxFields fields (shared subtables count each time they are
// reached, as the decoder builds them each time).

const fbMaxFields = 1 << 12

var errFlatbuffer = errors.New("malformed Arrow metadata")

type fbVerifier struct {
	buf    []byte
	fields int
}

func (v *fbVerifier) u32(at int) (uint32, error) {
	if at < 0 || at > len(v.buf)-4 {
		return 0, fmt.Errorf("%w: offset %d is outside the %d-byte buffer", errFlatbuffer, at, len(v.buf))
	}
	return binary.LittleEndian.Uint32(v.buf[at:]), nil
}

func (v *fbVerifier) u16(at int) (uint16, error) {
	if at < 0 || at > len(v.buf)-2 {
		return 0, fmt.Errorf("%w: offset %d is outside the %d-byte buffer", errFlatbuffer, at, len(v.buf))
	}
	return binary.LittleEndian.Uint16(v.buf[at:]), nil
}

// ref follows the uoffset stored at at.
func (v *fbVerifier) ref(at int) (int, error) {
	off, err := v.u32(at)
	if err != nil {
		return 0, err
	}
	to := at + int(off)
	if off > uint32(len(v.buf)) || to >= len(v.buf) {
		return 0, fmt.Errorf("%w: a reference at %d points outside the buffer", errFlatbuffer, at)
	}
	return to, nil
}

// field returns where slot i of the table at t is stored, or -1 when the
// table does not have it.
func (v *fbVerifier) field(t, i int) (int, error) {
	so, err := v.u32(t)
	if err != nil {
		return 0, err
	}
	vt := t - int(int32(so))
	size, err := v.u16(vt)
	if err != nil {
		return 0, err
	}
	if _, err := v.u16(vt + int(size) - 2); size < 4 || err != nil {
		return 0, fmt.Errorf("%w: a table's vtable at %d is outside the buffer", errFlatbuffer, vt)
	}
	if 4+2*i >= int(size) {
		return -1, nil
	}
	off, _ := v.u16(vt + 4 + 2*i)
	if off == 0 {
		return -1, nil
	}
	return t + int(off), nil
}

// vector checks the vector referenced from slot i of the table at t, of
// elements elem bytes wide, and returns its start and length (-1, 0 when
// absent).
func (v *fbVerifier) vector(t, i, elem int) (int, int, error) {
	vec, err := v.table(t, i) // a vector is referenced like a table
	if err != nil || vec < 0 {
		return -1, 0, err
	}
	n, err := v.u32(vec)
	if err != nil {
		return 0, 0, err
	}
	if uint64(n)*uint64(elem) > uint64(len(v.buf)-vec-4) {
		return 0, 0, fmt.Errorf("%w: a vector at %d claims %d elements, more than the buffer holds", errFlatbuffer, vec, n)
	}
	return vec + 4, int(n), nil
}

// tables checks the vector of tables in slot i of the table at t with
// each, which may be nil.
func (v *fbVerifier) tables(t, i int, each func(int) error) error {
	start, n, err := v.vector(t, i, 4)
	if err != nil {
		return err
	}
	for j := 0; j < n; j++ {
		tj, err := v.ref(start + 4*j)
		if err != nil {
			return err
		}
		if each != nil {
			if err := each(tj); err != nil {
				return err
			}
		}
	}
	return nil
}

func (v *fbVerifier) keyValues(t, i int) error {
	return v.tables(t, i, func(kv int) error {
		for slot := 0; slot < 2; slot++ { // key, value: strings
			if _, _, err := v.vector(kv, slot, 1); err != nil {
				return err
			}
		}
		return nil
	})
}

// schema checks an Arrow Schema table: fields (slot 1), custom_metadata
// (2), features (3).
func (v *fbVerifier) schema(t int) error {
	if err := v.tables(t, 1, v.arrowField); err != nil {
		return err
	}
	if err := v.keyValues(t, 2); err != nil {
		return err
	}
	_, _, err := v.vector(t, 3, 8)
	return err
}

// arrowField checks a Field table: name (slot 0), children (5),
// custom_metadata (6).
func (v *fbVerifier) arrowField(t int) error {
	v.fields++
	if v.fields > fbMaxFields {
		return fmt.Errorf("%w: the schema has more than %d fields", errFlatbuffer, fbMaxFields)
	}
	if _, _, err := v.vector(t, 0, 1); err != nil {
		return err
	}
	if err := v.tables(t, 5, v.arrowField); err != nil {
		return err
	}
	return v.keyValues(t, 6)
}

// table returns the subtable referenced from slot i of the table at t, or
// -1 when the table does not have it.
func (v *fbVerifier) table(t, i int) (int, error) {
	at, err := v.field(t, i)
	if err != nil || at < 0 {
		return -1, err
	}
	return v.ref(at)
}

// verify checks the root table of buf with check.
func verify(buf []byte, check func(v *fbVerifier, root int) error) error {
	v := &fbVerifier{buf: buf}
	root, err := v.ref(0)
	if err != nil {
		return err
	}
	return check(v, root)
}

// verifyFooter checks an Arrow IPC file footer: schema (slot 1),
// dictionaries and record batches (2, 3: 24-byte Block structs),
// custom_metadata (4).
func verifyFooter(buf []byte) error {
	return verify(buf, func(v *fbVerifier, root int) error {
		s, err := v.table(root, 1)
		if err != nil {
			return err
		}
		if s >= 0 {
			if err := v.schema(s); err != nil {
				return err
			}
		}
		for _, slot := range []int{2, 3} {
			if _, _, err := v.vector(root, slot, 24); err != nil {
				return err
			}
		}
		return v.keyValues(root, 4)
	})
}

// verifyMessage checks an Arrow IPC message: its schema when it carries
// one (header_type, slot 1, is 1; header, slot 2) and its custom_metadata
// (4).
func verifyMessage(buf []byte) error {
	return verify(buf, func(v *fbVerifier, root int) error {
		at, err := v.field(root, 1)
		if err != nil {
			return err
		}
		if at >= 0 && at < len(buf) && buf[at] == 1 {
			s, err := v.table(root, 2)
			if err != nil {
				return err
			}
			if s >= 0 {
				if err := v.schema(s); err != nil {
					return err
				}
			}
		}
		return v.keyValues(root, 4)
	})
}
