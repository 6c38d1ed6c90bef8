package arrowio

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/forkcost/forkcost/trace"
)

var dictString = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// fields is the schema without metadata. The order is part of the contract
// only for humans; readers look columns up by name.
var fields = []arrow.Field{
	{Name: trace.ColTimeNs, Type: arrow.PrimitiveTypes.Int64},
	{Name: trace.ColPID, Type: arrow.PrimitiveTypes.Int32},
	{Name: trace.ColPPID, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: trace.ColKind, Type: dictString},
	{Name: trace.ColChildPID, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: trace.ColCloneFlags, Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: trace.ColComm, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: trace.ColExecPath, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: trace.ColArgv, Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: trace.ColExitStatus, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: trace.ColSignal, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: trace.ColCoreDumped, Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: trace.ColVirtBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColWritableBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColResidentBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColWritableResidentBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColAnonResidentBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColHugeResidentBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColPageTableBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColMapEntries, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColParentThreads, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: trace.ColPageSize, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: trace.ColSnapshotSource, Type: dictString, Nullable: true},
	{Name: trace.ColChildExecNs, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	// Added in 1.1.
	{Name: trace.ColMinFaults, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColMajFaults, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColProcGone, Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	// Added in 1.2.
	{Name: trace.ColCreateNs, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColParentBlockedNs, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColPostCreateFaults, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: trace.ColExecNs, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}

// dictValues are the fixed dictionaries of the dictionary columns.
var dictValues = map[string][]string{
	trace.ColKind:           kindStrings(),
	trace.ColSnapshotSource: {string(trace.Recorded), string(trace.Reconstructed), string(trace.Synthetic), string(trace.Estimated)},
}

func kindStrings() []string {
	s := make([]string, len(trace.Kinds))
	for i, k := range trace.Kinds {
		s[i] = string(k)
	}
	return s
}

// Schema returns the trace schema with meta in its metadata.
func Schema(meta trace.Meta) *arrow.Schema {
	kv := map[string]string{
		trace.MetaSchemaVersion: trace.SchemaVersion,
		trace.MetaSource:        meta.Source,
		trace.MetaSourceOS:      meta.SourceOS,
		trace.MetaOrigin:        meta.Origin,
		trace.MetaTimeSynthetic: strconv.FormatBool(meta.TimeSynthetic),
		trace.MetaTool:          meta.Tool,
	}
	if meta.StartUnixNs != 0 {
		kv[trace.MetaStartUnixNs] = strconv.FormatInt(meta.StartUnixNs, 10)
	} else {
		kv[trace.MetaStartUnixNs] = ""
	}
	if meta.Incomplete != "" {
		kv[trace.MetaIncomplete] = meta.Incomplete
	}
	for k, v := range meta.Extra {
		if _, ok := kv[k]; !ok {
			kv[k] = v
		}
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic bytes
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = kv[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(fields, &md)
}

// MetaFromSchema reads Meta from a schema and checks its version.
func MetaFromSchema(s *arrow.Schema) (trace.Meta, error) {
	md := s.Metadata()
	get := func(k string) string {
		if i := md.FindKey(k); i >= 0 {
			return md.Values()[i]
		}
		return ""
	}
	m := trace.Meta{
		Version:    get(trace.MetaSchemaVersion),
		Source:     get(trace.MetaSource),
		SourceOS:   get(trace.MetaSourceOS),
		Origin:     get(trace.MetaOrigin),
		Incomplete: get(trace.MetaIncomplete),
		Tool:       get(trace.MetaTool),
	}
	if m.Version == "" {
		return m, fmt.Errorf("not a forkcost trace: schema metadata has no %s", trace.MetaSchemaVersion)
	}
	major, _, _ := strings.Cut(m.Version, ".")
	wantMajor, _, _ := strings.Cut(trace.SchemaVersion, ".")
	if major != wantMajor {
		return m, fmt.Errorf("trace schema version %s is not supported (this forkcost reads %s.x)", m.Version, wantMajor)
	}
	if v := get(trace.MetaStartUnixNs); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return m, fmt.Errorf("metadata %s: %q is not an integer", trace.MetaStartUnixNs, v)
		}
		m.StartUnixNs = n
	}
	m.TimeSynthetic = get(trace.MetaTimeSynthetic) == "true"
	known := map[string]bool{trace.MetaSchemaVersion: true, trace.MetaSource: true, trace.MetaSourceOS: true, trace.MetaOrigin: true,
		trace.MetaIncomplete: true, trace.MetaTool: true, trace.MetaStartUnixNs: true, trace.MetaTimeSynthetic: true}
	for i, k := range md.Keys() {
		if !known[k] {
			if m.Extra == nil {
				m.Extra = map[string]string{}
			}
			m.Extra[k] = md.Values()[i]
		}
	}
	return m, nil
}
