package calibrate

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/forkcost/forkcost/model"
)

// ProfileName is the name of a calibrated profile: --machine host.
const ProfileName = "host"

// fmtNum prints v with 4 significant digits, as TOML accepts it.
func fmtNum(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 && math.Abs(v) >= 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64) // whole numbers (sizes) exactly
	}
	d := 3 - int(math.Floor(math.Log10(math.Abs(v))))
	scale := math.Pow(10, float64(d))
	r := math.Round(v*scale) / scale
	s := strconv.FormatFloat(r, 'f', max(d, 0), 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func quote(s string) string { return strconv.Quote(s) }

// Profile renders the fit as a machine profile (TOML), in the form of the
// built-in ones: every measured parameter's source says where and when it
// was measured and how, with its bootstrap interval as low and high; the
// others keep the base profile's value and source and say why they were not
// measured. The fit's residuals follow as comments.
func (f *Fit) Profile(m *Measurements) []byte {
	var b bytes.Buffer
	date := m.Date.UTC().Format(time.RFC3339)
	host := m.Host
	if host == "" {
		host = "this host"
	}
	fmt.Fprintf(&b, "# Calibrated by 'analyze calibrate' on %s at %s.\n", host, date)
	fmt.Fprintf(&b, "# CPU: %s; Linux %s; transparent huge pages: %s.\n", orNone(m.CPU), orNone(m.Kernel), orNone(m.THP))
	fmt.Fprintf(&b, "# Fitted on buffer sizes %v MiB (every page written)%s; parameters that\n# the measurements do not identify keep the values of the base profile %q.\n", f.Train, quickNote(m), f.BaseName)
	clock := "CPU time (the parent's plus the child's)"
	if f.Clock == Wall {
		clock = "wall time"
	}
	fmt.Fprintf(&b, "# Fitted to each benchmark's median %s. Intervals (low, high) are the\n# central 95%% of %d bootstrap resamples.\n", clock, f.Bootstrap)
	for _, n := range f.Notes {
		fmt.Fprintf(&b, "# note: %s\n", n)
	}
	if f.CurveChoice != "" {
		fmt.Fprintf(&b, "# %s\n", f.CurveChoice)
	}
	fmt.Fprintf(&b, "name = %s\n", quote(ProfileName))
	fmt.Fprintf(&b, "description = %s\n", quote(fmt.Sprintf("calibrated on %s (%s, Linux %s) at %s", host, orNone(m.CPU), orNone(m.Kernel), date)))
	fmt.Fprintf(&b, "native = %s\n", quote(model.ForkCOWPTE))
	for _, spec := range model.ParamSpecs() {
		fmt.Fprintf(&b, "\n[params.%s]\n", spec.Name)
		if e, ok := f.Estimate(spec.Name); ok {
			fmt.Fprintf(&b, "value = %s\nunit = %s\n", fmtNum(e.Value), quote(spec.Unit))
			src := fmt.Sprintf("measured on %s by analyze calibrate at %s: %s", host, date, e.How)
			if e.High > e.Low {
				src += fmt.Sprintf("; bootstrap 95%% interval %s..%s", fmtNum(e.Low), fmtNum(e.High))
			}
			fmt.Fprintf(&b, "source = %s\n", quote(src))
			if e.High > e.Low {
				// Rounding must not push the value out of its range.
				val := fmtNum(e.Value)
				v, _ := strconv.ParseFloat(val, 64)
				lo, hi := fmtNum(e.Low), fmtNum(e.High)
				if l, _ := strconv.ParseFloat(lo, 64); l > v {
					lo = val
				}
				if h, _ := strconv.ParseFloat(hi, 64); h < v {
					hi = val
				}
				fmt.Fprintf(&b, "low = %s\nhigh = %s\n", lo, hi)
			} else {
				// Exact (the page size), or no bootstrap.
				fmt.Fprintf(&b, "low = %s\nhigh = %s\n", fmtNum(e.Value), fmtNum(e.Value))
			}
			if c := f.Params.Curve(spec.Name); c != nil {
				// Stated at the value as printed, so that rounding the
				// value does not rescale the curve.
				v, _ := strconv.ParseFloat(fmtNum(e.Value), 64)
				var pts []string
				for i := range c.Pages {
					pts = append(pts, fmt.Sprintf("[%s, %s]", strconv.FormatFloat(c.Pages[i], 'f', -1, 64), fmtNum(c.NsPerPage[i]*v/c.Ref)))
				}
				fmt.Fprintf(&b, "curve = [%s]\ncurve_source = %s\n", strings.Join(pts, ", "), quote(fmt.Sprintf("measured on %s by analyze calibrate at %s: %s", host, date, c.Source)))
			}
			continue
		}
		prm := f.Base.Params[spec.Name]
		why := NotIdentified[spec.Name]
		if why == "" {
			why = "not identified by these measurements"
		}
		fmt.Fprintf(&b, "value = %s\nunit = %s\n", strconv.FormatFloat(prm.Value, 'g', -1, 64), quote(spec.Unit))
		if prm.Estimate {
			fmt.Fprintf(&b, "estimate = true\n")
		}
		fmt.Fprintf(&b, "source = %s\n", quote(fmt.Sprintf("not measured (%s); kept from %s: %s", why, f.BaseName, prm.Source)))
		lo, hi := prm.Value, prm.Value
		if prm.Low != nil && prm.High != nil {
			lo, hi = *prm.Low, *prm.High
		}
		fmt.Fprintf(&b, "low = %s\nhigh = %s\n", strconv.FormatFloat(lo, 'g', -1, 64), strconv.FormatFloat(hi, 'g', -1, 64))
	}
	b.WriteString("\n# Residuals of the fit: each benchmark's median against the model's sum\n# for the matching sequence, (predicted - observed) / observed.\n")
	fmt.Fprintf(&b, "# %-8s %6s  %-24s %-14s %-15s %12s %12s %8s %7s\n", "series", "MiB", "check", "strategy", "sequence", "observed_us", "predicted_us", "rel_err", "spread")
	for _, r := range f.Residuals {
		fmt.Fprintf(&b, "# %-8s %6d  %-24s %-14s %-15s %12.1f %12.1f %+7.1f%% %6.0f%%\n", r.Kind, r.MiB, r.Check, r.Strategy, r.Sequence, r.Observed/1e3, r.Predicted/1e3, 100*r.RelErr, 100*r.Spread)
	}
	return b.Bytes()
}

func orNone(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func quickNote(m *Measurements) string {
	if m.Quick {
		return ", a --quick calibration"
	}
	return ""
}

// FormatValue prints a parameter value as the profile does: whole sizes
// exactly, everything else to four significant digits.
func FormatValue(v float64) string { return fmtNum(v) }
