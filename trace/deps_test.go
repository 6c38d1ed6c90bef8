package trace

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps the data model free of Arrow and every
// other module: what trace links, transitively, is the standard library
// and forkcost's own packages (which then are standard-library-only too,
// since go list -deps is transitive). The file formats live in
// trace/arrowio and trace/parquetio.
func TestStandardLibraryOnly(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the dependencies with")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps listed nothing, not even this package")
	}
	for _, p := range deps {
		if !strings.HasPrefix(p, "github.com/forkcost/forkcost/") {
			t.Errorf("package trace depends on %s, outside the standard library and forkcost", p)
		}
	}
}
