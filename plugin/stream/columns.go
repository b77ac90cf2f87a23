package stream

import (
	"strings"
	"unicode/utf8"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

const (
	// maxGeneratedPrefix is how much of a generateName the API server keeps
	// before it adds 5 random characters (63 − 5).
	maxGeneratedPrefix = 58
	// templateHashLen is the longest pod-template-hash: a uint32 in
	// rand.SafeEncodeString, at most 10 characters.
	templateHashLen = 10
)

// patternWidth is how long the names of the target's pods and of its own
// events' object are, as the controllers name pods: a Deployment webapp's
// pods are webapp-<pod-template-hash>-<5>, a ReplicaSet's, a DaemonSet's and
// a Job's name-<5>, a StatefulSet's name-<ordinal> (one digit: longer
// ordinals come from the pods known at start). A selector has no pattern.
func patternWidth(t target.Target) int {
	n := len(t.Name)
	w := 0
	switch t.Kind {
	case "Deployment":
		w = min(n+1+templateHashLen+1, maxGeneratedPrefix) + 5
	case "ReplicaSet", "DaemonSet", "Job":
		w = min(n+1, maxGeneratedPrefix) + 5
	case "StatefulSet":
		w = n + 2
	case "Pod":
		w = n
	}
	for _, o := range t.Owners {
		if o.Kind != "Pod" { // a pod's own events show under its name
			w = max(w, refWidth(o.Kind, o.Name))
		}
	}
	return w
}

// refWidth is the width of an owner kind/name in the pod column.
func refWidth(kind, name string) int {
	return utf8.RuneCountInString(timeline.ShortRef(strings.ToLower(kind) + "/" + name))
}

// subjectWidth is the width of what e shows in the pod column.
func subjectWidth(e timeline.Entry) int {
	if e.Pod == "" && e.Event != nil {
		return utf8.RuneCountInString(timeline.ShortRef(e.Event.Object))
	}
	return utf8.RuneCountInString(e.Pod)
}

// columnsLocked fixes the layout before the first line is written: from
// the target's name pattern, the pods and owners seen so far and what the
// start-up hold is about to print. r.mu must be held.
func (r *runner) columnsLocked(held []timeline.Entry) {
	c := r.cfg.Columns
	if c == nil {
		c = timeline.ColumnarOf(r.sink)
	}
	if c == nil {
		return
	}
	w := max(patternWidth(r.cfg.Target), r.widest)
	for _, e := range held {
		w = max(w, subjectWidth(e))
	}
	c.SetColumns(timeline.Columns{Pod: w})
}
