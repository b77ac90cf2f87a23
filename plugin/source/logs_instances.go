package source

import (
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// span is the time an instance ran, as far as the pod status tells it
// (zero ends are open), widened by a second each way because the status
// has whole seconds.
type span struct{ from, until time.Time }

// holds reports whether a line stamped ts can be the instance's.
func (s span) holds(ts time.Time) bool {
	return (s.from.IsZero() || !ts.Before(s.from)) && (s.until.IsZero() || !ts.After(s.until))
}

// span is when instance c ran. The kubelet serves the log of a container
// *name* (its current instance, or the one before), not of an ID: when the
// pod status read here lags the kubelet's, a read meant for an instance
// that has ended can return the next instance's lines. Lines outside the
// instance's span belong to another instance and are not printed as this one's.
func (l *Logs) span(uid types.UID, c instance) span {
	if t := l.terminated(uid, c); t != nil {
		s := span{from: t.StartedAt.Add(-time.Second)}
		if !t.FinishedAt.IsZero() {
			s.until = t.FinishedAt.Add(time.Second)
		}
		if t.StartedAt.IsZero() {
			s.from = time.Time{}
		}
		return s
	}
	if start := l.runningSince(uid, c); !start.IsZero() {
		return span{from: start.Add(-time.Second)}
	}
	return span{}
}

// printedLines remembers the lines recently printed for one container name
// of one pod, by the runtime's nanosecond timestamp and text.
type printedLines struct {
	seen  map[string]bool
	order []string
}

// keepPrinted is how many lines per container name are remembered.
const keepPrinted = 4096

// firstPrint reports whether no other instance of the pod's container name
// has printed this line (same nanosecond timestamp, same text) and records
// it. When the pod status lags the kubelet's, the follower of an instance
// the status still shows running can be served the next instance's log
// (the kubelet resolves the container by name); that instance's own
// follower then must not print those lines again.
func (l *Logs) firstPrint(pod, name string, ts time.Time, text string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	key := pod + "/" + name
	p := l.printed[key]
	if p == nil {
		p = &printedLines{seen: map[string]bool{}}
		l.printed[key] = p
	}
	id := ts.Format(time.RFC3339Nano) + " " + text
	if p.seen[id] {
		return false
	}
	p.seen[id] = true
	p.order = append(p.order, id)
	if len(p.order) > keepPrinted {
		for _, old := range p.order[:keepPrinted/2] {
			delete(p.seen, old)
		}
		p.order = append([]string(nil), p.order[keepPrinted/2:]...)
	}
	return true
}
