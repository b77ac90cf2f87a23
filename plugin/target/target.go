// Package target owns what a target is, for every command that takes one
// (watch, diagnose, and compare and up through watch): the words the user
// gives (NAME, TYPE/NAME, TYPE NAME or -l SELECTOR), the TYPE resolved the
// way kubectl resolves it (through a RESTMapper over the cluster's
// discovery, so every spelling kubectl accepts works), the kinds a target
// may be (those that run pods), and the lookup that turns it into the pod
// selector and owners to follow.
package target

import (
	"strings"

	"k8s.io/apimachinery/pkg/types"
)

// ObjectRef names an object whose events belong on the timeline.
type ObjectRef struct {
	Kind string
	Name string
	UID  types.UID
}

// String prints the ref as kind/name, the way kubectl names objects.
func (r ObjectRef) String() string { return strings.ToLower(r.Kind) + "/" + r.Name }

// Target is a resolved target: the pods matching the selectors in
// Namespace, and the owner objects whose events matter.
type Target struct {
	Namespace     string
	LabelSelector string
	FieldSelector string
	// Description names the target in messages, e.g. deployment/webapp.
	Description string
	Owners      []ObjectRef
	// Kind and Name are the workload the target names (Deployment,
	// StatefulSet, ReplicaSet, DaemonSet, Job or Pod); empty for a selector.
	Kind string
	Name string
}

// Subject is what the target's pods are described by in notices: the
// selector itself for -l, else the target's description.
func (t Target) Subject() string {
	if t.Kind == "" && t.LabelSelector != "" && strings.HasPrefix(t.Description, "pods matching ") {
		return t.LabelSelector
	}
	return t.Description
}

// HasWorkload reports whether the target names an owner whose status
// decides readiness (Deployment, StatefulSet, ReplicaSet, DaemonSet, Job).
func (t Target) HasWorkload() bool {
	switch t.Kind {
	case "Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job":
		return t.Name != ""
	}
	return false
}

// String is the target as a user would write it, with the kind's canonical
// name: deployment/webapp, or -l app=web for a selector.
func (t Target) String() string {
	if t.Kind == "" {
		return "-l " + t.LabelSelector
	}
	return strings.ToLower(t.Kind) + "/" + t.Name
}
