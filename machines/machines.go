// Package machines holds forkcost's hardware cost profiles.
//
// A profile is a TOML file: a name, a one-line description, the machine's
// native fork strategy, and one table per cost parameter of the model (see
// model.Params) with its value, its unit (which must be the unit the model
// expects), its source, and optionally whether it is an estimate and a
// plausible range (low, high):
//
//	name = "ppro200"
//	description = "200 MHz Intel Pentium Pro, 4 KiB pages, 1990s BSD"
//	native = "fork-cow"
//
//	[params.syscall_ns]
//	value = 4000
//	unit = "ns"
//	source = "lmbench 1.1 null syscall, 4 us, PPro-200 (McVoy, 28 Feb 1996)"
//
// The built-in profiles are embedded from profiles/*.toml. A user's own
// profile is loaded with LoadFile (the CLI's --machine-file), and single
// parameters are changed with Override (--set MACHINE.PARAM=VALUE). Every
// profile carries a content hash so that outputs can say exactly which
// numbers produced them.
//
// A new cost parameter is declared in model/params.go (see package model);
// here it only needs a [params.NAME] table in each profiles/*.toml, unless
// its default tag keeps the profiles' earlier answers. A new built-in
// machine is one more profiles/*.toml file, every parameter with its
// source.
package machines

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/forkcost/forkcost/model"
)

//go:embed profiles/*.toml
var builtin embed.FS

// Param is one cost parameter with its provenance.
type Param struct {
	Value    float64  `toml:"value" json:"value"`
	Unit     string   `toml:"unit" json:"unit"`
	Source   string   `toml:"source" json:"source"`
	Estimate bool     `toml:"estimate" json:"estimate"`
	Low      *float64 `toml:"low" json:"low,omitempty"`
	High     *float64 `toml:"high" json:"high,omitempty"`
	// Curve, for a parameter priced per page, states it as size-dependent
	// (see model.Curve): points [pages, ns per page], the pages ascending,
	// each cost holding from its point to the next. The value stays the
	// parameter's scale: the curve is stated at that value. CurveSource
	// says where the points come from (default: Source).
	Curve       [][]float64 `toml:"curve" json:"curve,omitempty"`
	CurveSource string      `toml:"curve_source" json:"curve_source,omitempty"`
	// Defaulted is true when the profile does not set the parameter and
	// the model's default stands in.
	Defaulted bool `toml:"-" json:"defaulted,omitempty"`
}

// Profile is a machine's cost profile.
type Profile struct {
	Name        string           `toml:"name" json:"name"`
	Description string           `toml:"description" json:"description"`
	Native      string           `toml:"native" json:"native"`
	Params      map[string]Param `toml:"params" json:"params"`

	// File is where the profile came from ("builtin:ppro200.toml" or a path).
	File string `toml:"-" json:"file"`
	// Hash is the first 12 hex digits of the SHA-256 of the file's bytes.
	Hash string `toml:"-" json:"hash"`
	// Overrides lists the --set changes applied, as PARAM=VALUE.
	Overrides map[string]float64 `toml:"-" json:"overrides,omitempty"`

	params model.Params
}

// ModelParams returns the profile's values as the model's Params.
func (p *Profile) ModelParams() *model.Params { return &p.params }

// Parse reads a profile from data; file names it in errors.
func Parse(file string, data []byte) (*Profile, error) {
	var p Profile
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("%s: unknown key %s (a parameter table takes value, unit, source, estimate, low, high, curve, curve_source)", file, strings.Join(keys, ", "))
	}
	// A key left out decodes as its zero value; say it is missing rather
	// than judge the zero (a missing value read as "value 0 is outside
	// its range").
	for _, name := range sortedKeys(p.Params) {
		for _, k := range []string{"value", "unit"} {
			if !md.IsDefined("params", name, k) {
				return nil, fmt.Errorf("%s: missing key params.%s.%s", file, name, k)
			}
		}
	}
	sum := sha256.Sum256(data)
	p.File, p.Hash = file, hex.EncodeToString(sum[:])[:12]
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func (p *Profile) validate() error {
	if p.Name == "" {
		return fmt.Errorf("%s: missing key name", p.File)
	}
	if p.Description == "" {
		return fmt.Errorf("%s: missing key description", p.File)
	}
	if _, err := model.StrategyIndex(p.Native); err != nil {
		return fmt.Errorf("%s: key native: %w", p.File, err)
	}
	values := map[string]float64{}
	for _, name := range sortedKeys(p.Params) {
		prm := p.Params[name]
		key := "params." + name
		spec, ok := model.LookupParam(name)
		if !ok {
			return fmt.Errorf("%s: key %s: unknown parameter %q (see 'analyze machines show %s' for the list)", p.File, key, name, "ppro200")
		}
		if prm.Unit != spec.Unit {
			return fmt.Errorf("%s: key %s.unit: %q, want %q", p.File, key, prm.Unit, spec.Unit)
		}
		if strings.TrimSpace(prm.Source) == "" {
			return fmt.Errorf("%s: key %s.source: missing: every parameter needs a citation, or a derivation marked estimate = true", p.File, key)
		}
		if err := model.CheckValue(name, prm.Value); err != nil {
			return fmt.Errorf("%s: key %s.value: %w", p.File, key, err)
		}
		for _, b := range []struct {
			what string
			v    *float64
		}{{"low", prm.Low}, {"high", prm.High}} {
			if b.v != nil && (math.IsNaN(*b.v) || math.IsInf(*b.v, 0) || *b.v < 0) {
				return fmt.Errorf("%s: key %s.%s: %v is not a finite non-negative number", p.File, key, b.what, *b.v)
			}
		}
		if prm.Low == nil || prm.High == nil {
			return fmt.Errorf("%s: key %s: missing low or high: every parameter needs a plausible range (low = high = value for an exact one)", p.File, key)
		}
		if !(*prm.Low <= prm.Value && prm.Value <= *prm.High) {
			return fmt.Errorf("%s: key %s: value %v is outside its range [%v, %v]", p.File, key, prm.Value, *prm.Low, *prm.High)
		}
		values[name] = prm.Value
	}
	for _, spec := range model.ParamSpecs() {
		if _, ok := p.Params[spec.Name]; ok {
			continue
		}
		if !spec.HasDefault {
			return fmt.Errorf("%s: missing key params.%s (%s, in %s)", p.File, spec.Name, spec.Doc, spec.Unit)
		}
		// A parameter added to the model after the profile was written
		// keeps the behaviour the model had without it.
		d := spec.Default
		if p.Params == nil {
			p.Params = map[string]Param{}
		}
		p.Params[spec.Name] = Param{Value: d, Unit: spec.Unit, Low: &d, High: &d, Defaulted: true,
			Source: "model default, not set by this profile: keeps the behaviour the model had before " + spec.Name + " existed"}
		values[spec.Name] = d
	}
	mp, err := model.ParamsFromMap(values)
	if err != nil {
		return fmt.Errorf("%s: %w", p.File, err)
	}
	for _, name := range sortedKeys(p.Params) {
		c, err := p.Params[name].ModelCurve()
		if err != nil {
			return fmt.Errorf("%s: key params.%s.curve: %w", p.File, name, err)
		}
		if c == nil {
			continue
		}
		if err := mp.SetCurve(name, c); err != nil {
			return fmt.Errorf("%s: key params.%s.curve: %w", p.File, name, err)
		}
	}
	p.params = mp
	return nil
}

