package machines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHostProfilePath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/x/cfg")
	if p, _ := HostProfilePath(); p != "/x/cfg/forkcost/host.toml" {
		t.Errorf("with XDG_CONFIG_HOME: %s", p)
	}
	t.Setenv("XDG_CONFIG_HOME", "relative/is/ignored")
	t.Setenv("HOME", "/home/u")
	if p, _ := HostProfilePath(); p != "/home/u/.config/forkcost/host.toml" {
		t.Errorf("without XDG_CONFIG_HOME: %s", p)
	}
}

func TestSelectHost(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	_, err := Select([]string{"host"}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "analyze calibrate") || !strings.Contains(err.Error(), filepath.Join(dir, "forkcost", "host.toml")) {
		t.Fatalf("no calibration: %v", err)
	}
	// A calibrated profile: zen4's text under the name host.
	text := strings.Replace(builtinText(t, "zen4"), `name = "zen4"`, `name = "host"`, 1)
	if err := os.MkdirAll(filepath.Join(dir, "forkcost"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "forkcost", "host.toml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ps, err := Select([]string{"ppro200", "host"}, nil, []string{"host.syscall_ns=99"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[1].Name != "host" || ps[1].ModelParams().SyscallNs != 99 {
		t.Errorf("got %v", namesOf(ps))
	}
	// A file that is not a host profile is refused.
	os.WriteFile(filepath.Join(dir, "forkcost", "host.toml"), []byte(builtinText(t, "zen4")), 0o644)
	if _, err := Lookup("host"); err == nil || !strings.Contains(err.Error(), `names itself "zen4"`) {
		t.Errorf("misnamed host profile: %v", err)
	}
}
