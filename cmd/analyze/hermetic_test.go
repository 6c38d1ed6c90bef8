package main

import (
	"os"
	"testing"
)

// TestMain points XDG_CONFIG_HOME at an empty directory, so that a
// developer's own calibration (~/.config/forkcost/host.toml) never shows up
// in what the tests see; tests that want one make it there.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "forkcost-config-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
