package diagnose

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
)

// ObjectReader reads the workloads a wait on a Kubernetes object follows
// (k8s-wait-for, kubectl wait / rollout status / get) and asks whether a
// ServiceAccount may read them. Both of diagnose's readers answer through
// one objectCache: a request per distinct object or question in the run,
// never per pod.
type ObjectReader interface {
	// Workloads returns the jobs, deployments, statefulsets or daemonsets
	// (kind, lower case) of namespace named name, or matching selector when
	// name is empty; a missing named object is an empty list.
	Workloads(ctx context.Context, kind, namespace, name, selector string) ([]runtime.Object, error)
	// MayServiceAccount asks the API server with a SubjectAccessReview
	// whether ServiceAccount sa of saNamespace may verb resource (of API
	// group) in namespace.
	MayServiceAccount(ctx context.Context, q accessQuestion) (accessAnswer, error)
	// PodsOnNode lists the pods of every namespace bound to node (for the
	// writers of a hostPath file).
	PodsOnNode(ctx context.Context, node string) ([]corev1.Pod, error)
}

// accessQuestion is one SubjectAccessReview.
type accessQuestion struct {
	saNamespace, sa             string
	verb, group, resource, name string
	namespace                   string
}

// accessAnswer is the API server's answer.
type accessAnswer struct {
	allowed bool
	// reason is the authorizer's reason, if it gave one.
	reason string
}

// objectCache implements ObjectReader with one request per distinct object
// or question; errors are kept too.
type objectCache struct {
	client    kubernetes.Interface
	workloads map[string]cached[[]runtime.Object]
	access    map[accessQuestion]cached[accessAnswer]
	nodePods  map[string]cached[[]corev1.Pod]
	// requests counts the requests made.
	requests int
}

type cached[T any] struct {
	v   T
	err error
}

func newObjectCache(client kubernetes.Interface) *objectCache {
	return &objectCache{client: client, workloads: map[string]cached[[]runtime.Object]{},
		access: map[accessQuestion]cached[accessAnswer]{}, nodePods: map[string]cached[[]corev1.Pod]{}}
}

// Workloads implements ObjectReader.
func (c *objectCache) Workloads(ctx context.Context, kind, ns, name, selector string) ([]runtime.Object, error) {
	key := kind + "/" + ns + "/" + name + "/" + selector
	if got, ok := c.workloads[key]; ok {
		return got.v, got.err
	}
	c.requests++
	list, err := c.readWorkloads(ctx, kind, ns, name, selector)
	if apierrors.IsNotFound(err) && name != "" {
		list, err = nil, nil
	}
	c.workloads[key] = cached[[]runtime.Object]{list, err}
	return list, err
}

func (c *objectCache) readWorkloads(ctx context.Context, kind, ns, name, selector string) ([]runtime.Object, error) {
	opts := metav1.ListOptions{LabelSelector: selector}
	switch kind {
	case "job":
		api := c.client.BatchV1().Jobs(ns)
		return getOrList(ctx, name, opts, api.Get, api.List, func(l *batchv1.JobList) []batchv1.Job { return l.Items })
	case "deployment":
		api := c.client.AppsV1().Deployments(ns)
		return getOrList(ctx, name, opts, api.Get, api.List, func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items })
	case "statefulset":
		api := c.client.AppsV1().StatefulSets(ns)
		return getOrList(ctx, name, opts, api.Get, api.List, func(l *appsv1.StatefulSetList) []appsv1.StatefulSet { return l.Items })
	case "daemonset":
		api := c.client.AppsV1().DaemonSets(ns)
		return getOrList(ctx, name, opts, api.Get, api.List, func(l *appsv1.DaemonSetList) []appsv1.DaemonSet { return l.Items })
	}
	return nil, fmt.Errorf("diagnose does not follow %ss", kind)
}

// getOrList gets the object named name, or lists those opts select.
func getOrList[T any, L any, PT interface {
	*T
	runtime.Object
}](ctx context.Context, name string, opts metav1.ListOptions,
	get func(context.Context, string, metav1.GetOptions) (PT, error),
	list func(context.Context, metav1.ListOptions) (*L, error), itemsOf func(*L) []T) ([]runtime.Object, error) {
	if name != "" {
		o, err := get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return []runtime.Object{o}, nil
	}
	l, err := list(ctx, opts)
	if err != nil {
		return nil, err
	}
	all := itemsOf(l)
	out := make([]runtime.Object, 0, len(all))
	for i := range all {
		out = append(out, PT(&all[i]))
	}
	return out, nil
}

// MayServiceAccount implements ObjectReader with a SubjectAccessReview for
// the ServiceAccount's user and groups, as the authorizer sees its token.
func (c *objectCache) MayServiceAccount(ctx context.Context, q accessQuestion) (accessAnswer, error) {
	if got, ok := c.access[q]; ok {
		return got.v, got.err
	}
	c.requests++
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:   serviceAccountUser(q.saNamespace, q.sa),
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + q.saNamespace, "system:authenticated"},
		ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: q.namespace, Verb: q.verb,
			Group: q.group, Resource: q.resource, Name: q.name},
	}}
	var a accessAnswer
	got, err := c.client.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
	if err == nil {
		a = accessAnswer{allowed: got.Status.Allowed, reason: got.Status.Reason}
		if !got.Status.Allowed && got.Status.EvaluationError != "" && got.Status.Reason == "" {
			a.reason = got.Status.EvaluationError
		}
	}
	c.access[q] = cached[accessAnswer]{a, err}
	return a, err
}

func serviceAccountUser(ns, sa string) string { return "system:serviceaccount:" + ns + ":" + sa }

// PodsOnNode implements ObjectReader with one list per node.
func (c *objectCache) PodsOnNode(ctx context.Context, node string) ([]corev1.Pod, error) {
	if got, ok := c.nodePods[node]; ok {
		return got.v, got.err
	}
	c.requests++
	var pods []corev1.Pod
	list, err := c.client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err == nil {
		pods = list.Items
	}
	c.nodePods[node] = cached[[]corev1.Pod]{pods, err}
	return pods, err
}
