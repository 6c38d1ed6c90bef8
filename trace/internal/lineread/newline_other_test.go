//go:build !amd64

package lineread

var widths = []bool{false}

func setWide(bool) {}
