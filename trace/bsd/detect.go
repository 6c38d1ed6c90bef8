package bsd

import (
	"bytes"
	"io"
	"os"
	"sync"

	"github.com/forkcost/forkcost/trace/strace"
)

// Head returns the first 64 KiB of the file at path, decompressed, cut
// after its last complete line; nil if it cannot be read.
func Head(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	dr, closeDec, err := strace.Decompress(f)
	if err != nil {
		return nil
	}
	defer closeDec()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(dr, head)
	head = head[:n]
	if i := bytes.LastIndexByte(head, '\n'); i >= 0 && n == len(head) {
		head = head[:i+1]
	}
	return head
}

// A Sniffer scores how well head matches a format: the share of its first
// lines that parse, from 0 to 1.
type Sniffer func(head []byte) float64

var (
	sniffMu  sync.Mutex
	sniffers = map[string]Sniffer{}
)

// RegisterSniffer adds a text format to Detect. The kdump and truss
// packages register themselves; strace is built in.
func RegisterSniffer(name string, s Sniffer) {
	sniffMu.Lock()
	defer sniffMu.Unlock()
	sniffers[name] = s
}

// Detect tells strace, kdump and truss output apart by content: each
// format's parser scores the first lines and the best score wins, if at
// least half of the lines parse. It returns "" when no format fits.
func Detect(head []byte) string {
	sniffMu.Lock()
	defer sniffMu.Unlock()
	best, score := "", 0.0
	for _, name := range []string{"kdump", "truss"} {
		if s := sniffers[name]; s != nil {
			if v := s(head); v > score {
				best, score = name, v
			}
		}
	}
	// strace last: its reader is lenient about what follows a call, so it
	// wins only over a weaker match.
	if v := straceScore(head); v > score {
		best, score = "strace", v
	}
	if score < 0.5 {
		return ""
	}
	return best
}

// straceScore is the share of the first lines that the strace reader takes.
func straceScore(head []byte) float64 {
	rd := strace.NewReader(bytes.NewReader(head), "")
	good, bad := 0, 0
	for rd.Next() && good+bad < 50 {
		switch rd.Result().(type) {
		case *strace.Record:
			good++
		case *strace.SyntaxError:
			bad++
		}
	}
	if good+bad == 0 {
		return 0
	}
	return float64(good) / float64(good+bad) * 0.99
}

// Collect reads every record of src into copies.
func Collect(src Source) ([]Record, []SyntaxError, error) {
	var recs []Record
	var errs []SyntaxError
	for src.Next() {
		if r := src.Record(); r != nil {
			c := *r
			c.Comm = bytes.Clone(r.Comm)
			c.Name = bytes.Clone(r.Name)
			c.Args = bytes.Clone(r.Args)
			c.Text = bytes.Clone(r.Text)
			c.SigName = bytes.Clone(r.SigName)
			c.Info = bytes.Clone(r.Info)
			recs = append(recs, c)
		} else {
			errs = append(errs, *src.SyntaxError())
		}
	}
	return recs, errs, src.Err()
}
