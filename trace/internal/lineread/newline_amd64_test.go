package lineread

import "golang.org/x/sys/cpu"

// widths are the ways findNewlines can run here: with bytes.IndexByte
// alone, and thirty-two bytes at a time where the machine has AVX2.
var widths = []bool{false, cpu.X86.HasAVX2}

func setWide(on bool) { useAVX2 = on && cpu.X86.HasAVX2 }
