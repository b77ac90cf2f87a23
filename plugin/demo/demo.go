// Package demo holds the flows of the demo stack: Up (apply the stack, the
// database after a delay with --db later, stream the webapp pods until they
// are Ready) and Compare (deploy the variants side by side, apply the
// database late, measure each variant from the timeline, report, clean up).
// Like stream.Run they take their clients and a config, write to
// io.Writers and timeline sinks, and know nothing about cobra.
package demo

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Stack applies and deletes the demo's objects: *stack.Client.
type Stack interface {
	EnsureNamespace(ctx context.Context, name string, dryRun bool) (*stack.Result, error)
	PrepareDatabaseSecret(ctx context.Context, namespace string, objs []*unstructured.Unstructured) (stack.SecretOutcome, error)
	Apply(ctx context.Context, objs []*unstructured.Unstructured, o stack.ApplyOptions, report func(stack.Result)) error
	Delete(ctx context.Context, namespace string, kinds []schema.GroupVersionKind, dryRun bool, report func(string)) ([]string, error)
	DeleteNamespace(ctx context.Context, namespace string, dryRun, waitGone bool, timeout time.Duration) (bool, error)
}

var _ Stack = (*stack.Client)(nil)

// Clients are what the flows talk to the cluster with: Stack to apply and
// delete, Stream to follow the pods (Up leaves it alone when it does not
// stream the timeline).
type Clients struct {
	Stack  Stack
	Stream stream.Clients
}

// Timeline is where Up writes the timeline and, at its end, the per-pod
// summary: render.Text or render.JSON.
type Timeline interface {
	timeline.Sink
	Summary(now time.Time, pods []timeline.PodSummary) error
}
