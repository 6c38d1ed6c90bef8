package machines

import (
	"fmt"
	"os"
	"strings"
)

// DefaultNames are the machines used when none is chosen.
var DefaultNames = []string{"ppro200", "zen4"}

// LoadFile reads a user's profile from a TOML file.
func LoadFile(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Select resolves the CLI's machine flags: built-in names (--machine),
// profile files (--machine-file) and overrides (--set MACHINE.PARAM=VALUE,
// never split on commas). With no names and no files it selects
// DefaultNames. A --set for a machine that is not selected is an error.
func Select(names, files, sets []string) ([]*Profile, error) {
	if len(names) == 0 && len(files) == 0 {
		names = DefaultNames
	}
	var out []*Profile
	seen := map[string]string{}
	add := func(p *Profile) error {
		if prev, ok := seen[p.Name]; ok {
			return fmt.Errorf("machine %q is selected twice (%s and %s)", p.Name, prev, p.File)
		}
		seen[p.Name] = p.File
		out = append(out, p)
		return nil
	}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		p, err := Lookup(n)
		if err != nil {
			return nil, err
		}
		if err := add(p); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		p, err := LoadFile(f)
		if err != nil {
			return nil, err
		}
		if err := add(p); err != nil {
			return nil, err
		}
	}
	for _, s := range sets {
		key, value, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("--set %q: want MACHINE.PARAM=VALUE", s)
		}
		mach, param, ok := strings.Cut(strings.TrimSpace(key), ".")
		if !ok {
			return nil, fmt.Errorf("--set %q: want MACHINE.PARAM=VALUE", s)
		}
		var target *Profile
		for _, p := range out {
			if p.Name == mach {
				target = p
			}
		}
		if target == nil {
			return nil, fmt.Errorf("--set %q: machine %q is not selected (selected: %s)", s, mach, strings.Join(namesOf(out), ", "))
		}
		if err := target.Override(param, value); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func namesOf(ps []*Profile) []string {
	n := make([]string, len(ps))
	for i, p := range ps {
		n[i] = p.Name
	}
	return n
}
