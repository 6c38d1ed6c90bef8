// Package model is forkcost's cost model of process creation.
//
// A strategy is an explicit, named list of steps. The two at the heart of it
// follow NetBSD's "Why implement traditional vfork()" step for step:
//
//	fork-cow     the 4.4BSD copy-on-write fork: syscall, proc-create,
//	             cow-mark (traverse the parent's vm_map, write-protect its
//	             writable resident PTEs), tlb-flush, vmspace-create,
//	             map-copy, pte-copy (zero: PTEs are not copied),
//	             block-parent, child-faults (the text page at the PC, and
//	             the child's stack writes), exec-load, teardown (unmap the
//	             address space just created), cow-unmark (traverse the
//	             parent's map again), unblock-parent, exit-wait, parent-faults
//	             (the parent's write faults on pages that were made read-only)
//	vfork-share  the 3.0BSD/NetBSD vfork: syscall, proc-create, vmspace-ref,
//	             block-parent, child-faults (none: the PTEs are valid),
//	             exec-load, teardown (drop the reference), unblock-parent,
//	             exit-wait, parent-faults (none)
//
// and three more give the context: fork-cow-pte (copy-on-write with the
// PTEs copied at fork, as Linux does; the machine parameter
// pte_copy_file_fraction says which mapping classes are exempt), fork-copy
// (the pre-COW fork that copies every private writable resident page) and
// spawn (posix_spawn).
//
// The seed's lists end at exec, but a measurement of fork+exec ends when the
// parent has reaped the child: exit-wait, common to every strategy, is the
// exec'd program's exit and the parent's wait, so that exec-load is the exec
// alone.
//
// Each step has a phase (create, child-before-exec, exec, parent-resume,
// exit-wait, parent-after), so that fork alone, fork+exit and fork+exec+wait are
// defined sums (Sequence) that can be set against measurements such as
// lmbench's. Each step's cost is a function of the creation's address-space
// snapshot, converted from bytes to pages of the machine's page size
// (SizesFor), and of the machine's Params. The parent's later write faults
// come from the trace when it has them (Input.ParentWriteBytes) and from the
// parameter parent_write_fraction otherwise.
//
// The model knows nothing of files, profiles or traces, and imports
// nothing else of forkcost: package machines loads Params with a source for
// each, and package replay streams traces through Evaluate, giving it each
// creation's Snapshot (replay.ModelSnapshot: the sizes the costs read).
//
// # Adding to the model
//
// A strategy: strategy.go alone — its name constant, a constructor
// returning its Steps (each with a phase and the seed line it mirrors),
// its StepRank (where its new step names go in StepNames), and its place
// in the strategies list, which is its index in Result and everywhere
// else (replay, report and plots size themselves from Strategies). Then
// its test here, and the goldens that print every strategy: go test
// ./report ./plots ./cmd/analyze -update, and docs/figures (see
// docs/figures.md). A fork strategy that the machines figure should set
// against vfork-share is also listed in plots.ForkStrategies, and new step
// names go into a group of plots.StepGroups (the breakdown figure's bar
// segments; a step in none is drawn as other).
//
// A machine parameter: a field of Params in params.go with its param,
// unit and doc tags (and a default tag that keeps older profiles' answers,
// or a [params.NAME] table in every machines/profiles/*.toml), and the
// step costs in strategy.go that use it; ParamSpecs, profiles, --set,
// sensitivity and calibrate's reports take it from the tags.
package model
