package machines

import (
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
	f.Fuzz(func(t *testing.T, data []byte) { fuzzbound.Run(t, func(t *testing.T) { parseProfile(t, data) }) })
}

func parseProfile(t *testing.T, data []byte) {
	p, err := Parse("fuzz.toml", data)
	if err != nil {
		return
	}
	for _, v := range p.Params {
		if v.Source == "" {
			t.Fatalf("accepted a parameter without a source")
		}
	}
}
