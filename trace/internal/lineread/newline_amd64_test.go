package lineread

import "golang.org/x/sys/cpu"

// widths are the ways findNewlines can run here: sixteen bytes at a time,
// and thirty-two where the machine has AVX2.
var widths = []bool{false, cpu.X86.HasAVX2}

func setWide(on bool) { useAVX2 = on && cpu.X86.HasAVX2 }
