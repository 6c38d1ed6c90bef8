package decompress

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestReaderRecognisesCompression(t *testing.T) {
	text := bytes.Repeat([]byte("123 1.5 execve(\"/bin/true\", [\"true\"], 0x0 /* 1 var */) = 0\n"), 100)
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(text)
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(text)
	zw.Close()
	for name, in := range map[string][]byte{"plain": text, "gzip": gz.Bytes(), "zstd": zs.Bytes()} {
		r, closeR, err := Reader(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := io.ReadAll(r)
		closeR()
		if err != nil || !bytes.Equal(got, text) {
			t.Errorf("%s: read %d bytes (%v), want the %d of the text", name, len(got), err, len(text))
		}
		if h := Head(bytes.NewReader(in), 100); len(h) == 0 || len(h) > 100 || h[len(h)-1] != '\n' {
			t.Errorf("%s: Head gave %q, want whole lines within 100 bytes", name, h)
		}
	}
	if _, _, err := Reader(bytes.NewReader([]byte{0x1f, 0x8b, 0, 0})); err == nil {
		t.Error("a broken gzip header gave no error")
	}
}

// TestMap maps a file after detection peeked it: the mapping holds the
// file as it was, next is where Read had got to, and Read goes on with
// what is appended after the mapping.
func TestMap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	text := bytes.Repeat([]byte("123 1.5 exit_group(0) = ?\n"), 1000)
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	r, closeR, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeR()
	head := make([]byte, 10)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	m, next, ok := r.(Mapper).Map()
	if !ok || !bytes.Equal(m, text) || next != 10 {
		t.Fatalf("Map: %d bytes, next %d, ok %v; want the file's %d, next 10", len(m), next, ok, len(text))
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("more\n")
	f.Close()
	if rest, err := io.ReadAll(r); err != nil || string(rest) != "more\n" {
		t.Errorf("after Map, Read gave %q, %v; want what was appended", rest, err)
	}
	r.(Mapper).Drop(len(m)) // less than a run: nothing dropped, still readable
	if !bytes.Equal(m, text) {
		t.Error("the mapping changed")
	}
	if _, _, ok := r.(Mapper).Map(); ok {
		t.Error("a second Map succeeded")
	}
	// Not a file: nothing to map.
	pr, _, _ := Reader(bytes.NewReader(text))
	if _, _, ok := pr.(Mapper).Map(); ok {
		t.Error("a bytes.Reader was mapped")
	}
}
