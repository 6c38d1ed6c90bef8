package model

// Sequence is a sum of steps that can be compared with a measurement.
type Sequence int

const (
	// ForkOnly is the creation call alone: the create phase.
	ForkOnly Sequence = iota
	// ForkExit is create, the child exiting at once (teardown without
	// loading an image), and the parent resuming: lmbench's "fork+exit".
	ForkExit
	// ForkExecWait is the seed's whole list, from the creation call
	// through the child's exec to the parent running on: lmbench's
	// "fork+execve" plus the parent's later faults.
	ForkExecWait
)

// Includes reports whether step st counts in sequence q.
func (q Sequence) Includes(st *Step) bool {
	switch q {
	case ForkOnly:
		return st.Phase == Create
	case ForkExit:
		return !st.ExecOnly && st.Phase != ParentAfter
	default:
		return true
	}
}

// Result holds one creation's cost under every strategy on one machine.
type Result struct {
	// Steps[i][j] is the cost in nanoseconds of step j of strategy i (in the
	// order of Strategies()), sized by NewResult.
	Steps [][]float64
	// Total[i] is the sum of Steps[i].
	Total []float64
	// Sizes is the creation in the machine's units. It lives here, not on
	// Evaluate's stack, because step costs are called through function
	// values and a pointer to a local would escape: one allocation per
	// creation and machine.
	Sizes Sizes
}

// NewResult returns a Result sized for the strategies.
func NewResult() *Result {
	r := &Result{Steps: make([][]float64, len(strategies)), Total: make([]float64, len(strategies))}
	for i, s := range strategies {
		r.Steps[i] = make([]float64, len(s.Steps))
	}
	return r
}

// Evaluate costs one creation under every strategy. It allocates nothing.
func Evaluate(p *Params, in *Input, r *Result) {
	r.Sizes = SizesFor(p, in)
	z := &r.Sizes
	for i := range strategies {
		steps := strategies[i].Steps
		var total float64
		for j := range steps {
			c := steps[j].Cost(p, z)
			r.Steps[i][j] = c
			total += c
		}
		r.Total[i] = total
	}
}

// SequenceCost returns the cost of strategy s for one creation, summed over
// the steps in sequence q.
func SequenceCost(p *Params, in *Input, s *Strategy, q Sequence) float64 {
	z := SizesFor(p, in)
	var total float64
	for j := range s.Steps {
		if q.Includes(&s.Steps[j]) {
			total += s.Steps[j].Cost(p, &z)
		}
	}
	return total
}
