package target

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
)

// Resolver turns a Spec into a Target: it resolves the TYPE through Mapper
// and reads the object with Client.
type Resolver struct {
	Client kubernetes.Interface
	// Mapper resolves TYPE words: genericclioptions.ConfigFlags.ToRESTMapper()
	// (cached discovery) for a real cluster, a static mapper in tests. Only
	// a spec with a TYPE needs it: a bare NAME is a Deployment.
	Mapper meta.RESTMapper
}

// Resolve checks s, resolves its TYPE and reads the object it names in
// namespace ns: a workload's spec.selector becomes the target's label
// selector, a pod's name a metadata.name field selector; the object is the
// target's owner. A selector needs no lookup.
func (r Resolver) Resolve(ctx context.Context, ns string, s Spec) (Target, error) {
	if err := s.Validate(); err != nil {
		return Target{}, err
	}
	if s.Selector != "" {
		return Target{Namespace: ns, LabelSelector: s.Selector, Description: "pods matching " + s.Selector}, nil
	}
	kind := kinds[0] // a bare NAME is a Deployment
	if s.Kind != "" {
		if r.Mapper == nil {
			return Target{}, fmt.Errorf("cannot resolve target type %q: no REST mapper", s.Kind)
		}
		var err error
		if kind, err = KindFor(r.Mapper, s.Kind); err != nil {
			return Target{}, err
		}
	}
	t := Target{Namespace: ns, Description: kind.Word() + "/" + s.Name, Kind: kind.Kind, Name: s.Name}
	obj, err := kind.read(ctx, r.Client, ns, s.Name)
	if err != nil {
		return Target{}, lookupError(kind, s.Name, ns, err)
	}
	t.Owners = []ObjectRef{{Kind: kind.Kind, Name: obj.GetName(), UID: obj.GetUID()}}
	if kind.Kind == "Pod" {
		t.FieldSelector = fields.OneTermEqualSelector("metadata.name", s.Name).String()
		return t, nil
	}
	sel := selectorOf(obj)
	ls, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return Target{}, fmt.Errorf("%s has an invalid selector: %w", t.Description, err)
	}
	if sel == nil || ls.Empty() {
		return Target{}, fmt.Errorf("%s has an empty selector", t.Description)
	}
	t.LabelSelector = ls.String()
	return t, nil
}

// NotFoundError is a target the namespace does not hold.
type NotFoundError struct {
	Kind      Kind
	Name      string
	Namespace string
	Err       error
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found in namespace %q", e.Kind.Word(), e.Name, e.Namespace)
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// lookupError words a failed read of the target: not found as
// *NotFoundError, anything else (RBAC, an unreachable server) as apierr does.
func lookupError(k Kind, name, ns string, err error) error {
	if apierrors.IsNotFound(err) {
		return &NotFoundError{Kind: k, Name: name, Namespace: ns, Err: err}
	}
	return apierr.Explain(err, "get", k.Resource.GroupResource().String(), name, ns, "")
}

// read gets the object named name of kind k.
func (k Kind) read(ctx context.Context, c kubernetes.Interface, ns, name string) (metav1.Object, error) {
	opts := metav1.GetOptions{}
	switch k.Kind {
	case "Deployment":
		return c.AppsV1().Deployments(ns).Get(ctx, name, opts)
	case "StatefulSet":
		return c.AppsV1().StatefulSets(ns).Get(ctx, name, opts)
	case "DaemonSet":
		return c.AppsV1().DaemonSets(ns).Get(ctx, name, opts)
	case "ReplicaSet":
		return c.AppsV1().ReplicaSets(ns).Get(ctx, name, opts)
	case "Job":
		return c.BatchV1().Jobs(ns).Get(ctx, name, opts)
	}
	return c.CoreV1().Pods(ns).Get(ctx, name, opts)
}

// selectorOf is a workload's spec.selector; nil for a pod.
func selectorOf(obj metav1.Object) *metav1.LabelSelector {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return o.Spec.Selector
	case *appsv1.StatefulSet:
		return o.Spec.Selector
	case *appsv1.DaemonSet:
		return o.Spec.Selector
	case *appsv1.ReplicaSet:
		return o.Spec.Selector
	case *batchv1.Job:
		return o.Spec.Selector
	}
	return nil
}
