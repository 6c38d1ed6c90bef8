package fuzzbound_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/forkcost/forkcost/internal/fuzzbound"
)

// TestRunFailsOnHang runs a body that never returns under a short bound in
// a child test process: the test must fail with the bound's message, soon.
func TestRunFailsOnHang(t *testing.T) {
	if os.Getenv("FUZZBOUND_CHILD") == "1" {
		fuzzbound.Run(t, func(t *testing.T) { select {} })
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunFailsOnHang$", "-test.v")
	cmd.Env = append(os.Environ(), "FUZZBOUND_CHILD=1", "FORKCOST_FUZZ_BOUND=100ms")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("a body that never returns passed:\n%s", out)
	}
	if !strings.Contains(string(out), "did not finish within 100ms") {
		t.Fatalf("the failure does not name the bound:\n%s", out)
	}
	if !strings.Contains(string(out), "fuzzbound_test.TestRunFailsOnHang.func1") {
		t.Fatalf("the failure does not show where the input was stuck:\n%s", out)
	}
	t.Logf("failed after %s, as it should", time.Since(start).Round(time.Millisecond))
}

// TestRunPassesPanicsOn checks that a panic in the body stays the input's
// crash, reported from the test's goroutine.
func TestRunPassesPanicsOn(t *testing.T) {
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want the body's panic", r)
		}
	}()
	fuzzbound.Run(t, func(t *testing.T) { panic("boom") })
	t.Fatal("Run returned after a panic")
}

func TestRunReturns(t *testing.T) {
	ran := false
	fuzzbound.Run(t, func(t *testing.T) { ran = true })
	if !ran {
		t.Fatal("the body did not run")
	}
}
