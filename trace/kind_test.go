package trace

import "testing"

// TestKindIndexIsDictionaryCode checks the writer's switch against Kinds,
// whose order is the kind column's dictionary.
func TestKindIndexIsDictionaryCode(t *testing.T) {
	for i, k := range Kinds {
		if got := k.Index(); got != i {
			t.Errorf("%q.Index() = %d, want %d", k, got, i)
		}
	}
	if got := Kind("fork ").Index(); got != -1 {
		t.Errorf("Index of an unknown kind = %d, want -1", got)
	}
}
