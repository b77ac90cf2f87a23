// Package source holds the client-go side of the timeline: resolving a
// target to the pods it owns, the pod Table watch (kubectl's STATUS column
// as the API server prints it), one log follower per container instance,
// and the event watches of the pods and their owners.
package source

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
)

// ObjectRef names an object whose events belong on the timeline.
type ObjectRef struct {
	Kind string
	Name string
	UID  types.UID
}

// String prints the ref as kind/name, the way kubectl names objects.
func (r ObjectRef) String() string { return strings.ToLower(r.Kind) + "/" + r.Name }

// Target is what to follow: the pods matching the selectors in Namespace,
// and the owner objects whose events matter.
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

// kinds maps the TYPE part of TYPE/NAME (with kubectl's short names) to a kind.
var kinds = map[string]string{
	"deployment": "Deployment", "deployments": "Deployment", "deploy": "Deployment",
	"pod": "Pod", "pods": "Pod", "po": "Pod",
	"statefulset": "StatefulSet", "statefulsets": "StatefulSet", "sts": "StatefulSet",
	"job": "Job", "jobs": "Job",
	"replicaset": "ReplicaSet", "replicasets": "ReplicaSet", "rs": "ReplicaSet",
	"daemonset": "DaemonSet", "daemonsets": "DaemonSet", "ds": "DaemonSet",
}

// ParseTarget splits NAME or TYPE/NAME into a kind and a name; a bare NAME is
// a Deployment.
func ParseTarget(s string) (kind, name string, err error) {
	typ, name, found := strings.Cut(s, "/")
	if !found {
		typ, name = "deployment", s
	}
	if name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("invalid target %q: use NAME, TYPE/NAME or -l SELECTOR", s)
	}
	typ = strings.ToLower(strings.TrimSuffix(typ, ".apps"))
	typ = strings.TrimSuffix(typ, ".batch")
	kind, ok := kinds[typ]
	if !ok {
		return "", "", fmt.Errorf("unsupported target type %q: use deployment, pod, statefulset, job, replicaset or daemonset", typ)
	}
	return kind, name, nil
}

// Resolve turns a target (NAME, TYPE/NAME) or a label selector into a Target.
// Exactly one of target and selector must be set.
func Resolve(ctx context.Context, c kubernetes.Interface, ns, target, selector string) (Target, error) {
	if (target == "") == (selector == "") {
		return Target{}, fmt.Errorf("give exactly one of a target (NAME or TYPE/NAME) and -l SELECTOR")
	}
	if selector != "" {
		if _, err := labels.Parse(selector); err != nil {
			return Target{}, fmt.Errorf("invalid selector %q: %w", selector, err)
		}
		return Target{Namespace: ns, LabelSelector: selector, Description: "pods matching " + selector}, nil
	}
	kind, name, err := ParseTarget(target)
	if err != nil {
		return Target{}, err
	}
	t := Target{Namespace: ns, Description: strings.ToLower(kind) + "/" + name, Kind: kind, Name: name}
	var (
		sel  *metav1.LabelSelector
		meta metav1.ObjectMeta
	)
	switch kind {
	case "Pod":
		p, err := c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return Target{}, apierr.Explain(err, "get", "pods", name, ns, "")
		}
		t.FieldSelector = fields.OneTermEqualSelector("metadata.name", name).String()
		t.Owners = append(t.Owners, ObjectRef{Kind: "Pod", Name: p.Name, UID: p.UID})
		return t, nil
	case "Deployment":
		d, err := c.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return Target{}, apierr.Explain(err, "get", "deployments", name, ns, "")
		}
		sel, meta = d.Spec.Selector, d.ObjectMeta
	case "StatefulSet":
		s, err := c.AppsV1().StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return Target{}, apierr.Explain(err, "get", "statefulsets", name, ns, "")
		}
		sel, meta = s.Spec.Selector, s.ObjectMeta
	case "ReplicaSet":
		r, err := c.AppsV1().ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return Target{}, apierr.Explain(err, "get", "replicasets", name, ns, "")
		}
		sel, meta = r.Spec.Selector, r.ObjectMeta
	case "DaemonSet":
		d, err := c.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return Target{}, apierr.Explain(err, "get", "daemonsets", name, ns, "")
		}
		sel, meta = d.Spec.Selector, d.ObjectMeta
	case "Job":
		j, err := c.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return Target{}, apierr.Explain(err, "get", "jobs", name, ns, "")
		}
		sel, meta = j.Spec.Selector, j.ObjectMeta
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return Target{}, fmt.Errorf("%s has an invalid selector: %w", t.Description, err)
	}
	if s.Empty() {
		return Target{}, fmt.Errorf("%s has an empty selector", t.Description)
	}
	t.LabelSelector = s.String()
	t.Owners = append(t.Owners, ObjectRef{Kind: kind, Name: meta.Name, UID: meta.UID})
	return t, nil
}
