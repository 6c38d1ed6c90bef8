package strace

import (
	"strings"
	"testing"
)

// TestMemFlagTable checks that protTable and mapTable hold every name of protNames
// and mapNames that it can (9 to 15 bytes, first eight bytes of its own),
// so that a change of the names or of memFlagMul that sends the common
// ones to parseBits shows here rather than as a slower conversion.
func TestMemFlagTable(t *testing.T) {
	for table, names := range map[*memFlagTable]map[string]uint64{protTable: protNames, mapTable: mapNames} {
		for name := range names {
			if len(name) < 9 || len(name) > 15 || strings.HasPrefix(name, "PROT_GROWS") {
				continue
			}
			v, end, ok := memFlags([]byte(name), 0, table)
			if !ok || end != len(name) || v != names[name] {
				t.Errorf("memFlags(%q) = %#x, %d, %v; want %#x, %d, true", name, v, end, ok, names[name], len(name))
			}
		}
	}
}

// TestMemFlags checks memFlags against parseBits: where it reads a set, it
// reads parseBits' value, and it ends the set where memArgs does.
func TestMemFlags(t *testing.T) {
	sets := []string{"PROT_READ", "PROT_READ|PROT_WRITE", "PROT_NONE", "PROT_READ|PROT_EXEC", "PROT_READ|PROT_WRITE|PROT_EXEC",
		"MAP_PRIVATE|MAP_ANONYMOUS", "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE", "MAP_SHARED", "MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK",
		"MAP_SHARED_VALIDATE", "MAP_ANON", "MAP_PRIVATE|MAP_ANON", "MAP_FIXED_NOREPLACE", "PROT_GROWSDOWN", "PROT_SEM",
		"MAP_PRIVATE", "PROT_READ|", "|PROT_READ", "PROT_READ||PROT_WRITE", "PROT_READ /* x */", "0x3", "PROT_READX",
		"PROT_REA", "MAP_NORESERVE|MAP_POPULATE|MAP_HUGETLB", "MAP_32BIT|MAP_GROWSDOWN|MAP_EXECUTABLE|MAP_LOCKED|MAP_NONBLOCK"}
	for _, set := range sets {
		for _, table := range []*memFlagTable{protTable, mapTable} {
			names := protNames
			if table == mapTable {
				names = mapNames
			}
			want, _ := parseBits([]byte(set), names, nil)
			for _, after := range []string{"", ",", ", -1, 0", ", 3, 0x1000", " , 3"} {
				s := set + after
				v, end, ok := memFlags([]byte(s), 0, table)
				if !ok {
					continue
				}
				if v != want || end != len(set) {
					t.Errorf("memFlags(%q, %p) = %#x, %d; want %#x, %d", s, table, v, end, want, len(set))
				}
			}
		}
	}
	// The sets strace prints for a build's calls are read.
	for _, s := range []string{"PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0", "PROT_READ"} {
		if _, _, ok := memFlags([]byte(s), 0, protTable); !ok {
			t.Errorf("memFlags(%q) not read", s)
		}
	}
}
