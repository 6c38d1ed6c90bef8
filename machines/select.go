package machines

import (
	"fmt"
	"math"
	"os"
	"strconv"
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
// never split by pflag). With no names and no files it selects
// DefaultNames. A --set for a machine that is not selected is an error. A
// --set whose value is a list or a range (1,2,4,8 or 1:16:x2) is a sweep:
// the machine is replaced by one variant per value, named like
// ppro200[tlb_flush_ns=2]; several sweeps on one machine form their cross
// product, at most MaxVariants.
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
	sweeps := map[string][]sweep{} // machine -> list-valued sets, in flag order
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
		values, err := parseValues(value)
		if err != nil {
			return nil, fmt.Errorf("--set %s.%s=%s: %w", mach, param, value, err)
		}
		if len(values) == 1 {
			if err := target.Override(param, value); err != nil {
				return nil, err
			}
			continue
		}
		sweeps[mach] = append(sweeps[mach], sweep{param: param, values: values})
	}
	var expanded []*Profile
	for _, p := range out {
		vs, err := expand(p, sweeps[p.Name])
		if err != nil {
			return nil, err
		}
		expanded = append(expanded, vs...)
	}
	return expanded, nil
}

// MaxVariants caps the machine variants one profile's sweeps may make.
const MaxVariants = 64

type sweep struct {
	param  string
	values []string
}

// expand makes one variant of p per combination of the sweeps' values (the
// cross product, in flag order), named like ppro200[tlb_flush_ns=2].
func expand(p *Profile, sweeps []sweep) ([]*Profile, error) {
	if len(sweeps) == 0 {
		return []*Profile{p}, nil
	}
	n := 1
	for _, s := range sweeps {
		n *= len(s.values)
		if n > MaxVariants {
			return nil, fmt.Errorf("--set sweeps on %s make more than %d variants; sweep fewer values or fewer parameters at once", p.Name, MaxVariants)
		}
	}
	var out []*Profile
	idx := make([]int, len(sweeps))
	for {
		v := p.Clone()
		var label []string
		for i, s := range sweeps {
			if err := v.Override(s.param, s.values[idx[i]]); err != nil {
				return nil, err
			}
			label = append(label, s.param+"="+s.values[idx[i]])
		}
		v.Name = p.Name + "[" + strings.Join(label, ",") + "]"
		out = append(out, v)
		// Next combination: the last sweep varies fastest.
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(sweeps[i].values) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out, nil
		}
	}
}

// parseValues reads a --set value: one number, a list (1,2,4,8), or a
// range with both ends included (1:16:x2 multiplies, 0:1:+0.25 adds).
func parseValues(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if strings.Contains(v, ",") {
		parts := strings.Split(v, ",")
		for i, p := range parts {
			p = strings.TrimSpace(p)
			if _, err := strconv.ParseFloat(p, 64); err != nil {
				return nil, fmt.Errorf("%q in the list is not a number", p)
			}
			parts[i] = p
		}
		return parts, nil
	}
	if !strings.Contains(v, ":") {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Errorf("not a number (want a number, a list 1,2,4 or a range 1:16:x2)")
		}
		return []string{v}, nil
	}
	f := strings.Split(v, ":")
	if len(f) != 3 || len(f[2]) < 2 || (f[2][0] != 'x' && f[2][0] != '+') {
		return nil, fmt.Errorf("a range is FROM:TO:xFACTOR or FROM:TO:+STEP")
	}
	from, err1 := strconv.ParseFloat(f[0], 64)
	to, err2 := strconv.ParseFloat(f[1], 64)
	step, err3 := strconv.ParseFloat(f[2][1:], 64)
	if err1 != nil || err2 != nil || err3 != nil || math.IsNaN(from) || math.IsNaN(to) || math.IsInf(from, 0) || math.IsInf(to, 0) {
		return nil, fmt.Errorf("a range needs finite numbers: FROM:TO:xFACTOR or FROM:TO:+STEP")
	}
	geometric := f[2][0] == 'x'
	if to < from || (geometric && (step <= 1 || from <= 0)) || (!geometric && step <= 0) {
		return nil, fmt.Errorf("the range %s never reaches its end (want FROM <= TO, a factor > 1 from a positive start, or a step > 0)", v)
	}
	var out []string
	for x, i := from, 0; x <= to*(1+1e-12); i++ {
		out = append(out, strconv.FormatFloat(x, 'g', 10, 64))
		if len(out) > MaxVariants {
			return nil, fmt.Errorf("the range %s has more than %d values", v, MaxVariants)
		}
		if geometric {
			x *= step
		} else {
			x = from + float64(i+1)*step // no accumulated rounding
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
