package diagnose

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
)

// Target is what to diagnose: a workload, a pod, or a label selector.
type Target struct {
	// Kind is deployment, statefulset, daemonset, replicaset, job or pod; empty with Selector.
	Kind string
	Name string
	// Selector is a label selector, used when Kind is empty.
	Selector string
}

// String is the target as the user would write it.
func (t Target) String() string {
	if t.Kind == "" {
		return "-l " + t.Selector
	}
	return t.Kind + "/" + t.Name
}

var kindAliases = map[string]string{
	"deployment": "deployment", "deployments": "deployment", "deploy": "deployment", "deployment.apps": "deployment",
	"statefulset": "statefulset", "statefulsets": "statefulset", "sts": "statefulset", "statefulset.apps": "statefulset",
	"daemonset": "daemonset", "daemonsets": "daemonset", "ds": "daemonset", "daemonset.apps": "daemonset",
	"replicaset": "replicaset", "replicasets": "replicaset", "rs": "replicaset", "replicaset.apps": "replicaset",
	"job": "job", "jobs": "job", "job.batch": "job",
	"pod": "pod", "pods": "pod", "po": "pod",
}

// ParseTarget reads TARGET (NAME of a Deployment, or TYPE/NAME) or a label
// selector; exactly one of them must be given.
func ParseTarget(arg, selector string) (Target, error) {
	switch {
	case arg != "" && selector != "":
		return Target{}, fmt.Errorf("give either TARGET or -l SELECTOR, not both")
	case arg == "" && selector == "":
		return Target{}, fmt.Errorf("give a TARGET (NAME, deployment/NAME, pod/NAME, statefulset/NAME, job/NAME) or -l SELECTOR")
	case selector != "":
		if _, err := labels.Parse(selector); err != nil {
			return Target{}, fmt.Errorf("bad selector %q: %w", selector, err)
		}
		return Target{Selector: selector}, nil
	}
	kind, name, found := strings.Cut(arg, "/")
	if !found {
		kind, name = "deployment", arg
	}
	canonical, ok := kindAliases[strings.ToLower(kind)]
	if !ok {
		return Target{}, fmt.Errorf("unknown target type %q in %q: use deployment, statefulset, daemonset, replicaset, job or pod", kind, arg)
	}
	if name == "" || strings.Contains(name, "/") {
		return Target{}, fmt.Errorf("bad target %q: want TYPE/NAME", arg)
	}
	return Target{Kind: canonical, Name: name}, nil
}

// ListOptions reads the target's pod selector from the cluster: the
// workload's spec.selector, the pod's name, or the label selector itself.
func (t Target) ListOptions(ctx context.Context, client kubernetes.Interface, ns string) (metav1.ListOptions, error) {
	if t.Kind == "" {
		return metav1.ListOptions{LabelSelector: t.Selector}, nil
	}
	get := metav1.GetOptions{}
	var sel *metav1.LabelSelector
	var err error
	switch t.Kind {
	case "pod":
		if _, err = client.CoreV1().Pods(ns).Get(ctx, t.Name, get); err != nil {
			return metav1.ListOptions{}, targetError(t, ns, err)
		}
		return metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", t.Name).String()}, nil
	case "deployment":
		obj, e := client.AppsV1().Deployments(ns).Get(ctx, t.Name, get)
		if err = e; e == nil {
			sel = obj.Spec.Selector
		}
	case "statefulset":
		obj, e := client.AppsV1().StatefulSets(ns).Get(ctx, t.Name, get)
		if err = e; e == nil {
			sel = obj.Spec.Selector
		}
	case "daemonset":
		obj, e := client.AppsV1().DaemonSets(ns).Get(ctx, t.Name, get)
		if err = e; e == nil {
			sel = obj.Spec.Selector
		}
	case "replicaset":
		obj, e := client.AppsV1().ReplicaSets(ns).Get(ctx, t.Name, get)
		if err = e; e == nil {
			sel = obj.Spec.Selector
		}
	case "job":
		obj, e := client.BatchV1().Jobs(ns).Get(ctx, t.Name, get)
		if err = e; e == nil {
			sel = obj.Spec.Selector
		}
	default:
		return metav1.ListOptions{}, fmt.Errorf("unknown target type %q", t.Kind)
	}
	if err != nil {
		return metav1.ListOptions{}, targetError(t, ns, err)
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return metav1.ListOptions{}, fmt.Errorf("%s has a bad selector: %w", t, err)
	}
	if s.Empty() {
		return metav1.ListOptions{}, fmt.Errorf("%s has an empty selector", t)
	}
	return metav1.ListOptions{LabelSelector: s.String()}, nil
}

// targetResources are the API resources of the target kinds, for errors.
var targetResources = map[string]string{
	"deployment": "deployments.apps", "statefulset": "statefulsets.apps", "daemonset": "daemonsets.apps",
	"replicaset": "replicasets.apps", "job": "jobs.batch", "pod": "pods",
}

// targetError words a failed read of the target on one line.
func targetError(t Target, ns string, err error) error {
	if apiNotFound(err) {
		return fmt.Errorf("%s %q not found in namespace %q", t.Kind, t.Name, ns)
	}
	return apierr.Explain(err, "get", targetResources[t.Kind], t.Name, ns, "")
}
