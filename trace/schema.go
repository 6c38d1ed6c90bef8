package trace

import (
	"fmt"
	"strings"
)

// SchemaVersion is the version written into every trace's metadata. Readers
// accept files with the same major version.
const SchemaVersion = "1.2"

// Kind is the kind of a trace event.
type Kind string

// Event kinds. Fork, VFork, Spawn and Clone are process creations.
const (
	Fork       Kind = "fork"        // fork, or clone/clone3 without CLONE_VM
	VFork      Kind = "vfork"       // the vfork system call
	Spawn      Kind = "spawn"       // clone/clone3 with CLONE_VM|CLONE_VFORK, posix_spawn
	Clone      Kind = "clone"       // other process-creating flag sets
	Thread     Kind = "thread"      // a new thread: not a process creation
	Exec       Kind = "exec"        // successful execve
	ExecFailed Kind = "exec_failed" // failed execve (e.g. during a PATH search)
	Exit       Kind = "exit"        // process exit, including death by signal
	Signal     Kind = "signal"      // signal delivered
	Mmap       Kind = "mmap"
	Munmap     Kind = "munmap"
	Mremap     Kind = "mremap"
	Mprotect   Kind = "mprotect"
	Brk        Kind = "brk"
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{Fork, VFork, Spawn, Clone, Thread, Exec, ExecFailed, Exit, Signal, Mmap, Munmap, Mremap, Mprotect, Brk}

// Index returns k's index in Kinds (its code in the kind column's
// dictionary), or -1. A switch, because writers and Check ask for every row.
func (k Kind) Index() int {
	switch k {
	case Fork:
		return 0
	case VFork:
		return 1
	case Spawn:
		return 2
	case Clone:
		return 3
	case Thread:
		return 4
	case Exec:
		return 5
	case ExecFailed:
		return 6
	case Exit:
		return 7
	case Signal:
		return 8
	case Mmap:
		return 9
	case Munmap:
		return 10
	case Mremap:
		return 11
	case Mprotect:
		return 12
	case Brk:
		return 13
	}
	return -1
}

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown event kind %q (want one of %s)", s, kindList())
}

func kindList() string {
	var b strings.Builder
	for i, k := range Kinds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(k))
	}
	return b.String()
}

// IsCreation reports whether k creates a process.
func (k Kind) IsCreation() bool {
	return k == Fork || k == VFork || k == Spawn || k == Clone
}

// IsMemory reports whether k is a memory system call.
func (k Kind) IsMemory() bool {
	return k == Mmap || k == Munmap || k == Mremap || k == Mprotect || k == Brk
}

// SnapshotSource says how a creation row's address-space sizes were obtained.
type SnapshotSource string

const (
	Recorded      SnapshotSource = "recorded"      // read from /proc at the creation
	Reconstructed SnapshotSource = "reconstructed" // rebuilt from memory system calls
	Synthetic     SnapshotSource = "synthetic"     // made up by a synthetic workload
	Estimated     SnapshotSource = "estimated"     // partly estimated
)

// Snapshot is the parent's address space at the instant of a creation.
// Sizes are in bytes.
type Snapshot struct {
	VirtBytes             int64
	WritableBytes         int64
	ResidentBytes         int64
	WritableResidentBytes int64
	AnonResidentBytes     int64
	HugeResidentBytes     int64
	PageTableBytes        int64
	MapEntries            int64
	ParentThreads         int32
	PageSize              int32
	Source                SnapshotSource
}

// SizeCols are the int64 snapshot columns, in Snapshot field order.
var SizeCols = [8]string{ColVirtBytes, ColWritableBytes, ColResidentBytes, ColWritableResidentBytes,
	ColAnonResidentBytes, ColHugeResidentBytes, ColPageTableBytes, ColMapEntries}

// Sizes returns the int64 sizes in SizeCols order.
func (s *Snapshot) Sizes() [8]int64 {
	return [8]int64{s.VirtBytes, s.WritableBytes, s.ResidentBytes, s.WritableResidentBytes,
		s.AnonResidentBytes, s.HugeResidentBytes, s.PageTableBytes, s.MapEntries}
}

// SetSizes sets the int64 sizes from v, in SizeCols order.
func (s *Snapshot) SetSizes(v [8]int64) {
	s.VirtBytes, s.WritableBytes, s.ResidentBytes, s.WritableResidentBytes = v[0], v[1], v[2], v[3]
	s.AnonResidentBytes, s.HugeResidentBytes, s.PageTableBytes, s.MapEntries = v[4], v[5], v[6], v[7]
}

