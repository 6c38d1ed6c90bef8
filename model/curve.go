package model

import (
	"fmt"
	"math"
)

// Curve is a per-page cost that depends on how many pages there are: on a
// real host the cost of one more PTE copied at fork is not the same at
// 1 MiB as at 1 GiB (caches, page-table pages, the hypervisor's nested
// tables). Like calibrated communication models that tabulate cost against
// message size (PLogP), the curve is a table: point i says that every page
// from Pages[i] up to the next point costs NsPerPage[i]. The first cost
// holds from zero pages, the last beyond the last point, so the total for n
// pages is piecewise linear in n, with a kink at each point. A curve with
// one cost everywhere is a straight line: the single value it replaces.
//
// A curve belongs to a parameter whose unit is ns/page; the pages are what
// that parameter multiplies (PTEs for pte_copy_ns, page-table pages for
// pt_page_alloc_ns). It scales with the parameter's value: a profile states
// the curve beside a value (Ref), and a changed value (--set, a Monte Carlo
// draw) multiplies the whole curve by value / Ref.
type Curve struct {
	Pages     []float64 `json:"pages"`
	NsPerPage []float64 `json:"ns_per_page"`
	// Ref is the parameter value the curve was stated with.
	Ref float64 `json:"ref"`
	// Source says where the points come from.
	Source string `json:"source"`
}

// Check reports whether c is a usable curve.
func (c *Curve) Check() error {
	if len(c.Pages) != len(c.NsPerPage) {
		return fmt.Errorf("curve: %d page counts but %d costs", len(c.Pages), len(c.NsPerPage))
	}
	if len(c.Pages) < 2 {
		return fmt.Errorf("curve: want at least two points [pages, ns_per_page], have %d", len(c.Pages))
	}
	for i := range c.Pages {
		for _, v := range []float64{c.Pages[i], c.NsPerPage[i]} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return fmt.Errorf("curve: point %d [%v, %v]: want finite, non-negative numbers", i+1, c.Pages[i], c.NsPerPage[i])
			}
		}
		if i > 0 && c.Pages[i] <= c.Pages[i-1] {
			return fmt.Errorf("curve: point %d: pages %v not above the previous point's %v", i+1, c.Pages[i], c.Pages[i-1])
		}
	}
	if !(c.Ref > 0) || math.IsInf(c.Ref, 0) {
		return fmt.Errorf("curve: the parameter's value %v must be positive for a curve to scale with it", c.Ref)
	}
	return nil
}

// Total is the cost of n pages on the curve as stated (before scaling).
func (c *Curve) Total(n float64) float64 {
	var t float64
	for i := range c.Pages {
		lo := c.Pages[i]
		if i == 0 {
			lo = 0
		}
		if n <= lo {
			break
		}
		hi := n
		if i+1 < len(c.Pages) {
			hi = math.Min(n, c.Pages[i+1])
		}
		t += (hi - lo) * c.NsPerPage[i]
	}
	return t
}

// Straight reports whether every point has the same cost: a straight line.
func (c *Curve) Straight() bool {
	for _, v := range c.NsPerPage[1:] {
		if v != c.NsPerPage[0] {
			return false
		}
	}
	return true
}

// curveSlots numbers the parameters that may have a curve: those priced
// per page.
var curveSlots = func() map[string]int {
	m := map[string]int{}
	for _, s := range paramSpecs {
		if s.Unit == "ns/page" {
			m[s.Name] = len(m)
		}
	}
	if len(m) > maxCurves {
		panic("model: more per-page parameters than curve slots")
	}
	return m
}()

const maxCurves = 8

func slot(name string) int {
	i, ok := curveSlots[name]
	if !ok {
		panic("model: " + name + " is not priced per page")
	}
	return i
}

var (
	slotPTEProtect  = slot("pte_protect_ns")
	slotPTECopy     = slot("pte_copy_ns")
	slotPTEZap      = slot("pte_zap_ns")
	slotPTPageAlloc = slot("pt_page_alloc_ns")
	slotPageCopy    = slot("page_copy_ns")
	slotPageFree    = slot("page_free_ns")
	slotPTPageFree  = slot("pt_page_free_ns")
)

// CanCurve reports whether the parameter called name may be a curve.
func CanCurve(name string) bool { _, ok := curveSlots[name]; return ok }

// SetCurve makes the parameter called name a curve (nil: a single value
// again). The curve is shared, not copied: it must not change afterwards.
func (p *Params) SetCurve(name string, c *Curve) error {
	i, ok := curveSlots[name]
	if !ok {
		return fmt.Errorf("%s: only a parameter priced in ns/page may be a curve", name)
	}
	if c != nil {
		if err := c.Check(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	p.curves[i] = c
	return nil
}

// Curve returns the curve of the parameter called name, or nil.
func (p *Params) Curve(name string) *Curve {
	if i, ok := curveSlots[name]; ok {
		return p.curves[i]
	}
	return nil
}

// perPage is the cost of n pages of the per-page parameter in slot k, whose
// value is v: n times v, or the curve scaled by v over its reference.
func (p *Params) perPage(k int, v, n float64) float64 {
	if c := p.curves[k]; c != nil {
		return c.Total(n) * v / c.Ref
	}
	return n * v
}
