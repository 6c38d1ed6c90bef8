package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// Point XDG_CONFIG_HOME at a directory that does not exist, so that a
// developer's own calibration (~/.config/forkcost/host.toml) never shows
// up in what the tests see; tests that want one set their own.
func init() {
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(os.TempDir(), fmt.Sprintf("forkcost-test-no-config-%d", os.Getpid())))
}
