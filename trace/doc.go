// Package trace defines forkcost's process-creation trace: the data model
// shared by every source (synthetic workloads, the strace, kdump and truss
// converters, the ptrace and eBPF recorders) and every consumer. It holds
// the events, their kinds, the metadata, the invariants every true row
// keeps (Event.Check), vfork eligibility and the registry of text-log
// formats, and uses the standard library only, as pprof's profile package
// does: the Arrow IPC files that hold traces are read and written by
// trace/arrowio, Parquet by trace/parquetio.
//
// # Data model
//
// A trace is a table with one row per event, ordered by time. Every source
// produces the same columns, so that replay, dump and the plots never need
// to know where a trace came from. The columns are:
//
//	time_ns                  int64, not null. Nanoseconds since the trace's first
//	                         event. The absolute start is the schema metadata key
//	                         forkcost.start_unix_ns (empty when unknown).
//	pid                      int32, not null. The process the event belongs to. For
//	                         a creation row, the parent.
//	ppid                     int32. The parent of pid, when known.
//	kind                     dictionary<int32, utf8>, not null. One of the Kind
//	                         constants: fork, vfork, spawn, clone, thread, exec,
//	                         exec_failed, exit, signal, mmap, munmap, mremap,
//	                         mprotect, brk.
//	child_pid                int32. On creation rows (and thread rows) the new pid
//	                         or tid.
//	clone_flags              uint64. The creation's flags as the source recorded
//	                         them (Linux clone flags, BSD rfork flags); the OS whose
//	                         flags they are is the metadata key forkcost.source_os.
//	                         Null for calls that take no flags (fork, vfork).
//	comm                     utf8. The process's command name at
//	                         the time of the event (after an exec: the new name).
//	exec_path                utf8. On exec and exec_failed rows, the path executed.
//	argv                     list<utf8>. On exec rows, when the source recorded it.
//	exit_status              int32. On exit rows of a normal exit, the status.
//	signal                   int32. On exit rows, the signal that killed the
//	                         process; on signal rows, the signal delivered. The
//	                         number is the source OS's (forkcost.source_os):
//	                         SIGCHLD is 17 on Linux, 20 on the BSDs.
//	core_dumped              bool. On exit rows caused by a signal.
//
// On every process-creation row (kinds fork, vfork, spawn, clone) the parent's
// address space at the instant of the creation, in bytes:
//
//	virt_bytes               int64. All mapped address space.
//	writable_bytes           int64. Private writable mappings.
//	resident_bytes           int64. Resident set (RSS).
//	writable_resident_bytes  int64. Resident pages in private writable mappings:
//	                         what a copy-on-write fork must write-protect.
//	anon_resident_bytes      int64. Resident anonymous memory.
//	huge_resident_bytes      int64. Resident memory in huge pages.
//	page_table_bytes         int64. Size of the parent's page tables.
//	map_entries              int64. Number of mappings (vm_map entries).
//	parent_threads           int32. Threads in the parent.
//	page_size                int32. Base page size of the recording host.
//	snapshot_source          dictionary<int32, utf8>. How the sizes were obtained:
//	                         recorded, reconstructed, synthetic or estimated. A row
//	                         whose sizes are partly estimated says estimated.
//	child_exec_ns            int64. Time of the child's first successful exec, null
//	                         if it never exec'd (or the source could not tell).
//
// Added in schema 1.1 (all nullable; older files read them as null):
//
//	min_faults               int64. The process's cumulative minor page faults
//	                         (/proc/PID/stat minflt) at the event: on creation
//	                         rows the parent's at the instant of the creation,
//	                         on exec and exit rows the process's own (an exit
//	                         row's are its final counts, read once it has
//	                         exited). The
//	                         difference between a parent's creation row and
//	                         its next row with counters is the faults it took
//	                         after the creation, copy-on-write faults among
//	                         them. Null when the source has no counters.
//	maj_faults               int64. The same for major faults (majflt).
//	proc_gone                bool. True when the process had already gone
//	                         when the recorder read its /proc files for this
//	                         row (it was killed between the event and the
//	                         read): the row then lacks the snapshot, comm or
//	                         counters it would have had. Null otherwise.
//
// Added in schema 1.2 (all nullable; older files read them as null): the
// kernel's own cost of a creation or exec, measured where it happened by
// the eBPF recorder (null from every other source):
//
//	create_ns                int64. On creation rows, the kernel time of the
//	                         creating call in the parent, from the call's entry
//	                         until the child exists (sched_process_fork): the
//	                         copy of the address space, page tables and the rest
//	                         of the task. Null if the call's entry was not seen.
//	parent_blocked_ns        int64. On vfork and CLONE_VFORK creation rows, the
//	                         time the parent then stayed blocked: from the
//	                         child's creation until the parent's call returned
//	                         (the child exec'd or exited).
//	post_create_faults       int64. On creation rows, the minor faults the
//	                         creating thread took from the creation until its
//	                         next creation, its exec or its exit: the
//	                         copy-on-write faults this creation caused (most of
//	                         which come after the child has exec'd, since the
//	                         parent's pages stay write-protected until written)
//	                         and any other faults of that interval. Null when
//	                         the interval had not closed when the row had to be
//	                         written (the recorder's hold bound, or the end of
//	                         the recording).
//	exec_ns                  int64. On exec rows, the kernel time of the
//	                         successful exec, from the execve or execveat entry
//	                         to its return in the new program.
//
// The schema metadata carries forkcost.schema_version (major.minor). Later
// versions only add nullable columns and bump the minor version, so a reader
// accepts any file with the same major version and ignores columns it does not
// know. Other metadata keys are listed with Meta.
//
// # Eligibility
//
// A creation is eligible for vfork when the child's first actions are exec
// attempts (successful or not) or its exit, with no process creation and no
// memory system call before them; creations that already were vfork or spawn
// are eligible. Eligibility needs look-ahead in the trace; the Eligibility
// tracker decides it while streaming, holding state only for children whose
// first action has not been seen yet.
//
// Text logs of other tools (strace, kdump, truss) are not traces, but
// their converters register a TextFormat through trace/textconv (trace/strace,
// trace/kdump and trace/truss do so when linked in). arrowio.OpenAny opens
// a trace file like arrowio.Open and, for a file that is not a table but
// sniffs as a registered text format, converts it into a temporary Arrow
// file first, so that any command that reads traces also
// reads raw logs.
//
// # Adding a format
//
// A text log format is a package of its own under trace/ (like
// trace/strace, trace/kdump, trace/truss): a reader that turns lines into
// Events, and a file.go whose init registers a textconv.Format (its name
// for --from, a Score on a log's first lines that tells it from the other
// formats, and Convert); with it a fuzz target with seeds, a real log in
// its testdata with a golden trace, and a blank import in
// cmd/analyze/convert.go (which lists it in convert's help). A table
// format is a package like trace/parquetio that calls arrowio.RegisterFormat
// with its magic bytes, reader and writer, imported where it is used. A new
// column is Event, Check and this comment here, and arrowio's schema.go,
// columns.go and rows.go (its reading and writing).
package trace
