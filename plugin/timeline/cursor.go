package timeline

import "time"

// LogCursor remembers how far one container instance's log has been
// printed, so that re-reading it (after a dropped stream, or as "previous"
// logs once the instance has ended) prints every line exactly once.
//
// Lines are identified by the runtime's nanosecond timestamp; several lines
// with the same timestamp are told apart by their order within it.
type LogCursor struct {
	last       time.Time
	atLast     int // lines admitted with timestamp == last
	passAtLast int // lines seen with timestamp == last in the current pass
}

// StartPass must be called before each read of the log from its start or
// from a SinceTime at or before Last.
func (c *LogCursor) StartPass() { c.passAtLast = 0 }

// Admit reports whether a line stamped ts is new, and records it if so.
func (c *LogCursor) Admit(ts time.Time) bool {
	switch {
	case ts.Before(c.last):
		return false
	case ts.Equal(c.last):
		c.passAtLast++
		if c.passAtLast <= c.atLast {
			return false
		}
		c.atLast++
		return true
	default:
		c.last = ts
		c.atLast, c.passAtLast = 1, 1
		return true
	}
}

// Last is the timestamp of the newest admitted line (zero if none).
func (c *LogCursor) Last() time.Time { return c.last }

// EventCounter decides which event updates to show: the first sighting of an
// event and every later one whose count has grown.
type EventCounter struct {
	counts map[string]int32
}

// Observe records an event's count under key (its namespace/name or UID)
// and reports whether it should be shown.
func (c *EventCounter) Observe(key string, count int32) bool {
	if c.counts == nil {
		c.counts = map[string]int32{}
	}
	if count < 1 {
		count = 1
	}
	prev, seen := c.counts[key]
	if seen && count <= prev {
		return false
	}
	c.counts[key] = count
	return true
}
