// Package timeline defines the typed entries that the sources emit (pod
// STATUS transitions, container log lines, events), the Sink they are
// written to, and the pure bookkeeping behind them: log-line cursors that
// make every line print once, event counters, and per-pod summaries. It
// knows nothing about cobra or client-go.
package timeline

import "time"

// Kind says which source an Entry comes from.
type Kind string

// The kinds of entries.
const (
	KindStatus Kind = "status"
	KindLog    Kind = "log"
	KindEvent  Kind = "event"
	// KindNotice is a message of the plugin itself (e.g. "no pods match yet").
	KindNotice Kind = "notice"
)

// Entry is one line of the timeline. Fields that do not belong to its Kind
// are zero.
type Entry struct {
	Time      time.Time `json:"time"`
	Kind      Kind      `json:"kind"`
	Namespace string    `json:"namespace"`
	Pod       string    `json:"pod,omitempty"`

	Status   *StatusInfo `json:"-"`
	Log      *LogInfo    `json:"-"`
	Event    *EventInfo  `json:"-"`
	Notice   string      `json:"-"`
	Backfill bool        `json:"-"`
}

// StatusInfo is a pod row as kubectl get pods prints it, plus what kubectl hides.
type StatusInfo struct {
	// Status, Ready and RestartsText are the STATUS, READY and RESTARTS cells.
	Status       string
	Ready        string
	RestartsText string
	// Restarts is the number at the start of RestartsText.
	Restarts int
	// TotalRestarts is the sum of restartCount over the pod's init and app
	// containers. Unlike the RESTARTS cell, which kubectl switches from the
	// init containers' count to the app containers' once init has finished,
	// it never goes back.
	TotalRestarts int
	// PodReady is the pod's Ready condition.
	PodReady bool
	// Deleted is set when the pod is gone from the API.
	Deleted bool
	// Blocking names the init container that holds up Init:N/M, if any.
	Blocking string
	// BlockedFor is how long Blocking has been running or waiting.
	BlockedFor time.Duration
	// BackOff is the delay of a CrashLoopBackOff, parsed from the kubelet's message.
	BackOff time.Duration
	// Container is the container in CrashLoopBackOff or waiting with a reason.
	Container string
	// Created is the pod's creation time; ReadyAt the time its Ready
	// condition turned true (zero while not Ready).
	Created time.Time
	ReadyAt time.Time
}

// LogInfo is one line a container instance wrote.
type LogInfo struct {
	Container   string
	ContainerID string
	Init        bool
	Line        string
}

// EventInfo is an event of a pod or one of its owners.
type EventInfo struct {
	Type    string
	Reason  string
	Message string
	Count   int32
	// Object is the involved object as kind/name.
	Object string
}

// Sink receives timeline entries. Implementations must be safe for use by
// one goroutine at a time; the engine serialises calls.
type Sink interface {
	Emit(Entry) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(Entry) error

// Emit calls f.
func (f SinkFunc) Emit(e Entry) error { return f(e) }
