package machines

import (
	"bytes"
	"testing"

	"github.com/forkcost/forkcost/internal/fuzzbound"
)

// FuzzParse feeds arbitrary text to the profile parser: it must return a
// profile that passed validation, or an error naming the file; never panic.
//
//	go test ./machines -run '^$' -fuzz FuzzParse -fuzztime 1m
func FuzzParse(f *testing.F) {
	fuzzbound.Setup(f)
	for _, name := range []string{"ppro200", "zen4"} {
		data, err := builtin.ReadFile("profiles/" + name + ".toml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name = \"x\"\n[params.page_size]\nvalue = 4096\n"))
	// A curve, valid and not.
	if data, err := builtin.ReadFile("profiles/ppro200.toml"); err == nil {
		f.Add(bytes.Replace(data, []byte("value = 1500\n"), []byte("value = 1500\ncurve = [[256, 2000], [65536, 1000]]\n"), 1))
		f.Add(bytes.Replace(data, []byte("value = 1500\n"), []byte("value = 1500\ncurve = [[256], [1, 2, 3]]\n"), 1))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzbound.Run(t, func(t *testing.T) { parseProfile(t, data) }) })
}

func parseProfile(t *testing.T, data []byte) {
	p, err := Parse("fuzz.toml", data)
	if err != nil {
		return
	}
	for name, v := range p.Params {
		if v.Source == "" {
			t.Fatalf("accepted a parameter without a source")
		}
		if len(v.Curve) > 0 && p.ModelParams().Curve(name) == nil {
			t.Fatalf("%s: accepted a curve the model does not have", name)
		}
	}
}
