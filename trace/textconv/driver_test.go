package textconv

import (
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

// rowsConv is a Conversion that emits rows short rows and, every
// thousandth, a whole one.
type rowsConv struct {
	rows  int
	short ShortWriter
	read  int64
	st    Stats
}

func (c *rowsConv) SetEmitShort(f ShortWriter) { c.short = f }
func (c *rowsConv) Run(emit func(*trace.Event) error, onErr func(*SyntaxError) error) error {
	for i := 0; i < c.rows; i++ {
		c.read = int64(i)
		var err error
		if i%1000 == 0 {
			err = emit(&trace.Event{TimeNs: int64(i), PID: 1, Kind: trace.Exit, Comm: "x", HasExitStatus: true})
		} else {
			err = c.short.AppendShortKind(int64(i), 2, 1, int32(trace.Mmap.Index()), "cc1", 0)
		}
		if err != nil {
			return err
		}
		c.st.Rows++
	}
	return nil
}
func (c *rowsConv) Describe(m *trace.Meta)        { m.Source = "test" }
func (c *rowsConv) Stats() *Stats                 { return &c.st }
func (c *rowsConv) Warnings(func(string, ...any)) {}
func (c *rowsConv) BytesRead() int64              { return c.read }

// TestDriveProgress checks that Drive reports progress every 65536 rows
// (as batches go to the writer), and writes every row.
func TestDriveProgress(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p.arrow")
	c := &rowsConv{rows: 200000}
	var got []int64
	if err := Drive(c, out, Config{Progress: func(n int64) { got = append(got, n) }}); err != nil {
		t.Fatal(err)
	}
	// The batch that reaches a multiple of 65536 rows reports: rows
	// 65535, 131071 and 196607 were the last appended.
	want := []int64{65535, 131071, 196607}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("progress at bytes %v, want %v", got, want)
	}
	r, err := arrowio.Open(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for r.Next() {
		n++
	}
	if err := r.Err(); err != nil || n != c.rows {
		t.Errorf("read %d rows (%v), want %d", n, err, c.rows)
	}
}
