package stream

import (
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// startupQuiet is how long the start-up history must have stopped coming
// before it is printed.
const startupQuiet = 250 * time.Millisecond

// startup holds the entries of the start-up — the first list's status
// lines and the history gathered before the stream goes live (events listed
// when their watches start, earlier log lines) — and prints them sorted by
// time. The hold ends at the first live watch event, once the first list is
// in and the history has stopped coming (every initial event list done and
// no entry for startupQuiet), or StartupWindow after the first list,
// whichever comes first. All fields are guarded by the runner's mutex.
type startup struct {
	r         *runner
	holding   bool
	afterSync bool
	buf       []timeline.Entry
	pending   map[types.UID]bool
	quiet     clock.Timer
	limit     clock.Timer
}

func (s *startup) init(r *runner) {
	s.r, s.holding, s.pending = r, true, map[types.UID]bool{}
}

// hold keeps e while the start-up lasts and reports whether it did.
func (s *startup) hold(e timeline.Entry) bool {
	if !s.holding {
		return false
	}
	s.buf = append(s.buf, e)
	s.rearmQuiet()
	return true
}

// expect notes an event list that belongs to the start-up history.
func (s *startup) expect(ref target.ObjectRef) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if s.holding && ref.UID != "" {
		s.pending[ref.UID] = true
	}
}

// listed notes that ref's initial event list has been emitted.
func (s *startup) listed(ref target.ObjectRef) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	delete(s.pending, ref.UID)
	if s.holding {
		s.rearmQuiet()
	}
}

// synced starts the timers once the first list has been delivered.
func (s *startup) synced() {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if !s.holding || s.afterSync {
		return
	}
	s.afterSync = true
	// The callbacks take the runner's lock in a goroutine of their own, as
	// time.AfterFunc's run anyway: a FakeClock runs them inside Step, under
	// its lock, which hold and listed take (to re-arm the quiet timer) while
	// holding the runner's.
	s.quiet = s.r.cfg.Clock.AfterFunc(startupQuiet, func() { go s.fired(false) })
	s.limit = s.r.cfg.Clock.AfterFunc(s.r.cfg.StartupWindow, func() { go s.fired(true) })
}

// rearmQuiet starts the quiet time again, once the timers run. It makes a
// new timer rather than Reset the old one: a FakeClock's AfterFunc timer
// fires only once (its channel, which no one reads, stays full).
func (s *startup) rearmQuiet() {
	if s.quiet == nil {
		return
	}
	s.quiet.Stop()
	s.quiet = s.r.cfg.Clock.AfterFunc(startupQuiet, func() { go s.fired(false) })
}

// fired ends the hold when a timer fires: the window always, the quiet
// timer once no initial event list is pending.
func (s *startup) fired(window bool) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if window || len(s.pending) == 0 {
		s.flushLocked()
	}
}

// live ends the hold: a live change is printed without delay.
func (s *startup) live() {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.flushLocked()
}

// flushLocked prints what was held, sorted by time, and ends the hold.
func (s *startup) flushLocked() {
	if !s.holding {
		return
	}
	s.holding = false
	if s.quiet != nil {
		s.quiet.Stop()
		s.limit.Stop()
	}
	s.r.columnsLocked(s.buf)
	sort.SliceStable(s.buf, func(i, j int) bool { return s.buf[i].Time.Before(s.buf[j].Time) })
	for _, e := range s.buf {
		s.r.emitLocked(e)
	}
	s.buf = nil
}
