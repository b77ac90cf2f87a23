package timeline

import "strings"

// Columns is the layout of a text timeline. The stream fixes it once, from
// what it knows before the first line is written, so that the columns of
// the lines that follow never shift.
type Columns struct {
	// Pod is the width, in runes, of the pod column (which shows an
	// owner's events as ShortRef): the widest of the pods known at start,
	// the owners whose events show there, and the names the target's
	// controller gives its pods. 0 means nothing is known.
	Pod int
}

// Columnar is a Sink that lays out columns, such as the text renderer. The
// stream calls SetColumns once, before the first Emit.
type Columnar interface {
	SetColumns(Columns)
}

// Wrapper is a Sink that passes entries on to another (bars, a recording,
// a guard in front of the renderer); Unwrap returns that one.
type Wrapper interface {
	Unwrap() Sink
}

// ColumnarOf is s as a Columnar, or the first Columnar among the sinks s
// wraps (through Wrapper), or nil when none lays out columns.
func ColumnarOf(s Sink) Columnar {
	for s != nil {
		if c, ok := s.(Columnar); ok {
			return c
		}
		w, ok := s.(Wrapper)
		if !ok {
			return nil
		}
		s = w.Unwrap()
	}
	return nil
}

// shortKinds are kubectl's short names of the kinds whose events a
// timeline shows.
var shortKinds = map[string]string{
	"deployment":  "deploy",
	"replicaset":  "rs",
	"statefulset": "sts",
	"daemonset":   "ds",
	"pod":         "po",
}

// ShortRef is an event's object (EventInfo.Object, kind/name) as the pod
// column shows it: the kind by kubectl's short name, so that an owner's
// name fits beside its pods' (rs/webapp-5b79f89647, deploy/webapp,
// sts/db); other kinds are kept (job/migrate).
func ShortRef(object string) string {
	kind, name, ok := strings.Cut(object, "/")
	if short, known := shortKinds[kind]; ok && known {
		return short + "/" + name
	}
	return object
}
