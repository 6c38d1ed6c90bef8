package arrowio_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// TestWithoutParquet: a build without trace/parquetio (the default; see
// NoParquet) says how to get Parquet when asked to write .parquet or given
// a Parquet file, instead of failing on a format it does not name.
func TestWithoutParquet(t *testing.T) {
	if arrowio.HasFormat("parquet") {
		t.Skip("Parquet is linked (-tags parquet)")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "t.parquet")
	_, err := arrowio.Create(out, trace.Meta{}, nil)
	if err == nil || !strings.Contains(err.Error(), out) || !strings.Contains(err.Error(), "-tags parquet") {
		t.Errorf("Create(%s) = %v, want an error naming the file and -tags parquet", out, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused Create left %v", entries)
	}
	in := filepath.Join(dir, "in.arrow")
	os.WriteFile(in, []byte("PAR1\x15\x04\x15\x00PAR1"), 0o644)
	_, err = arrowio.Open(in, nil)
	if !errors.Is(err, arrowio.ErrNotTable) || !strings.Contains(err.Error(), in) || !strings.Contains(err.Error(), "a Parquet file") ||
		!strings.Contains(err.Error(), "go build -tags parquet ./cmd/analyze") {
		t.Errorf("Open of a Parquet file = %v, want ErrNotTable naming the file and the build", err)
	}
}
