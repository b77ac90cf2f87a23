package stack

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
)

// DeployedKinds are the kinds the stack is made of (every variant and the
// database), in the order `down` deletes them: workloads first.
func DeployedKinds() ([]schema.GroupVersionKind, error) {
	objs, err := Render(RenderOptions{Variants: Variants, Database: true})
	if err != nil {
		return nil, err
	}
	seen := map[schema.GroupVersionKind]bool{}
	var kinds []schema.GroupVersionKind
	for i := len(objs) - 1; i >= 0; i-- { // reverse apply order
		gvk := objs[i].GroupVersionKind()
		if !seen[gvk] {
			seen[gvk] = true
			kinds = append(kinds, gvk)
		}
	}
	return kinds, nil
}

// dependentKinds are made by controllers from the stack's templates and carry
// its labels; `down` waits for them to go too.
var dependentKinds = []schema.GroupVersionKind{
	{Group: "apps", Version: "v1", Kind: "ReplicaSet"},
	{Version: "v1", Kind: "Pod"},
}

// Delete deletes every object of kinds labelled managed-by=kubectl-initwait
// in namespace, with foreground propagation so that ReplicaSets and pods go
// with their Deployments. It returns the kubectl-style names it deleted.
func (c *Client) Delete(ctx context.Context, namespace string, kinds []schema.GroupVersionKind, dryRun bool, report func(string)) ([]string, error) {
	var deleted []string
	fg := metav1.DeletePropagationForeground
	opts := metav1.DeleteOptions{PropagationPolicy: &fg}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	for _, gvk := range kinds {
		m, err := c.resource(gvk)
		if err != nil {
			return deleted, err
		}
		ri := c.iface(m, namespace)
		res := resourceName(m)
		list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: ManagedSelector})
		if err != nil {
			return deleted, apierr.Explain(err, "list", res, "", namespace, c.Server)
		}
		for _, item := range list.Items {
			if item.GetDeletionTimestamp() != nil {
				continue // already going
			}
			err := ri.Delete(ctx, item.GetName(), opts)
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				return deleted, apierr.Explain(err, "delete", res, item.GetName(), namespace, c.Server)
			}
			ref := Ref(&item)
			deleted = append(deleted, ref)
			if report != nil {
				report(ref)
			}
		}
	}
	return deleted, nil
}

// Remaining lists the labelled objects of kinds (and of the controllers'
// dependents) still in namespace, sorted.
func (c *Client) Remaining(ctx context.Context, namespace string, kinds []schema.GroupVersionKind) ([]string, error) {
	var left []string
	for _, gvk := range append(append([]schema.GroupVersionKind{}, kinds...), dependentKinds...) {
		m, err := c.resource(gvk)
		if err != nil {
			return nil, err
		}
		list, err := c.iface(m, namespace).List(ctx, metav1.ListOptions{LabelSelector: ManagedSelector})
		if err != nil {
			return nil, apierr.Explain(err, "list", resourceName(m), "", namespace, c.Server)
		}
		for i := range list.Items {
			left = append(left, Ref(&list.Items[i]))
		}
	}
	sort.Strings(left)
	return left, nil
}

// WaitGone polls until no labelled object is left in namespace, or timeout.
func (c *Client) WaitGone(ctx context.Context, namespace string, kinds []schema.GroupVersionKind, timeout time.Duration) error {
	var left []string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		var err error
		left, err = c.Remaining(ctx, namespace, kinds)
		return err == nil && len(left) == 0, err
	})
	if err != nil && wait.Interrupted(err) {
		return fmt.Errorf("timed out after %s waiting for %d objects to go: %s", timeout, len(left), strings.Join(left, ", "))
	}
	return err
}

// DeleteNamespace deletes namespace; with wait it returns once it is gone.
func (c *Client) DeleteNamespace(ctx context.Context, namespace string, dryRun, waitGone bool, timeout time.Duration) (bool, error) {
	ri := c.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"})
	opts := metav1.DeleteOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	err := ri.Delete(ctx, namespace, opts)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, apierr.Explain(err, "delete", "namespaces", namespace, "", c.Server)
	}
	if dryRun || !waitGone {
		return true, nil
	}
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		_, err := ri.Get(ctx, namespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, apierr.Explain(err, "get", "namespaces", namespace, "", c.Server)
	})
	if err != nil && wait.Interrupted(err) {
		return true, fmt.Errorf("timed out after %s waiting for namespace %s to go", timeout, namespace)
	}
	return true, err
}
