package plots

// Merge appends what o gathered to c, as if c had seen o's creations after
// its own, with o's input indices counted from firstInput: traces replayed
// on workers of their own, each into a collector of its own, merge in
// input order into the same data as one collector fed in turn. Both must
// have been made for the same machines. o must not be used afterwards.
func (c *Collector) Merge(o *Collector, firstInput int) {
	remap := make([]int32, len(o.commNames))
	for i, name := range o.commNames {
		ci, ok := c.commIdx[name]
		if !ok {
			ci = int32(len(c.commNames))
			c.commIdx[name] = ci
			c.commNames = append(c.commNames, name)
		}
		remap[i] = ci
	}
	// The process log: o's indices (processes, creation rows, inputs)
	// count on from c's.
	if o.procs != nil {
		if c.procs == nil {
			c.procs = newProcessLog()
		}
		l, ol := c.procs, o.procs
		base := int32(len(l.procs))
		for len(l.inputs) < firstInput { // traces without events, as Observe pads
			l.inputs = append(l.inputs, inputSpan{procs: len(l.procs), creations: len(l.creations)})
		}
		for _, in := range ol.inputs {
			in.procs += len(l.procs)
			in.creations += len(l.creations)
			l.inputs = append(l.inputs, in)
		}
		for _, p := range ol.procs {
			if p.parent >= 0 {
				p.parent += base
			}
			p.comm = remap[p.comm]
			p.input += int32(firstInput)
			l.procs = append(l.procs, p)
		}
		for _, r := range ol.creations {
			if r.parent >= 0 {
				r.parent += base
			}
			l.creations = append(l.creations, r)
		}
		for _, p := range o.parents {
			if p >= 0 {
				p += base
			}
			c.parents = append(c.parents, p)
		}
	}
	c.times = append(c.times, o.times...)
	for _, in := range o.inputs {
		c.inputs = append(c.inputs, in+int32(firstInput))
	}
	for _, ci := range o.comms {
		c.comms = append(c.comms, remap[ci])
	}
	c.resident = append(c.resident, o.resident...)
	c.saved = append(c.saved, o.saved...)
	c.sumRes += o.sumRes
	c.sumWr += o.sumWr
	c.sumAnon += o.sumAnon
	c.sumEntries += o.sumEntries
	for k, n := range o.distinct {
		c.distinct[k] += n
	}
}
