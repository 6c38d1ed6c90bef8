package calibrate

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// tinyELF returns a complete static ELF executable for this architecture
// that does nothing but exit(0): one PT_LOAD segment and three
// instructions, a little over 128 bytes. It is the "tiny static program"
// every exec benchmark runs, so that exec costs the kernel's work and not a
// C library's start-up. It needs no compiler at run time.
func tinyELF(goarch string) ([]byte, error) {
	var machine uint16
	var code []byte
	switch goarch {
	case "amd64":
		machine = 62 // EM_X86_64
		code = []byte{
			0xb8, 0x3c, 0x00, 0x00, 0x00, // mov eax, 60 (exit)
			0x31, 0xff, // xor edi, edi
			0x0f, 0x05, // syscall
		}
	case "arm64":
		machine = 183                                             // EM_AARCH64
		code = binary.LittleEndian.AppendUint32(nil, 0xd2800ba8)  // movz x8, #93 (exit)
		code = binary.LittleEndian.AppendUint32(code, 0xd2800000) // movz x0, #0
		code = binary.LittleEndian.AppendUint32(code, 0xd4000001) // svc #0
	default:
		return nil, fmt.Errorf("no built-in exec target for %s", goarch)
	}
	const base = 0x400000
	const ehsize, phsize = 64, 56
	entry := uint64(base + ehsize + phsize)
	total := uint64(ehsize + phsize + len(code))
	le := binary.LittleEndian
	b := make([]byte, 0, total)
	// ELF header.
	b = append(b, 0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* little endian */, 1 /* version */, 0 /* SysV */)
	b = append(b, make([]byte, 8)...)
	b = le.AppendUint16(b, 2) // ET_EXEC
	b = le.AppendUint16(b, machine)
	b = le.AppendUint32(b, 1)
	b = le.AppendUint64(b, entry)
	b = le.AppendUint64(b, ehsize) // e_phoff
	b = le.AppendUint64(b, 0)      // e_shoff
	b = le.AppendUint32(b, 0)      // e_flags
	b = le.AppendUint16(b, ehsize)
	b = le.AppendUint16(b, phsize)
	b = le.AppendUint16(b, 1) // e_phnum
	b = le.AppendUint16(b, 64)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint16(b, 0)
	// Program header: one loadable, readable, executable segment.
	b = le.AppendUint32(b, 1)    // PT_LOAD
	b = le.AppendUint32(b, 5)    // PF_R|PF_X
	b = le.AppendUint64(b, 0)    // p_offset
	b = le.AppendUint64(b, base) // p_vaddr
	b = le.AppendUint64(b, base) // p_paddr
	b = le.AppendUint64(b, total)
	b = le.AppendUint64(b, total)
	b = le.AppendUint64(b, 0x1000)
	return append(b, code...), nil
}

// writeTarget writes the exec target into a fresh directory and checks that
// it runs (a temporary directory may be mounted noexec). The caller removes
// the directory.
func writeTarget() (dir, path string, err error) {
	elf, err := tinyELF(runtime.GOARCH)
	if err != nil {
		return "", "", err
	}
	var tried []string
	cands := []string{os.TempDir()}
	if c, err := os.UserCacheDir(); err == nil {
		cands = append(cands, filepath.Join(c, "forkcost"))
	}
	for _, parent := range cands {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			tried = append(tried, err.Error())
			continue
		}
		d, err := os.MkdirTemp(parent, "forkcost-calibrate-")
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		p := filepath.Join(d, "true")
		if err := os.WriteFile(p, elf, 0o755); err != nil {
			os.RemoveAll(d)
			tried = append(tried, err.Error())
			continue
		}
		if err := exec.Command(p).Run(); err != nil {
			os.RemoveAll(d)
			tried = append(tried, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		return d, p, nil
	}
	return "", "", fmt.Errorf("cannot write and run the exec target: %v", tried)
}
