package proctree

// MinRun is how many siblings of one command a view shows as one line
// ("cc1 x 412"): fewer stay lines of their own.
const MinRun = 3

// Group is one line of a tree view: one process, or siblings with the
// same command shown as one, with the figures of all their subtrees.
type Group struct {
	Members             []*Process
	Creations, Eligible int64
	SavedNs             float64
	Processes           int64 // in the members' subtrees, members included
}

// Comm is the members' command.
func (g *Group) Comm() string { return g.Members[0].Comm }

// Single reports whether the group is one process.
func (g *Group) Single() bool { return len(g.Members) == 1 }

// Groups turns processes (siblings, in order) into view lines: the
// processes of a command that occurs at least minRun times among them
// become one group, placed where the first of them is; the others stay
// lines of their own. A build's make starts gcc and strip in turn, so
// runs are rarely unbroken: grouping by command still reads as the build
// does, "gcc x 1050" beside "strip x 1050".
func Groups(ps []*Process, minRun int) []*Group {
	count := map[string]int{}
	for _, p := range ps {
		count[p.Comm]++
	}
	var out []*Group
	byComm := map[string]*Group{}
	for _, p := range ps {
		var g *Group
		if count[p.Comm] >= minRun {
			g = byComm[p.Comm]
		}
		if g == nil {
			g = &Group{}
			out = append(out, g)
			if count[p.Comm] >= minRun {
				byComm[p.Comm] = g
			}
		}
		g.Members = append(g.Members, p)
		g.Creations += p.Creations
		g.Eligible += p.Eligible
		g.SavedNs += p.SavedNs
		g.Processes += p.Processes
	}
	return out
}

// Children returns the lines under g: the children of its members, in
// order, grouped again, so that "sh x 400" has "gcc x 400" under it.
func (g *Group) Children(minRun int) []*Group {
	if g.Single() {
		return Groups(g.Members[0].Children, minRun)
	}
	var all []*Process
	for _, p := range g.Members {
		all = append(all, p.Children...)
	}
	return Groups(all, minRun)
}
