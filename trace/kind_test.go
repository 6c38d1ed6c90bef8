package trace

import "testing"

// TestKindIndexIsDictionaryCode checks the writer's switch against Kinds,
// whose order is the kind column's dictionary.
func TestKindIndexIsDictionaryCode(t *testing.T) {
	for i, k := range Kinds {
		if got := kindIndex(k); got != int32(i) {
			t.Errorf("kindIndex(%q) = %d, want %d", k, got, i)
		}
	}
	if got := kindIndex("fork "); got != -1 {
		t.Errorf("kindIndex of an unknown kind = %d, want -1", got)
	}
}
