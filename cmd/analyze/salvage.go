package main

import (
	"fmt"

	"github.com/forkcost/forkcost/trace/arrowio"
)

// salvage recovers the rows of a trace file that was never finished (the
// temporary file of a killed 'analyze record') into out, marked
// incomplete (convert --salvage).
func salvage(e *env, src, out string, quiet bool) error {
	st, err := arrowio.Salvage(src, out)
	if err != nil {
		return fmt.Errorf("salvaging %s: %w", src, err)
	}
	if !quiet {
		fmt.Fprintf(e.stderr, "wrote %s: %s salvaged from %s (%s)\n", out, plural(st.Rows, "row"), src, st.Stopped)
	}
	return nil
}
