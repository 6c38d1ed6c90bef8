package arrowio

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/forkcost/forkcost/trace"
)

// intCol reads an integer column of any integer width, so that tables
// written by other tools (which may widen int32 to int64) still read.
type intCol struct {
	name  string
	arr   arrow.Array
	nulls bool // the batch has nulls in this column
	i64   []int64
	i32   []int32
	u64   []uint64
	u32   []uint32
}

func (c *intCol) bind(a arrow.Array) error {
	c.arr, c.i64, c.i32, c.u64, c.u32 = a, nil, nil, nil, nil
	c.nulls = a.NullN() > 0
	switch a := a.(type) {
	case *array.Int64:
		c.i64 = a.Int64Values()
	case *array.Int32:
		c.i32 = a.Int32Values()
	case *array.Uint64:
		c.u64 = a.Uint64Values()
	case *array.Uint32:
		c.u32 = a.Uint32Values()
	case *array.Null:
	default:
		return fmt.Errorf("column %s has type %s, want an integer", c.name, a.DataType())
	}
	return nil
}

func (c *intCol) get(i int) (int64, bool) {
	if c.arr == nil || (c.nulls && c.arr.IsNull(i)) {
		return 0, false
	}
	switch {
	case c.i64 != nil:
		return c.i64[i], true
	case c.i32 != nil:
		return int64(c.i32[i]), true
	case c.u64 != nil:
		return int64(c.u64[i]), true
	case c.u32 != nil:
		return int64(c.u32[i]), true
	}
	return 0, false
}

// strCol reads a dictionary-encoded or plain string column.
type strCol struct {
	name  string
	arr   arrow.Array
	dict  *array.Dictionary
	vals  []string // decoded dictionary values
	plain interface{ Value(int) string }
}

func (c *strCol) bind(a arrow.Array) error {
	c.arr, c.dict, c.vals, c.plain = a, nil, c.vals[:0], nil
	switch a := a.(type) {
	case *array.Dictionary:
		c.dict = a
		d, ok := a.Dictionary().(interface {
			Value(int) string
			Len() int
		})
		if !ok {
			return fmt.Errorf("column %s is a dictionary of %s, want strings", c.name, a.Dictionary().DataType())
		}
		for j := 0; j < d.Len(); j++ {
			c.vals = append(c.vals, d.Value(j))
		}
	case *array.String:
		c.plain = a
	case *array.LargeString:
		c.plain = a
	case *array.Null:
	default:
		return fmt.Errorf("column %s has type %s, want strings", c.name, a.DataType())
	}
	return nil
}

func (c *strCol) get(i int) string {
	if c.arr == nil || c.arr.IsNull(i) {
		return ""
	}
	if c.dict != nil {
		return c.vals[c.dict.GetValueIndex(i)]
	}
	if c.plain != nil {
		return c.plain.Value(i)
	}
	return ""
}

type readCols struct {
	idx                                                 map[string]int
	time, pid, ppid, child, flags, exitStatus, sig, thr intCol
	pgsize, childExec, minflt, majflt                   intCol
	createNs, blockedNs, postFaults, execNs             intCol
	sizes                                               [8]intCol
	kind, comm, source                                  strCol
	path                                                strCol
	argv                                                *array.List
	argvVals                                            interface{ Value(int) string }
	core, gone                                          *array.Boolean
	kindCache                                           []trace.Kind
}

// check finds the columns by name. Required columns must exist; optional
// ones may be missing (read as null), so that traces from a later minor
// version, or with columns dropped by another tool, still read.
func (c *readCols) check(s *arrow.Schema) error {
	c.idx = map[string]int{}
	for i, f := range s.Fields() {
		c.idx[f.Name] = i
	}
	for _, req := range []string{trace.ColTimeNs, trace.ColPID, trace.ColKind} {
		if _, ok := c.idx[req]; !ok {
			return fmt.Errorf("trace has no %s column", req)
		}
	}
	c.time.name, c.pid.name, c.ppid.name, c.child.name = trace.ColTimeNs, trace.ColPID, trace.ColPPID, trace.ColChildPID
	c.flags.name, c.exitStatus.name, c.sig.name, c.thr.name = trace.ColCloneFlags, trace.ColExitStatus, trace.ColSignal, trace.ColParentThreads
	c.pgsize.name, c.childExec.name = trace.ColPageSize, trace.ColChildExecNs
	c.minflt.name, c.majflt.name = trace.ColMinFaults, trace.ColMajFaults
	c.createNs.name, c.blockedNs.name, c.postFaults.name, c.execNs.name = trace.ColCreateNs, trace.ColParentBlockedNs, trace.ColPostCreateFaults, trace.ColExecNs
	for i := range c.sizes {
		c.sizes[i].name = trace.SizeCols[i]
	}
	c.kind.name, c.comm.name, c.source.name, c.path.name = trace.ColKind, trace.ColComm, trace.ColSnapshotSource, trace.ColExecPath
	return nil
}

func (c *readCols) column(rec arrow.RecordBatch, name string) arrow.Array {
	if i, ok := c.idx[name]; ok {
		return rec.Column(i)
	}
	return nil
}

