package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/forkcost/forkcost/internal/version"
	"github.com/forkcost/forkcost/machines"
	"github.com/forkcost/forkcost/model"
	"github.com/forkcost/forkcost/replay"
	"github.com/forkcost/forkcost/trace"
)

// ExplainStep is one step's cost for one hypothetical creation.
type ExplainStep struct {
	Step  string  `json:"step"`
	Phase string  `json:"phase"`
	US    float64 `json:"us"`
	Seed  string  `json:"seed"`
}

// ExplainStrategy is one strategy's steps and total (the whole sequence of
// the seed's list, from the creation call to the parent running again).
type ExplainStrategy struct {
	TotalUS float64       `json:"total_us"`
	Steps   []ExplainStep `json:"steps"`
}

// Explanation is the output of analyze explain.
type Explanation struct {
	Machine      string             `json:"machine"`
	Tool         string             `json:"tool"`
	ModelVersion string             `json:"model_version"`
	Profile      map[string]string  `json:"profile"`
	Overrides    map[string]float64 `json:"overrides,omitempty"`
	Snapshot     map[string]int64   `json:"snapshot"`
	Defaulted    []string           `json:"defaulted"`
	// Creation, for a recorded creation, says which: trace, row, kind,
	// comm, pids, time, where its sizes came from and the eligibility
	// verdict on it.
	Creation   map[string]any             `json:"creation,omitempty"`
	Strategies map[string]ExplainStrategy `json:"strategies"`
	order      []string
}

// Explain costs one hypothetical creation on one machine. defaulted names
// the snapshot fields the user did not set.
func Explain(prof *machines.Profile, snap trace.Snapshot, defaulted []string) *Explanation {
	e := &Explanation{Machine: prof.Name, Tool: "forkcost " + version.Tool, ModelVersion: version.Model,
		Profile:   map[string]string{"file": prof.File, "hash": prof.Hash},
		Overrides: prof.Overrides, Defaulted: defaulted, Strategies: map[string]ExplainStrategy{},
		Snapshot: map[string]int64{
			"virt_bytes": snap.VirtBytes, "writable_bytes": snap.WritableBytes, "resident_bytes": snap.ResidentBytes,
			"writable_resident_bytes": snap.WritableResidentBytes, "anon_resident_bytes": snap.AnonResidentBytes,
			"huge_resident_bytes": snap.HugeResidentBytes, "page_table_bytes": snap.PageTableBytes,
			"map_entries": snap.MapEntries, "parent_threads": int64(snap.ParentThreads), "page_size": int64(snap.PageSize),
		}}
	r := model.NewResult()
	model.Evaluate(prof.ModelParams(), &model.Input{Snapshot: replay.ModelSnapshot(&snap)}, r)
	for i, st := range model.Strategies() {
		es := ExplainStrategy{TotalUS: r.Total[i] / 1e3}
		for j, step := range st.Steps {
			es.Steps = append(es.Steps, ExplainStep{Step: step.Name, Phase: string(step.Phase), US: r.Steps[i][j] / 1e3, Seed: step.Seed})
		}
		e.Strategies[st.Name] = es
		e.order = append(e.order, st.Name)
	}
	return e
}

func init() {
	register(func(e *Explanation) view {
		return view{
			tables: func(o Options) []*Table { return []*Table{ExplainTable(e, o.Wide)} },
			write: map[Format]func(io.Writer, Options) error{
				Text: func(w io.Writer, _ Options) error { return explainText(w, e) },
			},
		}
	})
}

