package timeline

import (
	"sort"
	"time"
)

// Segment is a span of time in which a pod showed one STATUS (and one
// Ready condition): from Start to End.
type Segment struct {
	Status string
	// Ready is the pod's Ready condition during the segment.
	Ready      bool
	Start, End time.Time
}

// Duration is End minus Start.
func (s Segment) Duration() time.Duration { return s.End.Sub(s.Start) }

// Restart is a moment a pod's RESTARTS cell grew.
type Restart struct {
	Time time.Time
	// Count is the RESTARTS cell after the restart.
	Count int
	// BackOff is the CrashLoopBackOff delay the kubelet had reached before
	// this restart (0 when it showed none).
	BackOff time.Duration
}

// Mark is a log line or an event of a pod, drawn as a small mark.
type Mark struct {
	Time time.Time
	Kind Kind
	// Text is the line as the text output prints it, without the time.
	Text string
	// Warning is set for events of type Warning.
	Warning bool
}

// Lane is what one pod went through, in order.
type Lane struct {
	Namespace, Pod string
	// First is when the pod's first STATUS was seen.
	First    time.Time
	Segments []Segment
	Restarts []Restart
	// Marks are the pod's events and init-container log lines.
	Marks []Mark
	// ReadyAt is when the pod was first seen Ready (zero if never).
	ReadyAt time.Time
	// Deleted says the pod was gone from the API at its last segment's end.
	Deleted bool
}

// Segmenter builds one Lane per pod from timeline entries. It keeps the
// segments, restarts and marks of every pod, so its memory grows with the
// STATUS transitions and marked lines it is given.
type Segmenter struct {
	lanes map[string]*Lane
	order []string
	// backOff is each pod's last back-off seen since its last restart.
	backOff map[string]time.Duration
	// restarts is each pod's last RESTARTS cell.
	restarts map[string]int
}

// Observe takes one entry. Status entries open a new segment when the
// STATUS or the Ready condition changes, and a restart when the RESTARTS
// cell grows; events and init-container log lines become marks of a pod
// already seen or yet to be seen. Other entries are ignored.
func (s *Segmenter) Observe(e Entry) {
	if e.Pod == "" {
		return
	}
	if s.lanes == nil {
		s.lanes, s.backOff, s.restarts = map[string]*Lane{}, map[string]time.Duration{}, map[string]int{}
	}
	key := e.Namespace + "/" + e.Pod
	l := s.lanes[key]
	if l == nil {
		if e.Kind != KindStatus && e.Kind != KindLog && e.Kind != KindEvent {
			return
		}
		l = &Lane{Namespace: e.Namespace, Pod: e.Pod}
		s.lanes[key] = l
		s.order = append(s.order, key)
	}
	switch e.Kind {
	case KindStatus:
		if e.Status != nil {
			s.status(key, l, e.Time, e.Status)
		}
	case KindLog:
		if e.Log != nil && e.Log.Init {
			l.Marks = append(l.Marks, Mark{Time: e.Time, Kind: KindLog, Text: e.Log.Container + " | " + e.Log.Line})
		}
	case KindEvent:
		if ev := e.Event; ev != nil {
			text := ev.Type + " " + ev.Reason + ": " + ev.Message
			l.Marks = append(l.Marks, Mark{Time: e.Time, Kind: KindEvent, Text: text, Warning: ev.Type == "Warning"})
		}
	}
}

func (s *Segmenter) status(key string, l *Lane, at time.Time, st *StatusInfo) {
	if l.First.IsZero() {
		l.First = at
		s.restarts[key] = st.Restarts
	}
	if n := len(l.Segments); n > 0 {
		last := &l.Segments[n-1]
		if last.End.Before(at) {
			last.End = at
		}
	}
	if st.Deleted {
		l.Deleted = true
		return
	}
	l.Deleted = false
	if n := len(l.Segments); n == 0 || l.Segments[n-1].Status != st.Status || l.Segments[n-1].Ready != st.PodReady {
		l.Segments = append(l.Segments, Segment{Status: st.Status, Ready: st.PodReady, Start: at, End: at})
	}
	if st.Restarts > s.restarts[key] {
		l.Restarts = append(l.Restarts, Restart{Time: at, Count: st.Restarts, BackOff: s.backOff[key]})
		s.backOff[key] = 0
	}
	s.restarts[key] = st.Restarts
	if st.BackOff > 0 {
		s.backOff[key] = st.BackOff
	}
	if st.PodReady && l.ReadyAt.IsZero() {
		l.ReadyAt = at
	}
}

// Lanes returns one lane per pod that showed a STATUS, in the order pods
// were first seen, with the last segment of each pod still present
// stretched to end. Marks are sorted by time.
func (s *Segmenter) Lanes(end time.Time) []Lane {
	out := make([]Lane, 0, len(s.order))
	for _, key := range s.order {
		l := *s.lanes[key]
		if l.First.IsZero() {
			continue // only events or logs: no STATUS to draw them on
		}
		l.Segments = append([]Segment(nil), l.Segments...)
		if n := len(l.Segments); n > 0 && !l.Deleted && l.Segments[n-1].End.Before(end) {
			l.Segments[n-1].End = end
		}
		l.Marks = append([]Mark(nil), l.Marks...)
		sort.SliceStable(l.Marks, func(i, j int) bool { return l.Marks[i].Time.Before(l.Marks[j].Time) })
		out = append(out, l)
	}
	return out
}

// Segments is the lanes of entries, each stretched to end.
func Segments(entries []Entry, end time.Time) []Lane {
	var s Segmenter
	for _, e := range entries {
		s.Observe(e)
	}
	return s.Lanes(end)
}
