package textconv

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/decompress"
)

// Format is a text log format that convert, replay and every other reader
// of traces accept. Format packages register themselves (Register) in an
// init function; importing them is enough.
type Format struct {
	// Name is the format's name, as --from spells it.
	Name string
	// Score is the share (0 to 1) of the first lines of head, a log's
	// decompressed start, that this format's lexer takes.
	Score func(head []byte) float64
	// Lenient formats take lines of other formats too (a truss line also
	// parses as a strace line without a pid): their scores count for a
	// little less, so that they win only over a weaker match.
	Lenient bool
	// Sets says that one run's log may come as several files (strace
	// -ff's LOG.PID), merged by time into one trace.
	Sets bool
	// Convert converts the inputs (one log, or the files of a set) into
	// the trace file out.
	Convert func(inputs []Input, out string, cfg Config) (*Stats, error)
}

var (
	regMu   sync.RWMutex
	formats []*Format
)

// Register adds f to the formats, and to trace's text formats, so that
// arrowio.OpenAny converts its logs with the same defaults as convert.
func Register(f *Format) {
	regMu.Lock()
	formats = append(formats, f)
	regMu.Unlock()
	trace.RegisterTextFormat(&trace.TextFormat{
		Name:    f.Name,
		Sniff:   func(path string) bool { return DetectFile(path) == f.Name },
		Precise: !f.Lenient,
		Convert: func(path, out string, warn func(string, ...any)) error {
			ins := []Input{{Name: path}}
			if f.Sets {
				var err error
				if ins, err = ExpandFF([]string{path}); err != nil {
					return err
				}
			}
			_, err := f.Convert(ins, out, Config{Warn: warn})
			return err
		},
	})
}

// Formats returns the registered formats, in the order of their names.
func Formats() []*Format {
	regMu.RLock()
	defer regMu.RUnlock()
	fs := append([]*Format(nil), formats...)
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	return fs
}

// Lookup returns the registered format name, or nil.
func Lookup(name string) *Format {
	for _, f := range Formats() {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// HeadBytes is how much of a log's start Detect is given.
const HeadBytes = 64 << 10

// Detect tells the registered formats apart by content: each format's
// lexer scores the first lines of head and the best score wins, if at
// least half of the lines fit. It returns "" when no format fits.
func Detect(head []byte) string {
	best, score := "", 0.0
	// Precise formats first: at equal scores, the first one wins.
	for _, lenient := range []bool{false, true} {
		for _, f := range Formats() {
			if f.Lenient != lenient {
				continue
			}
			v := f.Score(head)
			if f.Lenient {
				v *= 0.99
			}
			if v > score {
				best, score = f.Name, v
			}
		}
	}
	if score < 0.5 {
		return ""
	}
	return best
}

// DetectFile is Detect of the start of the file at path (decompressed).
func DetectFile(path string) string {
	head := decompress.HeadFile(path, HeadBytes)
	if head == nil {
		return ""
	}
	return Detect(head)
}

// Input is one log to read: a file, or stdin when Name is "-".
type Input struct {
	Name string
	PID  int32 // the pid of an -ff file, else 0
}

// DisplayName is the name of an input in messages.
func (in Input) DisplayName() string {
	if in.Name == "-" {
		return "<stdin>"
	}
	return in.Name
}

// FFPID returns the pid of an -ff file name LOG.PID.
func FFPID(name string) (int32, bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || i == len(name)-1 {
		return 0, false
	}
	v, err := strconv.ParseInt(name[i+1:], 10, 32)
	if err != nil || v <= 0 {
		return 0, false
	}
	return int32(v), true
}

// ExpandFF turns the arguments of convert into inputs. An argument naming
// a file is used as given. An argument LOG that is not a file, but for which
// LOG.PID files exist (strace -ff -o LOG), stands for all of them. When
// several arguments share a prefix and all end in .PID, each is taken as an
// -ff file of that pid.
func ExpandFF(args []string) ([]Input, error) {
	var out []Input
	for _, a := range args {
		if a == "-" {
			out = append(out, Input{Name: a})
			continue
		}
		if _, err := os.Stat(a); err == nil {
			out = append(out, Input{Name: a})
			continue
		}
		matches, _ := filepath.Glob(globEscape(a) + ".*")
		var ff []Input
		for _, m := range matches {
			if pid, ok := FFPID(m); ok && strings.TrimSuffix(m, "."+strconv.Itoa(int(pid))) == a {
				ff = append(ff, Input{Name: m, PID: pid})
			}
		}
		if len(ff) == 0 {
			return nil, fmt.Errorf("%s: no such file, and no -ff files %s.PID", a, a)
		}
		sort.Slice(ff, func(i, j int) bool { return ff[i].PID < ff[j].PID })
		out = append(out, ff...)
	}
	// Several LOG.PID files given one by one: an -ff set.
	if len(out) > 1 {
		prefix := ""
		all := true
		for i, in := range out {
			pid, ok := FFPID(in.Name)
			if !ok {
				all = false
				break
			}
			p := strings.TrimSuffix(in.Name, "."+strconv.Itoa(int(pid)))
			if i == 0 {
				prefix = p
			} else if p != prefix {
				all = false
				break
			}
		}
		if all {
			for i := range out {
				out[i].PID, _ = FFPID(out[i].Name)
			}
		}
	}
	return out, nil
}

func globEscape(s string) string {
	r := strings.NewReplacer("*", `\*`, "?", `\?`, "[", `\[`)
	return r.Replace(s)
}
