package timeline

import (
	"time"
)

// StatusTime is how long a pod showed one STATUS.
type StatusTime struct {
	Status   string        `json:"status"`
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"seconds"`
}

// PodSummary is what the watch prints for a pod when it ends.
type PodSummary struct {
	Pod       string `json:"pod"`
	Namespace string `json:"namespace"`
	Status    string `json:"status"`
	Ready     bool   `json:"ready"`
	// Restarts is the most restarts the pod's containers (init and app)
	// were seen to have in total, not kubectl's RESTARTS cell.
	Restarts    int           `json:"restarts"`
	InStatus    []StatusTime  `json:"inStatus"`
	TimeToReady time.Duration `json:"-"`
	// TimeToReadySeconds is from creation to Ready; absent while not Ready.
	TimeToReadySeconds *float64 `json:"timeToReadySeconds,omitempty"`
	Deleted            bool     `json:"deleted,omitempty"`
}

type podTrack struct {
	sum        PodSummary
	since      time.Time
	created    time.Time
	readyAt    time.Time
	durations  map[string]time.Duration
	statusSeen []string
}

// Tracker accumulates per-pod summaries from status entries.
type Tracker struct {
	pods  map[string]*podTrack
	order []string
}

// Observe takes one entry; entries that are not status entries are ignored.
func (t *Tracker) Observe(e Entry) {
	if e.Kind != KindStatus || e.Status == nil {
		return
	}
	if t.pods == nil {
		t.pods = map[string]*podTrack{}
	}
	key := e.Namespace + "/" + e.Pod
	p, ok := t.pods[key]
	if !ok {
		p = &podTrack{durations: map[string]time.Duration{}, since: e.Time}
		p.sum.Pod, p.sum.Namespace = e.Pod, e.Namespace
		t.pods[key] = p
		t.order = append(t.order, key)
	}
	s := e.Status
	if p.sum.Status != "" {
		p.durations[p.sum.Status] += e.Time.Sub(p.since)
	}
	if _, seen := p.durations[s.Status]; !seen {
		p.durations[s.Status] += 0
		p.statusSeen = append(p.statusSeen, s.Status)
	}
	p.since = e.Time
	p.sum.Status = s.Status
	p.sum.Ready = s.PodReady
	p.sum.Restarts = max(p.sum.Restarts, s.TotalRestarts, s.Restarts)
	p.sum.Deleted = s.Deleted
	if !s.Created.IsZero() {
		p.created = s.Created
	}
	if s.PodReady && !s.ReadyAt.IsZero() && p.readyAt.IsZero() {
		p.readyAt = s.ReadyAt
	}
}

// ObserveRestarts records the total restarts of a pod seen in a pod object
// that changed no cell of its row (so made no status entry).
func (t *Tracker) ObserveRestarts(namespace, pod string, total int) {
	if p, ok := t.pods[namespace+"/"+pod]; ok {
		p.sum.Restarts = max(p.sum.Restarts, total)
	}
}

// Summary returns the summaries in the order pods were first seen, with the
// current STATUS counted up to now.
func (t *Tracker) Summary(now time.Time) []PodSummary {
	out := make([]PodSummary, 0, len(t.order))
	for _, key := range t.order {
		p := t.pods[key]
		s := p.sum
		for _, st := range p.statusSeen {
			d := p.durations[st]
			if st == s.Status && !s.Deleted {
				d += now.Sub(p.since)
			}
			s.InStatus = append(s.InStatus, StatusTime{Status: st, Duration: d, Seconds: round(d)})
		}
		if !p.readyAt.IsZero() && !p.created.IsZero() {
			s.TimeToReady = p.readyAt.Sub(p.created)
			v := round(s.TimeToReady)
			s.TimeToReadySeconds = &v
		}
		out = append(out, s)
	}
	return out
}

func round(d time.Duration) float64 {
	return float64(d.Round(10*time.Millisecond)) / float64(time.Second)
}
