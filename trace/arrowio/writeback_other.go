//go:build !linux

package arrowio

import (
	"errors"
	"os"
)

// startWriteback is sync_file_range's hint, which only Linux has.
func startWriteback(*os.File, int64, int64) error { return errors.ErrUnsupported }
