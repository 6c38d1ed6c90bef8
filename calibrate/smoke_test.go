package calibrate

import (
	"sort"
	"testing"
	"time"
)

func TestSmokeTmp(t *testing.T) {
	t0 := time.Now()
	m, err := Run(Config{Quick: true, Progress: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Series {
		t.Logf("%s %d %+v %v", s.Kind, s.MiB, s.Space, s.Notes)
		var ks []string
		for k := range s.Samples {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			v := append([]float64(nil), s.Samples[k]...)
			sort.Float64s(v)
			t.Logf("   %-25s n=%d med=%.0f", k, len(v), v[len(v)/2])
		}
	}
	for k, v := range m.Micro {
		sort.Float64s(v)
		t.Logf("micro %-20s med=%.2f min=%.2f max=%.2f", k, v[len(v)/2], v[0], v[len(v)-1])
	}
	t.Logf("%v notes %v thp %s", time.Since(t0), m.Notes, m.THP)
}
