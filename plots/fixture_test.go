package plots_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/plots"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/synth"
	"github.com/forkcost/forkcost/trace"
	"github.com/forkcost/forkcost/trace/arrowio"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// events builds a trace in memory from events and opens it under name, so
// that the trace's name in the figures' provenance does not depend on a
// temporary directory.
func openEvents(name string, meta trace.Meta, gen func(emit synth.Emit) error) (*arrowio.Reader, error) {
	dir, err := os.MkdirTemp("", "plots-test")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "t.arrow")
	w, err := arrowio.Create(path, meta, nil)
	if err != nil {
		return nil, err
	}
	if err := gen(func(ev *trace.Event) error { return w.Append(ev) }); err != nil {
		w.Abort()
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return arrowio.OpenIPCBytes(name, data, nil)
}

// smallBuild is the small fixed trace of the golden tests: a libc build of
// 12 sources.
func smallBuild() (*arrowio.Reader, error) {
	lb := synth.DefaultLibcBuild()
	lb.Sources = 12
	meta := lb.Meta()
	meta.Tool = "plots test"
	return openEvents("testdata:libc-build-12.arrow", meta, lb.Generate)
}

// collect replays rd on the named machines (default ppro200 and zen4),
// whose profiles are frozen copies of the built-in ones in testdata: the
// golden files change when drawing or the model's code changes, not when a
// built-in profile is edited.
func collect(rd *arrowio.Reader, names ...string) (*plots.Data, error) {
	defer rd.Close()
	if len(names) == 0 {
		names = []string{"ppro200", "zen4"}
	}
	var files []string
	for _, n := range names {
		files = append(files, filepath.Join("testdata", n+".toml"))
	}
	profs, err := machines.Select(nil, files, nil)
	if err != nil {
		return nil, err
	}
	col := plots.NewCollector(plots.MachinesOf(profs), true)
	r, err := replay.New(replay.Config{Machines: profs, OnEvent: col.OnEvent, OnTraceEvent: col.Observe, Uncertainty: replay.Uncertainty{Draws: 50, Seed: 1}})
	if err != nil {
		return nil, err
	}
	if err := r.Trace(rd); err != nil {
		return nil, err
	}
	return col.Data(r.Summary()), nil
}

// smallData is the data of the golden tests, on ppro200 and zen4.
func smallData() *plots.Data {
	rd, err := smallBuild()
	if err != nil {
		panic(err)
	}
	d, err := collect(rd)
	if err != nil {
		panic(err)
	}
	return d
}

// writeSVG renders f as SVG into testdata/NAME.svg, for the examples.
func writeSVG(f *plots.Figure, d *plots.Data) {
	var buf bytes.Buffer
	if err := f.Render(&buf, "svg", plots.Paper(plots.SingleColumn), plots.ProvenanceOf(d.Summary(), "")); err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", f.Name()+".svg"), buf.Bytes(), 0o644); err != nil {
		panic(err)
	}
}

// checkGolden runs example, which writes testdata/NAME.svg, and compares
// that with testdata/NAME_golden.svg; -update rewrites the golden file.
func checkGolden(t *testing.T, example func(), name string) {
	t.Helper()
	example()
	got, err := os.ReadFile(filepath.Join("testdata", name+".svg"))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", name+"_golden.svg")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("testdata/%s.svg differs from %s: look at both, and run go test -update if the change is meant", name, golden)
		return
	}
	os.Remove(filepath.Join("testdata", name+".svg"))
}

func must(f *plots.Figure, err error) *plots.Figure {
	if err != nil {
		panic(fmt.Sprint("drawing: ", err))
	}
	return f
}
