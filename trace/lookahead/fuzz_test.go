package lookahead

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/forkcost/forkcost/internal/fuzzbound"
)

// model is the reference the fuzz target checks Queue against: the rules
// of the package documentation on a plain slice, without recycling,
// compaction or a head index.
type model struct {
	maxHeld       int
	maxAge, delay int64
	clamp         bool

	q      []*mslot // queued, in order
	late   []*mslot // attempts set aside
	last   int64
	out    []row
	forced int64
}

type mslot struct {
	id            int
	at            int64
	has, attempt  bool
	waits         int32
	gone, setAway bool
}

func (m *model) push(s *mslot, at int64) {
	j := len(m.q)
	if m.delay > 0 {
		for j > 0 && m.q[j-1].at > at {
			j--
		}
	}
	if m.clamp && at < m.last {
		at = m.last
	}
	s.at, s.gone = at, false
	m.q = slices.Insert(m.q, j, s)
}

// leave takes the head out, forcing it if it waits (all: at the end).
func (m *model) leave(all bool, now int64) bool {
	h := m.q[0]
	if !all && m.delay > 0 && now-h.at < m.delay {
		return false
	}
	if h.waits > 0 {
		overdue := len(m.q) > m.maxHeld || m.maxAge != 0 && now-h.at > m.maxAge
		if !all && !overdue {
			return false
		}
		h.waits = 0
		if h.attempt {
			h.setAway, h.has = true, false
			m.late = append(m.late, h)
		} else {
			m.forced++
		}
	}
	m.q = m.q[1:]
	h.gone = true
	if h.has {
		m.last = h.at
		m.out = append(m.out, row{h.id, h.at})
	}
	return true
}

func (m *model) flush(now int64) {
	for len(m.q) > 0 && m.leave(false, now) {
	}
}

func (m *model) settle(s *mslot, write bool, now int64) bool {
	switch {
	case s.setAway:
		s.setAway = false
		m.late = slices.DeleteFunc(m.late, func(x *mslot) bool { return x == s })
		if write {
			s.has, s.attempt = true, false
			m.push(s, now)
		}
		return write
	case s.gone:
		return false
	}
	s.waits, s.has = 0, write
	return write
}

// FuzzQueue drives a Queue and the model with the same operations (one a
// byte, after four bytes of bounds) and checks that the same rows leave,
// in the same order and at the same times, with the same counts.
func FuzzQueue(f *testing.F) {
	fuzzOps(f, 1, 200, fuzzQueue,
		"\x02\x05\x00\x01\x09\x0a\x00\x00\x07\x46\x25",
		"\x00\x01\x05\x01\x02\x0b\x00\x00\x13\x1c\x10\x21\x07\x2e",
		"\x03\x06\x07\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11",
		"\x07\x02\x00\x01\x08\x11\x1a\x02\x02\x0b\x14\x04\x0d\x19\x1e\x32")
}

// fuzzOps is a fuzz target of operation streams: seeds, four random
// streams of n bytes (random stream number stream), and fn run on each
// input within fuzzbound's time bound.
func fuzzOps(f *testing.F, stream uint64, n int, fn func(*testing.T, []byte), seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, stream))
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		f.Add(b)
	}
	fuzzbound.Setup(f)
	f.Fuzz(func(t *testing.T, ops []byte) {
		fuzzbound.Run(t, func(t *testing.T) { fn(t, ops) })
	})
}

func fuzzQueue(t *testing.T, ops []byte) {
	if len(ops) < 4 {
		return
	}
	if len(ops) > 1000 {
		ops = ops[:1000] // enough to reach every state, and fast
	}
	m := &model{maxHeld: 1 + int(ops[0]%8), clamp: ops[3]&1 != 0}
	switch ops[1] % 4 {
	case 0:
	case 1:
		m.maxAge = -1
	default:
		m.maxAge = int64(ops[1] % 32)
	}
	if ops[2]%3 != 0 {
		m.delay = int64(ops[2] % 16)
	}
	q := tq{Queue: Queue[row]{MaxHeld: m.maxHeld, MaxAge: m.maxAge, Delay: m.delay, Clamp: m.clamp}}
	type handle struct {
		s *Slot[row]
		m *mslot
	}
	var hs []handle
	var now int64
	id := 0
	push := func(at int64, waits int32, has, attempt, keep bool) {
		id++
		s := q.Get()
		s.Row, s.Has, s.Waits, s.Attempt, s.Keep = row{id: id}, has, waits, attempt, keep
		q.Push(s, at)
		s.Row.t = s.At
		ms := &mslot{id: id, has: has, waits: waits, attempt: attempt}
		m.push(ms, at)
		if keep {
			hs = append(hs, handle{s, ms})
		}
	}
	for i, b := range ops[4:] {
		arg := int(b / 9)
		var h handle
		if len(hs) > 0 {
			h = hs[arg%len(hs)]
		}
		switch b % 9 {
		case 0: // a row, a little out of time order
			push(max(now-int64(arg%4), 0), 0, true, false, false)
		case 1: // a row or a place awaiting outcomes
			push(now, int32(1+arg%3), arg%2 == 0, false, true)
		case 2:
			push(now, 1, true, true, true)
		case 3: // an outcome
			if h.s != nil && !h.m.attempt && !h.m.gone && h.m.waits > 0 {
				if h.s.Done || h.s.Waits != h.m.waits {
					t.Fatalf("op %d: slot %d: done %v waits %d, model %d", i, h.m.id, h.s.Done, h.s.Waits, h.m.waits)
				}
				h.s.Waits--
				h.m.waits--
			}
		case 4:
			if h.s != nil && h.m.attempt {
				write := arg%2 == 0
				got, want := q.Settle(h.s, write, now), m.settle(h.m, write, now)
				if got != want {
					t.Fatalf("op %d: Settle(%d, %v) = %v, model %v", i, h.m.id, write, got, want)
				}
				h.s.Row.t = h.s.At
			}
		case 5: // a place given up
			if h.s != nil && !h.m.gone && !h.m.setAway {
				h.s.Has, h.s.Waits = false, 0
				h.m.has, h.m.waits = false, 0
			}
		case 6: // a place filled
			if h.s != nil && !h.m.gone && !h.m.setAway {
				h.s.Has, h.m.has = true, true
			}
		case 7:
			now += int64(arg)
			q.flush(now)
			m.flush(now)
		case 8: // many rows at once (few enough that an execution
			// stays cheap: minimizing runs thousands; TestRecycle
			// covers the compaction of long queues)
			for range 16 * (arg % 8) {
				push(now, 0, true, false, false)
			}
			q.flush(now)
			m.flush(now)
		}
		if q.Len() != len(m.q) || len(q.out) != len(m.out) {
			t.Fatalf("op %d (%d): %d held, %d written; model %d, %d", i, b, q.Len(), len(q.out), len(m.q), len(m.out))
		}
	}
	q.forced += q.Drain(q.write, nil)
	for len(m.q) > 0 {
		m.leave(true, 0)
	}
	if !slices.Equal(q.out, m.out) || q.forced != m.forced {
		t.Fatalf("wrote %v (forced %d)\nmodel %v (forced %d)", q.out, q.forced, m.out, m.forced)
	}
	var got, want []int
	for _, s := range q.Unsettled() {
		got = append(got, s.Row.id)
	}
	for _, s := range m.late {
		want = append(want, s.id)
	}
	slices.Sort(got)
	slices.Sort(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("unsettled %v, model %v", got, want)
	}
}
