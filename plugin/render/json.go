package render

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// JSONLine is the schema of one line of `-o json` (documented in the README).
type JSONLine struct {
	Time      string        `json:"time"`
	Kind      timeline.Kind `json:"kind"`
	Namespace string        `json:"namespace"`
	Pod       string        `json:"pod,omitempty"`

	// kind=status
	Status         string   `json:"status,omitempty"`
	Ready          string   `json:"ready,omitempty"`
	Restarts       *int     `json:"restarts,omitempty"`
	PodReady       *bool    `json:"podReady,omitempty"`
	Deleted        bool     `json:"deleted,omitempty"`
	Blocking       string   `json:"blockingContainer,omitempty"`
	BlockedSeconds *float64 `json:"blockedSeconds,omitempty"`
	BackOffSeconds *float64 `json:"backOffSeconds,omitempty"`

	// kind=log
	Container   string  `json:"container,omitempty"`
	ContainerID string  `json:"containerID,omitempty"`
	Init        *bool   `json:"init,omitempty"`
	Line        *string `json:"line,omitempty"`

	// kind=event
	Type    string `json:"type,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	Count   int32  `json:"count,omitempty"`
	Object  string `json:"object,omitempty"`

	// kind=summary
	Pods []timeline.PodSummary `json:"pods,omitempty"`
}

// JSON writes one JSON object per entry (JSON lines).
type JSON struct {
	enc *json.Encoder
	// Namespace is the summary line's namespace (default: its pods').
	Namespace string
}

// NewJSON returns a JSON-lines renderer writing to w.
func NewJSON(w io.Writer) *JSON {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSON{enc: enc}
}

// Line converts an entry to its JSON form.
func Line(e timeline.Entry) (JSONLine, error) {
	l := JSONLine{Time: e.Time.UTC().Format(time.RFC3339Nano), Kind: e.Kind, Namespace: e.Namespace, Pod: e.Pod}
	switch e.Kind {
	case timeline.KindStatus:
		s := e.Status
		l.Status, l.Ready, l.Deleted = s.Status, s.Ready, s.Deleted
		l.Blocking = s.Blocking
		l.Restarts, l.PodReady = &s.Restarts, &s.PodReady
		if s.Blocking != "" {
			v := s.BlockedFor.Seconds()
			l.BlockedSeconds = &v
		}
		if s.BackOff > 0 {
			v := s.BackOff.Seconds()
			l.BackOffSeconds = &v
		}
		l.Container = s.Container
	case timeline.KindLog:
		l.Container, l.ContainerID, l.Init, l.Line = e.Log.Container, e.Log.ContainerID, &e.Log.Init, &e.Log.Line
	case timeline.KindEvent:
		ev := e.Event
		l.Type, l.Reason, l.Message, l.Count, l.Object = ev.Type, ev.Reason, ev.Message, ev.Count, ev.Object
	case timeline.KindNotice:
		l.Message = e.Notice
	default:
		return l, fmt.Errorf("render: unknown entry kind %q", e.Kind)
	}
	return l, nil
}

// Emit writes e as one line.
func (j *JSON) Emit(e timeline.Entry) error {
	l, err := Line(e)
	if err != nil {
		return err
	}
	return j.enc.Encode(l)
}

// Summary writes the end-of-watch summary as one line of kind "summary".
func (j *JSON) Summary(now time.Time, pods []timeline.PodSummary) error {
	ns := j.Namespace
	if ns == "" && len(pods) > 0 {
		ns = pods[0].Namespace
	}
	return j.enc.Encode(JSONLine{Time: now.UTC().Format(time.RFC3339Nano), Kind: "summary", Namespace: ns, Pods: pods})
}