// Event is one row of a trace. Fields that the schema allows to be null use
// a zero value (PPID, ChildPID, Signal, strings) or a Has flag to say so.
type Event struct {
	TimeNs        int64
	PID           int32
	PPID          int32 // 0: unknown
	Kind          Kind
	ChildPID      int32 // 0: none
	CloneFlags    uint64
	HasCloneFlags bool
	Comm          string
	ExecPath      string
	Argv          []string // nil: not recorded
	ExitStatus    int32
	HasExitStatus bool
	Signal        int32 // 0: none
	CoreDumped    bool
	Snapshot      Snapshot
	HasSnapshot   bool
	ChildExecNs   int64
	HasChildExec  bool
	// MinFaults and MajFaults are the process's cumulative page-fault
	// counters (schema 1.1): on creation rows the parent's at the creation,
	// on exec and exit rows the process's own. HasFaults says they are set.
	MinFaults int64
	MajFaults int64
	HasFaults bool
	// ProcGone marks a row whose process had gone before its /proc files
	// could be read, so that the row lacks what /proc would have given
	// (schema 1.1).
	ProcGone bool
	// Measured costs (schema 1.2), from a recorder that times creations
	// in the kernel (the eBPF backend); each Has flag says it is set.
	// CreateNs, ParentBlockedNs and PostCreateFaults are on creation
	// rows, ExecNs on exec rows.
	CreateNs            int64
	HasCreateNs         bool
	ParentBlockedNs     int64
	HasParentBlockedNs  bool
	PostCreateFaults    int64
	HasPostCreateFaults bool
	ExecNs              int64
	HasExecNs           bool
}

// Column names, in schema order.
const (
	ColTimeNs                = "time_ns"
	ColPID                   = "pid"
	ColPPID                  = "ppid"
	ColKind                  = "kind"
	ColChildPID              = "child_pid"
	ColCloneFlags            = "clone_flags"
	ColComm                  = "comm"
	ColExecPath              = "exec_path"
	ColArgv                  = "argv"
	ColExitStatus            = "exit_status"
	ColSignal                = "signal"
	ColCoreDumped            = "core_dumped"
	ColVirtBytes             = "virt_bytes"
	ColWritableBytes         = "writable_bytes"
	ColResidentBytes         = "resident_bytes"
	ColWritableResidentBytes = "writable_resident_bytes"
	ColAnonResidentBytes     = "anon_resident_bytes"
	ColHugeResidentBytes     = "huge_resident_bytes"
	ColPageTableBytes        = "page_table_bytes"
	ColMapEntries            = "map_entries"
	ColParentThreads         = "parent_threads"
	ColPageSize              = "page_size"
	ColSnapshotSource        = "snapshot_source"
	ColChildExecNs           = "child_exec_ns"
	ColMinFaults             = "min_faults"
	ColMajFaults             = "maj_faults"
	ColProcGone              = "proc_gone"
	ColCreateNs              = "create_ns"
	ColParentBlockedNs       = "parent_blocked_ns"
	ColPostCreateFaults      = "post_create_faults"
	ColExecNs                = "exec_ns"
)

// Metadata keys.
const (
	MetaSchemaVersion = "forkcost.schema_version"
	MetaStartUnixNs   = "forkcost.start_unix_ns"
	MetaSource        = "forkcost.source"
	MetaSourceOS      = "forkcost.source_os"
	MetaOrigin        = "forkcost.origin"
	MetaTimeSynthetic = "forkcost.time_synthetic"
	MetaIncomplete    = "forkcost.incomplete"
	MetaTool          = "forkcost.tool"
)

// Meta is a trace's schema metadata.
type Meta struct {
	// StartUnixNs is the absolute time of time_ns == 0; 0 when unknown.
	StartUnixNs int64
	// Source names the producer: synth, strace, kdump, truss, record.
	Source string
	// SourceOS is the OS whose clone flags and pids the trace holds
	// (linux, netbsd, freebsd, openbsd, dragonfly) or "synthetic".
	SourceOS string
	// Origin describes where the trace came from: a command line, the input
	// files, a workload and seed.
	Origin string
	// TimeSynthetic is true when times were not measured (synthetic
	// workloads, logs without timestamps).
	TimeSynthetic bool
	// Incomplete, when not empty, says why the trace stops early (for
	// example, a recording interrupted by a signal).
	Incomplete string
	// Tool is the producing tool and version.
	Tool string
	// Version is the schema version read from a file; writers always
	// write SchemaVersion.
	Version string
	// Extra holds other metadata keys, written as they are.
	Extra map[string]string
}
