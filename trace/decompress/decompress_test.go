package decompress

import (
	"bytes"
	"compress/gzip"
	"io"
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
