package kdump

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/bsd"
)

// convert converts a testdata file and returns its rows, the converter and
// the syntax errors.
func convert(t testing.TB, name string, opt bsd.Options) ([]trace.Event, *bsd.Converter, *Reader, []bsd.SyntaxError) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return convertReader(t, NewReader(f, name), opt)
}

func convertText(t testing.TB, text string, opt bsd.Options) ([]trace.Event, *bsd.Converter, *Reader, []bsd.SyntaxError) {
	t.Helper()
	return convertReader(t, NewReader(strings.NewReader(text), "text"), opt)
}

func convertReader(t testing.TB, rd *Reader, opt bsd.Options) ([]trace.Event, *bsd.Converter, *Reader, []bsd.SyntaxError) {
	evs, c, errs, err := bsd.ConvertAll(rd, opt)
	if err != nil {
		t.Fatal(err)
	}
	return evs, c, rd, errs
}

func lines(evs []trace.Event) string {
	var b strings.Builder
	for i := range evs {
		b.WriteString(bsd.FormatEvent(&evs[i]))
		b.WriteByte('\n')
	}
	return b.String()
}