// ModelCurve returns the parameter's curve as the model takes it, or nil
// when it is a single value.
func (prm Param) ModelCurve() (*model.Curve, error) {
	if len(prm.Curve) == 0 {
		if prm.CurveSource != "" {
			return nil, fmt.Errorf("curve_source without a curve")
		}
		return nil, nil
	}
	c := &model.Curve{Ref: prm.Value, Source: prm.CurveSource}
	if c.Source == "" {
		c.Source = prm.Source
	}
	for i, pt := range prm.Curve {
		if len(pt) != 2 {
			return nil, fmt.Errorf("point %d has %d numbers, want two: [pages, ns_per_page]", i+1, len(pt))
		}
		c.Pages = append(c.Pages, pt[0])
		c.NsPerPage = append(c.NsPerPage, pt[1])
	}
	return c, c.Check()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Override sets one parameter, as --set does. The parameter's source
// becomes "override".
func (p *Profile) Override(param, value string) error {
	if _, ok := model.LookupParam(param); !ok {
		return fmt.Errorf("--set %s.%s: unknown parameter %q", p.Name, param, param)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return fmt.Errorf("--set %s.%s=%s: not a number", p.Name, param, value)
	}
	if err := p.params.Set(param, v); err != nil {
		return fmt.Errorf("--set %s.%s: %w", p.Name, param, err)
	}
	prm := p.Params[param]
	prm.Value, prm.Source, prm.Estimate = v, fmt.Sprintf("override (--set %s.%s=%s)", p.Name, param, value), false
	prm.Low, prm.High = nil, nil
	p.Params[param] = prm
	if p.Overrides == nil {
		p.Overrides = map[string]float64{}
	}
	p.Overrides[param] = v
	return nil
}

// Clone returns a deep copy, so that overrides on it leave p alone.
func (p *Profile) Clone() *Profile {
	q := *p
	q.Params = make(map[string]Param, len(p.Params))
	for k, v := range p.Params {
		q.Params[k] = v
	}
	if p.Overrides != nil {
		q.Overrides = make(map[string]float64, len(p.Overrides))
		for k, v := range p.Overrides {
			q.Overrides[k] = v
		}
	}
	return &q
}

// EstimatedParams returns the names of the parameters marked as estimates.
func (p *Profile) EstimatedParams() []string {
	var names []string
	for _, k := range sortedKeys(p.Params) {
		if p.Params[k].Estimate {
			names = append(names, k)
		}
	}
	return names
}

// Builtin returns every built-in profile, sorted by name.
func Builtin() ([]*Profile, error) {
	entries, err := fs.Glob(builtin, "profiles/*.toml")
	if err != nil {
		return nil, err
	}
	var out []*Profile
	for _, e := range entries {
		data, err := builtin.ReadFile(e)
		if err != nil {
			return nil, err
		}
		p, err := Parse("builtin:"+path.Base(e), data)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Lookup returns a fresh copy of the built-in profile called name, or, for
// HostName, this host's last calibration (see HostProfilePath).
func Lookup(name string) (*Profile, error) {
	if name == HostName {
		return LoadHost()
	}
	all, err := Builtin()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range all {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return nil, fmt.Errorf("unknown machine %q (built-in: %s; %s, this host's last 'analyze calibrate'; or load your own with --machine-file)", name, strings.Join(names, ", "), HostName)
}
