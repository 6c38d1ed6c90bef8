// Command gallery draws every figure kind of the embedded default trace in
// the cases where figures used to break: one column (3.3 in) and a page
// (7 in) wide, with 2, 6 and 8 machines and with 8 variants of a --set
// sweep (and the breakdown with 3). It writes docs/gallery/*.png (150 dpi: for looking at, not for
// print) and docs/gallery/README.md, which shows them side by side, so
// that a change to the figures can be looked at in every case before it
// is committed. Run it as scripts/gallery from the repository root.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/forkcost/forkcost/internal/defaulttrace"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/replay"
)

// A machine set of the gallery.
type set struct {
	name, about string
	machines    []string
	sets        []string
}

var sets = []set{
	{"m2", "2 machines (the default)", []string{"ppro200", "zen4"}, nil},
	{"m3", "3 machines (breakdown only: the issue's case)", []string{"ppro200", "zen4", "apple-m1"}, nil},
	{"m6", "6 machines", []string{"i486-33", "p5-100", "ppro200", "p2-400", "zen4", "apple-m1"}, nil},
	{"m8", "8 machines (every built-in)", []string{"i486-33", "p5-100", "ppro200", "p2-400", "cortex-a72", "apple-m1", "zen4", "raptorlake"}, nil},
	{"sweep8", "8 variants of ppro200 (--set ppro200.soft_fault_ns=250:2000:+250)", []string{"ppro200"}, []string{"ppro200.soft_fault_ns=250:2000:+250"}},
}

var widths = []struct {
	name  string
	width vg.Length
}{{"3.3in", plots.SingleColumn}, {"7in", plots.DoubleColumn}}

const dpi = 150

func main() {
	out := flag.String("out", filepath.Join("docs", "gallery"), "directory to write the gallery into")
	flag.Parse()
	if err := run(*out, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gallery:", err)
		os.Exit(1)
	}
}

func run(out string, log io.Writer) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// images[kind][set][width] is the file name of a case, "" if the kind
	// does not vary with it.
	images := map[string]map[string]map[string]string{}
	for _, s := range sets {
		fmt.Fprintf(log, "gallery: %s\n", s.about)
		d, err := collect(s)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		for _, w := range widths {
			st := plots.Paper(w.width)
			figs, skipped := plots.Make(d, plots.Kinds, st)
			if err := errors.Join(skipped...); err != nil {
				return fmt.Errorf("%s at %s: %w", s.name, w.name, err)
			}
			seen := map[string]bool{}
			for _, f := range figs {
				// Figures drawn per machine: the first machine's (they
				// differ from the default set only in their machine's
				// name, so only the sweep's long names are drawn too);
				// size-cdf does not depend on the machines.
				if seen[f.Kind] || (s.name == "m3" && f.Kind != "breakdown") || (f.Machine != "" && s.name != "m2" && s.name != "sweep8") || (f.Kind == "size-cdf" && s.name != "m2") {
					continue
				}
				seen[f.Kind] = true
				name := f.Kind + "-" + s.name + "-" + w.name + ".png"
				if err := writePNG(filepath.Join(out, name), f, st); err != nil {
					return err
				}
				if images[f.Kind] == nil {
					images[f.Kind] = map[string]map[string]string{}
				}
				if images[f.Kind][s.name] == nil {
					images[f.Kind][s.name] = map[string]string{}
				}
				images[f.Kind][s.name][w.name] = name
			}
		}
	}
	return writeIndex(filepath.Join(out, "README.md"), images)
}

// collect replays the default trace on the set's machines, as 'analyze
// plot' does, keeping what every figure needs.
func collect(s set) (*plots.Data, error) {
	profs, err := machines.Select(s.machines, nil, s.sets)
	if err != nil {
		return nil, err
	}
	col := plots.NewCollector(plots.MachinesOf(profs), true)
	r, err := replay.New(replay.Config{Machines: profs, OnEvent: col.OnEvent, OnTraceEvent: col.Observe,
		Uncertainty: replay.Uncertainty{Draws: 200, Seed: 1}})
	if err != nil {
		return nil, err
	}
	rd, err := defaulttrace.Default.Open()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	if err := r.Trace(rd); err != nil {
		return nil, err
	}
	return col.Data(r.Summary()), nil
}

func writePNG(path string, f *plots.Figure, st plots.Style) error {
	w, h := f.Size(st)
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	f.Draw(st, draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeIndex(path string, images map[string]map[string]map[string]string) error {
	var b strings.Builder
	b.WriteString(`# Figure gallery

Every figure kind of the embedded default trace (` + defaulttrace.Default.Name + `)
in the cases where figures used to break: one column (3.3 in) and a page
(7 in) wide, with 2, 6 and 8 machines and with the 8 variants of a
` + "`--set`" + ` sweep (the breakdown also with 3). Figures drawn per machine show the first machine only,
and size-cdf, which does not depend on the machines, the default set.
Made by ` + "`scripts/gallery`" + ` (at ` + fmt.Sprint(dpi) + ` dpi: for looking at; ` + "`analyze plot`" + ` writes
PNGs at 300 dpi, and SVG and PDF). Regenerate it after changing a figure,
and look at every image.
`)
	for _, k := range plots.Kinds {
		byset := images[k.Name]
		if byset == nil {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s.\n", k.Name, k.About)
		for _, s := range sets {
			ws := byset[s.name]
			if ws == nil {
				continue
			}
			fmt.Fprintf(&b, "\n%s:\n\n| 3.3 in | 7 in |\n|---|---|\n| ![%s, %s, 3.3 in](%s) | ![%s, %s, 7 in](%s) |\n",
				s.about, k.Name, s.name, ws["3.3in"], k.Name, s.name, ws["7in"])
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
