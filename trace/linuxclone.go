package trace

// Linux clone(2) flags that decide what a creation is. They are the same on
// every Linux architecture; defined here so that the strace converter and
// the recorders, which must classify alike, need no build-tagged package.
const (
	LinuxCloneVM     = 0x100
	LinuxCloneVFork  = 0x4000
	LinuxCloneParent = 0x8000
	LinuxCloneThread = 0x10000
)

// LinuxCall is the Linux system call that made a task.
type LinuxCall uint8

const (
	LinuxFork   LinuxCall = iota + 1 // fork(2)
	LinuxVFork                       // vfork(2)
	LinuxClone                       // clone(2)
	LinuxClone3                      // clone3(2)
)

// ClassifyLinux returns the kind of a Linux creation from its system call
// and clone flags (known is false when they could not be read), by
// forkcost's rule, the one rule of the strace converter and the recorders:
// vfork is VFork and fork is Fork; for clone and clone3, CLONE_THREAD is a
// Thread, CLONE_VM with CLONE_VFORK a Spawn (glibc posix_spawn, Go's
// os/exec), no CLONE_VM a Fork (a copy), any other flag set a Clone.
//
// Flags that could not be read make a Clone: the trace then says "some
// clone" (with clone_flags null) rather than guess that it copied the
// address space.
func ClassifyLinux(call LinuxCall, flags uint64, known bool) Kind {
	switch {
	case call == LinuxVFork:
		return VFork
	case call == LinuxFork:
		return Fork
	case !known:
		return Clone
	case flags&LinuxCloneThread != 0:
		return Thread
	case flags&(LinuxCloneVM|LinuxCloneVFork) == LinuxCloneVM|LinuxCloneVFork:
		return Spawn
	case flags&LinuxCloneVM == 0:
		return Fork
	}
	return Clone
}
