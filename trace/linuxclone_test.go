package trace

import "testing"

func TestClassifyLinux(t *testing.T) {
	for _, c := range []struct {
		call  LinuxCall
		flags uint64
		known bool
		want  Kind
	}{
		{LinuxVFork, 0, false, VFork},
		{LinuxFork, 0, false, Fork},
		{LinuxClone, 0x01000000 | 0x00200000 | 17, true, Fork}, // glibc fork: CHILD_SETTID|CHILD_CLEARTID|SIGCHLD
		{LinuxClone3, LinuxCloneVM | LinuxCloneVFork, true, Spawn},
		{LinuxClone, LinuxCloneVM | LinuxCloneVFork | 17, true, Spawn},
		{LinuxClone3, LinuxCloneVM | 0x200 | 0x400 | 0x800 | LinuxCloneThread | 0x40000, true, Thread},
		{LinuxClone, LinuxCloneVM | 17, true, Clone},
		{LinuxClone, LinuxCloneVFork, true, Fork}, // no CLONE_VM: a copy
		{LinuxClone3, 0, false, Clone},            // flags unreadable: not a guess
		{LinuxClone, 0, false, Clone},
	} {
		if got := ClassifyLinux(c.call, c.flags, c.known); got != c.want {
			t.Errorf("ClassifyLinux(%d, %#x, %v) = %s, want %s", c.call, c.flags, c.known, got, c.want)
		}
	}
}
