package plots

import (
	"bytes"
	"image"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg/vgpdf"
)

// A PDF's dates are the epoch in this document, whatever the time, and
// fixing them leaves every byte offset where it was.
func TestFixPDFDates(t *testing.T) {
	var buf bytes.Buffer
	if _, err := vgpdf.New(72, 72).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	n := len(pdf)
	if err := fixPDFDates(pdf); err != nil {
		t.Fatal(err)
	}
	dates := regexp.MustCompile(`/(Creation|Mod)Date \(D:(\d+)\)`).FindAllSubmatch(pdf, -1)
	if len(dates) != 2 || len(pdf) != n {
		t.Fatalf("%d dates in %d bytes (was %d)", len(dates), len(pdf), n)
	}
	for _, d := range dates {
		if string(d[2]) != "19700101000000" {
			t.Errorf("%s is %s, want the epoch", d[1], d[2])
		}
	}
	if err := fixPDFDates([]byte("%PDF-1.3\n%%EOF\n")); err == nil {
		t.Error("a PDF without dates: no error")
	}
}

// A PDF whose trailer cannot be read is an error, not a figure silently
// without its provenance.
func TestPDFWithInfoNeedsTrailer(t *testing.T) {
	f := &Figure{Kind: "test"}
	var buf bytes.Buffer
	if _, err := vgpdf.New(72, 72).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := pdfWithInfo(buf.Bytes(), f, nil); err != nil {
		t.Fatalf("fpdf's own PDF: %v", err)
	}
	cut := bytes.ReplaceAll(buf.Bytes(), []byte("/Root"), []byte("/Rxxx"))
	if _, err := pdfWithInfo(cut, f, nil); err == nil || !strings.Contains(err.Error(), "/Root") {
		t.Errorf("a trailer without /Root: %v, want an error naming it", err)
	}
	if _, err := pdfWithInfo([]byte("%PDF-1.3\n"), f, nil); err == nil {
		t.Error("a PDF without a trailer: no error")
	}
}

// Latin-1 text goes into tEXt as before; other text into iTXt as UTF-8,
// every rune kept, in a chunk a PNG decoder accepts.
func TestPNGText(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, chunk string }{
		{"caf\u00e9 profile", "tEXtDescription\x00caf\xe9 profile"},
		{"trace \u4e16\u754c.arrow \u2014 ok", "iTXtDescription\x00\x00\x00\x00\x00trace \u4e16\u754c.arrow \u2014 ok"},
	} {
		out := pngWithText(buf.Bytes(), "Description", c.text)
		if !bytes.Contains(out, []byte(c.chunk)) {
			t.Errorf("%q: no chunk %q", c.text, c.chunk)
		}
		if _, err := png.Decode(bytes.NewReader(out)); err != nil {
			t.Errorf("%q: %v", c.text, err)
		}
	}
}
