package strace

import (
	"container/heap"
)

// Run converts every record of rd with c, then finishes c. Syntax errors
// are counted in c.Stats and passed to onErr, which may stop the
// conversion by returning an error (--strict); onErr may be nil.
func Run(rd *Reader, c *Converter, onErr func(*SyntaxError) error) error {
	return Merge([]*Reader{rd}, c, onErr)
}

// Merge converts several logs of one run, such as the LOG.PID files of
// strace -ff, merging their records by time (each file must have absolute
// timestamps for the merge to mean anything; without them the files are
// read one after the other, in the order given).
func Merge(rds []*Reader, c *Converter, onErr func(*SyntaxError) error) error {
	c.singleLog = len(rds) == 1
	c.PendingCreation = func() bool {
		for _, rd := range rds {
			if pendingCreation(rd) {
				return true
			}
		}
		return false
	}
	// next advances rd to its next record, handling syntax errors; it
	// returns false at the end of rd.
	next := func(rd *Reader) (bool, error) {
		for rd.Next() {
			switch res := rd.Result().(type) {
			case *Record:
				return true, nil
			case *SyntaxError:
				c.Stats.SyntaxErrors++
				if onErr != nil {
					if err := onErr(res); err != nil {
						return false, err
					}
				}
			}
		}
		return false, rd.Err()
	}
	finish := func() error {
		for _, rd := range rds {
			c.Stats.Unfinished += int64(rd.Unfinished())
		}
		return c.Finish()
	}
	if len(rds) == 1 {
		rd := rds[0]
		for {
			ok, err := next(rd)
			if err != nil {
				return err
			}
			if !ok {
				return finish()
			}
			if err := c.Add(rd.Result().(*Record)); err != nil {
				return err
			}
		}
	}
	h := &recHeap{}
	for i, rd := range rds {
		ok, err := next(rd)
		if err != nil {
			return err
		}
		if ok {
			heap.Push(h, heapItem{rd: rd, order: i})
		}
	}
	for h.Len() > 0 {
		it := (*h)[0]
		if err := c.Add(it.rd.Result().(*Record)); err != nil {
			return err
		}
		ok, err := next(it.rd)
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return finish()
}

type heapItem struct {
	rd    *Reader
	order int
}

type recHeap []heapItem

func (h recHeap) Len() int { return len(h) }
func (h recHeap) Less(i, j int) bool {
	a, b := h[i].rd.Result().(*Record), h[j].rd.Result().(*Record)
	if a.TimeForm != TimeNone && b.TimeForm != TimeNone && a.Time != b.Time {
		return a.Time < b.Time
	}
	if a.TimeForm == TimeNone && b.TimeForm == TimeNone {
		return h[i].order < h[j].order
	}
	return h[i].order < h[j].order
}
func (h recHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *recHeap) Push(x any)   { *h = append(*h, x.(heapItem)) }
func (h *recHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
