package strace

import (
	"bytes"
	"testing"
)

// unquoteByByte is unquote as it was before it copied the bytes between
// backslashes at once: FuzzUnquote holds unquote to it.
func unquoteByByte(dst []byte, s []byte) ([]byte, bool) {
	s = bytes.TrimSpace(s)
	s = bytes.TrimSuffix(s, []byte("..."))
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return dst, false
	}
	s = s[1 : len(s)-1]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			dst = append(dst, c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'v':
			dst = append(dst, '\v')
		case 'f':
			dst = append(dst, '\f')
		case 'a':
			dst = append(dst, '\a')
		case 'b':
			dst = append(dst, '\b')
		case 'x':
			v, k := 0, 0
			for k < 2 && i+1 < len(s) && isHex(s[i+1]) {
				v = v<<4 | hexVal(s[i+1])
				i++
				k++
			}
			dst = append(dst, byte(v))
		default:
			if e >= '0' && e <= '7' {
				v := int(e - '0')
				for k := 0; k < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; k++ {
					v = v<<3 | int(s[i+1]-'0')
					i++
				}
				dst = append(dst, byte(v))
			} else {
				dst = append(dst, e)
			}
		}
	}
	return dst, true
}

// FuzzUnquote checks unquote against the byte-by-byte unquoteByByte.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`""`, `"abc"`, `"a\"b"`, `"\\"`, `"a\"`, `"\n\t\r\v\f\a\b"`, `"\x41\x4g\x"`, `"\101\7\78\0"`,
		`"-DNAME=\"x\""`, `"cd . && gcc -DV='\"2.36\"' -c x.c"`, `"abc"...`, ` "a\\\"" `, `"\q\"`, `"x\`, `"\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		got, ok := unquote([]byte("p"), s)
		want, wok := unquoteByByte([]byte("p"), s)
		if ok != wok || !bytes.Equal(got, want) {
			t.Fatalf("unquote(%q) = %q, %v; byte by byte: %q, %v", s, got, ok, want, wok)
		}
	})
}
