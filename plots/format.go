package plots

import (
	"math"
	"strconv"
)

// ftoa writes a CSV number: whole numbers (bytes, counts) in full, others
// in the shortest form that reads back exactly.
func ftoa(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 0, 64) + "%" }

func strconvF(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
