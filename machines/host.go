package machines

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// HostName is the machine name of this host's last calibration:
// --machine host.
const HostName = "host"

// HostProfilePath is where 'analyze calibrate' writes this host's profile
// and where --machine host reads it: $XDG_CONFIG_HOME/forkcost/host.toml,
// or ~/.config/forkcost/host.toml when XDG_CONFIG_HOME is unset or not an
// absolute path (the XDG Base Directory rule).
func HostProfilePath() (string, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "forkcost", "host.toml"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the host profile: neither XDG_CONFIG_HOME nor HOME is set (%v)", err)
	}
	return filepath.Join(home, ".config", "forkcost", "host.toml"), nil
}

// LoadHost loads the last calibration of this host, or says how to make one.
func LoadHost() (*Profile, error) {
	path, err := HostProfilePath()
	if err != nil {
		return nil, err
	}
	p, err := LoadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("machine %q: this host has not been calibrated (no %s): run 'analyze calibrate' to measure it and write that file (about a minute; --quick for a rough one in seconds)", HostName, path)
	}
	if err != nil {
		return nil, fmt.Errorf("machine %q: %w", HostName, err)
	}
	if p.Name != HostName {
		return nil, fmt.Errorf("machine %q: %s names itself %q, want %q (write it with 'analyze calibrate')", HostName, path, p.Name, HostName)
	}
	return p, nil
}
