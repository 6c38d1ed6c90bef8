package machines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkcost/forkcost/model"
)

func TestBuiltinProfilesAreComplete(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2 {
		t.Fatalf("got %d built-in profiles, want ppro200 and zen4 at least", len(all))
	}
	for _, p := range all {
		for _, spec := range model.ParamSpecs() {
			prm := p.Params[spec.Name]
			if prm.Source == "" || prm.Unit != spec.Unit {
				t.Errorf("%s: %s has source %q unit %q", p.Name, spec.Name, prm.Source, prm.Unit)
			}
			if got, _ := p.ModelParams().Get(spec.Name); got != prm.Value {
				t.Errorf("%s: %s: model param %v, profile %v", p.Name, spec.Name, got, prm.Value)
			}
		}
	}
}

func builtinText(t *testing.T, name string) string {
	data, err := builtin.ReadFile("profiles/" + name + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestValidationErrors(t *testing.T) {
	base := builtinText(t, "ppro200")
	cases := []struct {
		name, edit, want string
	}{
		{"unknown parameter", base + "\n[params.warp_drive_ns]\nvalue = 1\nunit = \"ns\"\nsource = \"x\"\n", "params.warp_drive_ns"},
		{"missing source", strings.Replace(base, `source = "lmbench 1.1 null syscall`, `xsource = "`, 1), "params.syscall_ns"},
		{"negative", strings.Replace(base, "value = 6000\n", "value = -6000\n", 1), "params.ctx_switch_ns.value"},
		{"wrong unit", strings.Replace(base, "unit = \"ns/entry\"", "unit = \"us\"", 1), "unit"},
		{"missing parameter", strings.Replace(base, "[params.page_free_ns]", "[params.page_free_nsx]", 1), "page_free_ns"},
		{"unknown native", strings.Replace(base, `native = "fork-cow"`, `native = "fork-magic"`, 1), "native"},
		{"nan", strings.Replace(base, "value = 6000\n", "value = nan\n", 1), "ctx_switch_ns"},
		{"out of range", strings.Replace(base, "value = 6000\n", "value = 60000\n", 1), "outside its range"},
		{"curve not per page", strings.Replace(base, "value = 4000\n", "value = 4000\ncurve = [[0, 1], [10, 2]]\n", 1), "params.syscall_ns.curve"},
		{"curve descending", strings.Replace(base, "value = 1500\n", "value = 1500\ncurve = [[100, 1], [10, 2]]\n", 1), "params.pte_copy_ns.curve"},
		{"curve point of three", strings.Replace(base, "value = 1500\n", "value = 1500\ncurve = [[0, 1, 3], [10, 2]]\n", 1), "params.pte_copy_ns.curve"},
		{"missing value", strings.Replace(base, "value = 6000\n", "", 1), "my.toml: missing key params.ctx_switch_ns.value"},
		{"missing unit", strings.Replace(base, "unit = \"ns/entry\"", "", 1), "missing key params."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("my.toml", []byte(c.edit))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "my.toml") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name the file and %q", err, c.want)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	ps, err := Select(nil, nil, nil)
	if err != nil || len(ps) != 2 || ps[0].Name != "ppro200" || ps[1].Name != "zen4" {
		t.Fatalf("default selection = %v, %v", ps, err)
	}
	ps, err = Select([]string{"ppro200"}, nil, []string{"ppro200.syscall_ns=5000"})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := ps[0].ModelParams().Get("syscall_ns"); v != 5000 || ps[0].Overrides["syscall_ns"] != 5000 {
		t.Errorf("override not applied: %v %v", v, ps[0].Overrides)
	}
	// Overrides never leak into the next lookup.
	fresh, _ := Lookup("ppro200")
	if v, _ := fresh.ModelParams().Get("syscall_ns"); v != 4000 {
		t.Errorf("override leaked: %v", v)
	}
	for _, c := range []struct {
		names, sets []string
		want        string
	}{
		{[]string{"vax780"}, nil, `unknown machine "vax780"`},
		{[]string{"ppro200"}, []string{"zen4.syscall_ns=1"}, `"zen4" is not selected`},
		{[]string{"ppro200"}, []string{"ppro200.nope=1"}, `unknown parameter "nope"`},
		{[]string{"ppro200"}, []string{"ppro200.syscall_ns=-1"}, "negative"},
		{[]string{"ppro200"}, []string{"ppro200.syscall_ns=inf"}, "finite"},
		{[]string{"ppro200"}, []string{"ppro200.syscall_ns=1,x"}, "not a number"},
		{[]string{"ppro200"}, []string{"ppro200.syscall_ns=1:16:x1"}, "never reaches"},
		{[]string{"ppro200"}, []string{"ppro200.syscall_ns=1:1e9:+1"}, "more than"},
		{[]string{"ppro200"}, []string{"ppro200.syscall_ns=1:256:x2", "ppro200.ctx_switch_ns=1:256:x2"}, "more than 64 variants"},
		{[]string{"ppro200"}, []string{"ppro200.cpus=0.5,2"}, "whole number"},
	} {
		_, err := Select(c.names, nil, c.sets)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Select(%v, %v) error = %v, want %q", c.names, c.sets, err, c.want)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mybox.toml")
	text := strings.Replace(builtinText(t, "zen4"), `name = "zen4"`, `name = "mybox"`, 1)
	os.WriteFile(path, []byte(text), 0o644)
	ps, err := Select(nil, []string{path}, []string{"mybox.page_size=16384"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Name != "mybox" || ps[0].File != path {
		t.Fatalf("got %+v", ps)
	}
	if v, _ := ps[0].ModelParams().Get("page_size"); v != 16384 {
		t.Errorf("page_size = %v", v)
	}
}

func TestSweeps(t *testing.T) {
	ps, err := Select([]string{"ppro200", "zen4"}, nil, []string{"ppro200.tlb_flush_ns=1:16:x2", "ppro200.cpus=1,4", "zen4.syscall_ns=100"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	want := []string{
		"ppro200[tlb_flush_ns=1,cpus=1]", "ppro200[tlb_flush_ns=1,cpus=4]",
		"ppro200[tlb_flush_ns=2,cpus=1]", "ppro200[tlb_flush_ns=2,cpus=4]",
		"ppro200[tlb_flush_ns=4,cpus=1]", "ppro200[tlb_flush_ns=4,cpus=4]",
		"ppro200[tlb_flush_ns=8,cpus=1]", "ppro200[tlb_flush_ns=8,cpus=4]",
		"ppro200[tlb_flush_ns=16,cpus=1]", "ppro200[tlb_flush_ns=16,cpus=4]",
		"zen4",
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("variants:\n%v\nwant\n%v", names, want)
	}
	if v, _ := ps[5].ModelParams().Get("tlb_flush_ns"); v != 4 {
		t.Errorf("%s has tlb_flush_ns %v", ps[5].Name, v)
	}
	if v, _ := ps[5].ModelParams().Get("cpus"); v != 4 {
		t.Errorf("%s has cpus %v", ps[5].Name, v)
	}
	if v, _ := ps[10].ModelParams().Get("syscall_ns"); v != 100 {
		t.Errorf("zen4 override lost: %v", v)
	}
	vals, err := parseValues("0:1:+0.25")
	if err != nil || strings.Join(vals, " ") != "0 0.25 0.5 0.75 1" {
		t.Errorf("0:1:+0.25 gives %v, %v", vals, err)
	}
}

// A curve in a profile reaches the model, scaled by the value, and a
// --set of the value scales it.
func TestProfileCurve(t *testing.T) {
	text := strings.Replace(builtinText(t, "ppro200"), "value = 1500\n", "value = 1500\ncurve = [[256, 2000], [65536, 1000]]\ncurve_source = \"test points\"\n", 1)
	p, err := Parse("curve.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	c := p.ModelParams().Curve("pte_copy_ns")
	if c == nil || c.Ref != 1500 || c.Source != "test points" || c.Total(100000) != 65536*2000+34464*1000 {
		t.Fatalf("curve %+v", c)
	}
	if err := p.Override("pte_copy_ns", "3000"); err != nil {
		t.Fatal(err)
	}
	if c := p.ModelParams().Curve("pte_copy_ns"); c == nil || p.ModelParams().PTECopyNs/c.Ref != 2 {
		t.Errorf("after --set the curve should scale by 2: value %g, ref %v", p.ModelParams().PTECopyNs, c)
	}
}
