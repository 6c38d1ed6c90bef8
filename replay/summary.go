package replay

import (
	"strconv"

	"github.com/forkcost/forkcost/internal/version"
)

// FormatVersion is the version of the Summary's JSON form. Fields may be
// added within a major version; none is removed or renamed.
const FormatVersion = "1.0"

// Summary is replay's answer. Its JSON form is a stable contract,
// documented in the README.
type Summary struct {
	Version      string `json:"version"`
	Tool         string `json:"tool"`
	ModelVersion string `json:"model_version"`
	// Filters lists the filters applied, one phrase each ([] when none).
	Filters  []string         `json:"filters"`
	Trace    TraceSummary     `json:"trace"`
	Machines []MachineSummary `json:"machines"`
}

// TraceSummary counts what the traces held.
type TraceSummary struct {
	Inputs []InputSummary `json:"inputs"`
	Events int64          `json:"events"`
	// Creations counts the process creations that pass the filters (all of
	// them when no filter is applied).
	Creations int64 `json:"creations"`
	// CreationsBeforeFilters and EligibleBeforeFilters count every
	// creation and every eligible creation of the traces.
	CreationsBeforeFilters int64 `json:"creations_before_filters"`
	EligibleBeforeFilters  int64 `json:"eligible_before_filters"`
	// Eligible counts creations whose child only exec'd or exited first
	// (including those that were vfork or spawn already).
	Eligible int64 `json:"eligible"`
	// EligibleWithoutSnapshot counts eligible creations whose row had no
	// address-space sizes: they are left out of every cost.
	EligibleWithoutSnapshot int64 `json:"eligible_without_snapshot"`
	// EstimatedCreations counts eligible creations whose sizes are partly
	// estimated (snapshot_source = estimated).
	EstimatedCreations int64 `json:"estimated_creations"`
	// MeasuredParentWrites counts eligible forks whose parent's later
	// writes came from the trace's fault counters rather than the
	// parent_write_fraction parameter.
	MeasuredParentWrites int64 `json:"measured_parent_writes"`
	// EligibleResidentBytes sums the parents' resident sizes over the
	// eligible creations that were costed (those with sizes).
	EligibleResidentBytes int64 `json:"eligible_resident_bytes"`
	// WallS is the traces' own duration, summed over inputs.
	WallS float64          `json:"wall_s"`
	Kinds map[string]int64 `json:"kinds"`
	// CreationsByKind counts the creations that pass the filters by how
	// they were really made: fork, vfork, spawn or clone (every key is
	// present). Only the forks among them copied, or COW-shared, an
	// address space in reality; see MachineSummary.SavedOnForksS.
	CreationsByKind map[string]int64 `json:"creations_by_kind"`
	// Eligibility counts the creations by the reason of their verdict.
	Eligibility map[string]int64 `json:"eligibility"`
	// Failed lists the inputs that could not be replayed; they count
	// nowhere else.
	Failed []FailedInput `json:"failed,omitempty"`
}

// FailedInput is a trace that could not be read to its end.
type FailedInput struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// InputSummary describes one trace: its provenance and size.
type InputSummary struct {
	Path          string  `json:"path"`
	Source        string  `json:"source"`
	SourceOS      string  `json:"source_os"`
	Origin        string  `json:"origin"`
	Tool          string  `json:"tool,omitempty"`
	SchemaVersion string  `json:"schema_version"`
	TimeSynthetic bool    `json:"time_synthetic"`
	Incomplete    string  `json:"incomplete,omitempty"`
	Events        int64   `json:"events"`
	WallS         float64 `json:"wall_s"`
	// CreationsByKind is TraceSummary.CreationsByKind for this trace alone.
	CreationsByKind map[string]int64 `json:"creations_by_kind"`
}

// ProfileRef identifies the profile behind a machine's numbers.
type ProfileRef struct {
	File string `json:"file"`
	Hash string `json:"hash"`
}

// StrategyTotal is one strategy's cost over the eligible creations.
type StrategyTotal struct {
	TotalS float64            `json:"total_s"`
	Steps  map[string]float64 `json:"steps"`
}

// CommandSaving is the saving attributed to one parent command.
type CommandSaving struct {
	Comm      string  `json:"comm"`
	Creations int64   `json:"creations"`
	SavedS    float64 `json:"saved_s"`
}

// MachineSummary is the answer on one machine.
type MachineSummary struct {
	Machine     string                   `json:"machine"`
	Description string                   `json:"description"`
	Profile     ProfileRef               `json:"profile"`
	Native      string                   `json:"native"`
	Strategies  map[string]StrategyTotal `json:"strategies"`
	// SavedS is fork-cow's total minus vfork-share's over the same
	// eligible creations.
	SavedS float64 `json:"saved_s"`
	// SavedOnForksS is SavedS over the creations that really were forks
	// (kind fork): the part of the saving a kernel with sharing vfork
	// would have made on this run as it happened. SavedS is the
	// counterfactual over every eligible creation, including those that
	// already were vfork or spawn and so saved nothing in reality.
	SavedOnForksS float64 `json:"saved_on_forks_s"`
	// ForksEvaluated counts those creations.
	ForksEvaluated int64 `json:"forks_evaluated"`
	// SavedVsNatS is the native strategy's total minus vfork-share's.
	SavedVsNatS float64 `json:"saved_vs_native_s"`
	// SavedInterval and SavedVsNatInterval put a range around the two
	// savings: the 5th to 95th percentile of a Monte Carlo over the
	// profile's parameter ranges (absent when intervals are off).
	SavedInterval      *Interval `json:"saved_interval_s,omitempty"`
	SavedVsNatInterval *Interval `json:"saved_vs_native_interval_s,omitempty"`
	// EstimatedFraction is the share of SavedS that comes from creations
	// whose sizes are partly estimated.
	EstimatedFraction float64         `json:"estimated_fraction"`
	Evaluated         int64           `json:"evaluated"`
	TopCommands       []CommandSaving `json:"top_commands"`
	// Overrides are the --set changes applied to the profile.
	Overrides map[string]float64 `json:"overrides"`
	// EstimatedParams of Params parameters are estimates, not citations.
	EstimatedParams int `json:"estimated_params"`
	Params          int `json:"params"`
}

// stamp fills the provenance fields.
func (s *Summary) stamp() {
	s.Version = FormatVersion
	s.Tool = "forkcost " + version.Tool
	s.ModelVersion = version.Model
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
