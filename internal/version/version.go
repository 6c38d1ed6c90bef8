// Package version holds the versions that every forkcost output carries in
// its provenance.
package version

// Tool is forkcost's release version.
const Tool = "0.1.0"

// Model is the version of the cost model: bump it whenever a change to the
// strategies' steps or to a built-in profile can change a number that
// replay or explain prints.
const Model = "1.2"

// String is the tool name and version, as written into file metadata.
func String() string { return "forkcost " + Tool + " (model " + Model + ")" }