func (c *readCols) bind(rec arrow.RecordBatch) error {
	ints := []*intCol{&c.time, &c.pid, &c.ppid, &c.child, &c.flags, &c.exitStatus, &c.sig, &c.thr, &c.pgsize, &c.childExec, &c.minflt, &c.majflt,
		&c.createNs, &c.blockedNs, &c.postFaults, &c.execNs}
	for i := range c.sizes {
		ints = append(ints, &c.sizes[i])
	}
	for _, ic := range ints {
		a := c.column(rec, ic.name)
		if a == nil {
			ic.arr = nil
			continue
		}
		if err := ic.bind(a); err != nil {
			return err
		}
	}
	for _, sc := range []*strCol{&c.kind, &c.comm, &c.source, &c.path} {
		a := c.column(rec, sc.name)
		if a == nil {
			sc.arr = nil
			continue
		}
		if err := sc.bind(a); err != nil {
			return err
		}
	}
	// Kinds are validated once per dictionary, not once per row.
	c.kindCache = c.kindCache[:0]
	if c.kind.dict != nil {
		for _, v := range c.kind.vals {
			k, err := trace.ParseKind(v)
			if err != nil {
				k = trace.Kind(v) // reported when a row uses it
			}
			c.kindCache = append(c.kindCache, k)
		}
	}
	c.argv, c.argvVals = nil, nil
	if a := c.column(rec, trace.ColArgv); a != nil {
		switch l := a.(type) {
		case *array.List:
			v, ok := l.ListValues().(interface{ Value(int) string })
			if !ok {
				return fmt.Errorf("column %s is a list of %s, want strings", trace.ColArgv, l.ListValues().DataType())
			}
			c.argv, c.argvVals = l, v
		case *array.Null:
		default:
			return fmt.Errorf("column %s has type %s, want list<utf8>", trace.ColArgv, a.DataType())
		}
	}
	for _, bc := range []struct {
		name string
		dst  **array.Boolean
	}{{trace.ColCoreDumped, &c.core}, {trace.ColProcGone, &c.gone}} {
		*bc.dst = nil
		if a := c.column(rec, bc.name); a != nil {
			switch b := a.(type) {
			case *array.Boolean:
				*bc.dst = b
			case *array.Null:
			default:
				return fmt.Errorf("column %s has type %s, want bool", bc.name, a.DataType())
			}
		}
	}
	return nil
}

func (c *readCols) decode(i int, ev *trace.Event) error {
	var ok bool
	if ev.TimeNs, ok = c.time.get(i); !ok {
		return fmt.Errorf("%s is null", trace.ColTimeNs)
	}
	pid, ok := c.pid.get(i)
	if !ok {
		return fmt.Errorf("%s is null", trace.ColPID)
	}
	ev.PID = int32(pid)
	ppid, _ := c.ppid.get(i)
	ev.PPID = int32(ppid)
	if c.kind.dict != nil {
		if c.kind.arr.IsNull(i) {
			return fmt.Errorf("%s is null", trace.ColKind)
		}
		ev.Kind = c.kindCache[c.kind.dict.GetValueIndex(i)]
		if ev.Kind.Index() < 0 {
			return fmt.Errorf("%s %q is unknown (want one of %s)", trace.ColKind, ev.Kind, strings.Join(kindStrings(), ", "))
		}
	} else {
		k, err := trace.ParseKind(c.kind.get(i))
		if err != nil {
			return err
		}
		ev.Kind = k
	}
	child, _ := c.child.get(i)
	ev.ChildPID = int32(child)
	flags, has := c.flags.get(i)
	ev.CloneFlags, ev.HasCloneFlags = uint64(flags), has
	ev.Comm = c.comm.get(i)
	ev.ExecPath = c.path.get(i)
	ev.Argv = ev.Argv[:0]
	if c.argv != nil && c.argv.IsValid(i) {
		start, end := c.argv.ValueOffsets(i)
		for j := start; j < end; j++ {
			ev.Argv = append(ev.Argv, c.argvVals.Value(int(j)))
		}
		if ev.Argv == nil {
			ev.Argv = []string{}
		}
	} else {
		ev.Argv = nil
	}
	st, has := c.exitStatus.get(i)
	ev.ExitStatus, ev.HasExitStatus = int32(st), has
	sig, _ := c.sig.get(i)
	ev.Signal = int32(sig)
	ev.CoreDumped = c.core != nil && c.core.IsValid(i) && c.core.Value(i)
	var sizes [8]int64
	ev.HasSnapshot = false
	for j := range c.sizes {
		v, has := c.sizes[j].get(i)
		sizes[j] = v
		ev.HasSnapshot = ev.HasSnapshot || has
	}
	ev.Snapshot.SetSizes(sizes)
	thr, _ := c.thr.get(i)
	pg, _ := c.pgsize.get(i)
	ev.Snapshot.ParentThreads, ev.Snapshot.PageSize = int32(thr), int32(pg)
	ev.Snapshot.Source = trace.SnapshotSource(c.source.get(i))
	ex, has := c.childExec.get(i)
	ev.ChildExecNs, ev.HasChildExec = ex, has
	minflt, hasMin := c.minflt.get(i)
	majflt, hasMaj := c.majflt.get(i)
	ev.MinFaults, ev.MajFaults, ev.HasFaults = minflt, majflt, hasMin || hasMaj
	ev.ProcGone = c.gone != nil && c.gone.IsValid(i) && c.gone.Value(i)
	ev.CreateNs, ev.HasCreateNs = c.createNs.get(i)
	ev.ParentBlockedNs, ev.HasParentBlockedNs = c.blockedNs.get(i)
	ev.PostCreateFaults, ev.HasPostCreateFaults = c.postFaults.get(i)
	ev.ExecNs, ev.HasExecNs = c.execNs.get(i)
	return nil
}