// explainText writes one table per strategy.
func explainText(w io.Writer, e *Explanation) error {
	fmt.Fprintf(w, "machine %s (profile %s sha256:%s)", e.Machine, e.Profile["file"], e.Profile["hash"])
	if len(e.Overrides) > 0 {
		fmt.Fprintf(w, ", overrides %s", overrides(e.Overrides))
	}
	fmt.Fprintf(w, "\nparent: %s resident, %s writable resident, %s anonymous resident, %d map entries, %d-byte pages\n",
		mib(e.Snapshot["resident_bytes"]), mib(e.Snapshot["writable_resident_bytes"]), mib(e.Snapshot["anon_resident_bytes"]),
		e.Snapshot["map_entries"], e.Snapshot["page_size"])
	if c := e.Creation; c != nil {
		fmt.Fprintf(w, "recorded creation: %s row %v, %s by %s (pid %v) making pid %v at %s; sizes %v\n",
			c["trace"], c["row"], c["kind"], c["comm"], c["pid"], c["child_pid"], Seconds(float64(c["time_ns"].(int64))/1e9), c["snapshot_source"])
		if el, ok := c["eligible"].(bool); ok {
			if el {
				fmt.Fprintf(w, "eligible for vfork (%s): replay costs it as below\n", c["eligibility"])
			} else {
				fmt.Fprintf(w, "not eligible for vfork (%s): replay leaves it out; the costs below are what it would have been\n", c["eligibility"])
			}
		}
		if pw, ok := c["parent_writes"].(string); ok {
			fmt.Fprintf(w, "parent's writes after the fork: %s\n", pw)
		}
		if c["kind"] != "fork" {
			fmt.Fprintf(w, "it really was a %s: the fork strategies below are the what-if\n", c["kind"])
		}
	}
	if len(e.Defaulted) > 0 {
		fmt.Fprintf(w, "defaults used for: %s\n", strings.Join(e.Defaulted, ", "))
	}
	for _, name := range e.order {
		st := e.Strategies[name]
		fmt.Fprintf(w, "\n%s: %s total\n", name, Seconds(st.TotalUS/1e6))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range st.Steps {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Phase, s.Step, Seconds(s.US/1e6), s.Seed)
		}
		tw.Flush()
	}
	cow, vf := e.Strategies[model.ForkCOW].TotalUS, e.Strategies[model.VForkShare].TotalUS
	fmt.Fprintf(w, "\nvfork-share saves %s over fork-cow for this creation\n", Seconds((cow-vf)/1e6))
	return nil
}

func mib(b int64) string {
	return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20))
}

// ExplainTable is one creation's cost, step by step, as a table: a row per
// step (in the order the strategies list them) and a column per strategy.
// One column wide it shows fork-cow and vfork-share, the two the seed
// compares; wide, every strategy.
func ExplainTable(e *Explanation, wide bool) *Table {
	names := []string{model.ForkCOW, model.VForkShare}
	if wide {
		names = e.order
	}
	t := &Table{Label: "tab:forkcost-explain-" + e.Machine, Wide: wide,
		Provenance: []string{fmt.Sprintf("%s, model %s", e.Tool, e.ModelVersion), fmt.Sprintf("machine %s: profile %s sha256:%s", e.Machine, e.Profile["file"], e.Profile["hash"])}}
	if len(e.Overrides) > 0 {
		t.Provenance = append(t.Provenance, "overrides "+overrides(e.Overrides))
	}
	var steps []string
	seen := map[string]bool{}
	for _, n := range names {
		for _, s := range e.Strategies[n].Steps {
			if !seen[s.Step] {
				seen[s.Step] = true
				steps = append(steps, s.Step)
			}
		}
	}
	t.Columns = []Column{{Head: "step"}}
	cols := make([][]float64, len(names))
	for k, n := range names {
		us := map[string]float64{}
		for _, s := range e.Strategies[n].Steps {
			us[s.Step] += s.US
		}
		for _, step := range steps {
			cols[k] = append(cols[k], us[step]/1e6)
		}
		cols[k] = append(cols[k], e.Strategies[n].TotalUS/1e6)
	}
	// One unit for the whole table, microseconds as in the text form, so
	// that columns compare at a glance.
	unit := "us"
	var cells []string
	for _, c := range cols {
		for _, v := range c {
			cells = append(cells, strconv.FormatFloat(v*1e6, 'f', 1, 64))
		}
	}
	for _, n := range names {
		t.Columns = append(t.Columns, Column{Head: n, Unit: unit, Num: true})
	}
	for i, step := range append(steps, "total") {
		row := []string{step}
		for k := range names {
			row = append(row, cells[k*(len(steps)+1)+i])
		}
		t.Rows = append(t.Rows, row)
	}
	s := e.Snapshot
	what := "one process creation"
	if c := e.Creation; c != nil {
		what = fmt.Sprintf("a recorded %s by %s", c["kind"], c["comm"])
		t.Provenance = append(t.Provenance, fmt.Sprintf("trace %s row %v", c["trace"], c["row"]))
	}
	t.Caption = fmt.Sprintf("The cost of %s on %s, step by step, for a parent with %s resident (%s writable), %d map entries and %d-byte pages.",
		what, e.Machine, mib(s["resident_bytes"]), mib(s["writable_resident_bytes"]), s["map_entries"], s["page_size"])
	return t
}
