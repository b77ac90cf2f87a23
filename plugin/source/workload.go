package source

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// WorkloadState is what the target's owner object says about its rollout,
// judged the way `kubectl rollout status` judges it.
type WorkloadState struct {
	// Done is true when the workload has reached its desired state (for a
	// Job: its Complete condition).
	Done bool
	// Failed is set, with a one-line reason, when the workload can never get
	// there (a Job with its Failed condition, a Deployment past its progress
	// deadline).
	Failed string
	// Reason says what is still missing while not Done, e.g.
	// "statefulset/db: 1 of 2 replicas ready".
	Reason string
}

// WorkloadWatch follows the target's owner object with an informer limited
// to its name (a metadata.name field selector): one list, then a watch that
// the informer resumes by itself. No polling.
type WorkloadWatch struct {
	Client kubernetes.Interface
	Target target.Target
	// OnChange receives the state after every change of the object.
	OnChange func(WorkloadState)
}

// Run watches until ctx ends.
func (w *WorkloadWatch) Run(ctx context.Context) {
	lw, obj := w.listWatch()
	if lw == nil {
		return
	}
	report := func(o any) {
		if ro, ok := o.(runtime.Object); ok {
			w.OnChange(StateOf(ro, w.Target.Description))
		}
	}
	_, ctrl := cache.NewInformerWithOptions(cache.InformerOptions{ListerWatcher: lw, ObjectType: obj,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    func(o any) { report(o) },
			UpdateFunc: func(_, o any) { report(o) },
			DeleteFunc: func(any) { w.OnChange(WorkloadState{Reason: w.Target.Description + " was deleted"}) },
		}})
	ctrl.RunWithContext(ctx)
}

// listWatch returns the list and watch of the one object the target names.
func (w *WorkloadWatch) listWatch() (*cache.ListWatch, runtime.Object) {
	ns := w.Target.Namespace
	sel := fields.OneTermEqualSelector("metadata.name", w.Target.Name).String()
	mk := func(list func(context.Context, metav1.ListOptions) (runtime.Object, error),
		wat func(context.Context, metav1.ListOptions) (watch.Interface, error)) *cache.ListWatch {
		return &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				o.FieldSelector = sel
				return list(ctx, o)
			},
			WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				o.FieldSelector = sel
				return wat(ctx, o)
			},
		}
	}
	switch w.Target.Kind {
	case "Deployment":
		api := w.Client.AppsV1().Deployments(ns)
		return mk(func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return api.List(ctx, o) }, api.Watch), &appsv1.Deployment{}
	case "StatefulSet":
		api := w.Client.AppsV1().StatefulSets(ns)
		return mk(func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return api.List(ctx, o) }, api.Watch), &appsv1.StatefulSet{}
	case "ReplicaSet":
		api := w.Client.AppsV1().ReplicaSets(ns)
		return mk(func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return api.List(ctx, o) }, api.Watch), &appsv1.ReplicaSet{}
	case "DaemonSet":
		api := w.Client.AppsV1().DaemonSets(ns)
		return mk(func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return api.List(ctx, o) }, api.Watch), &appsv1.DaemonSet{}
	case "Job":
		api := w.Client.BatchV1().Jobs(ns)
		return mk(func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return api.List(ctx, o) }, api.Watch), &batchv1.Job{}
	}
	return nil, nil
}

// StateOf judges a workload object as `kubectl rollout status` does; desc
// names it in reasons (e.g. statefulset/db).
func StateOf(obj runtime.Object, desc string) WorkloadState {
	notYet := func(format string, a ...any) WorkloadState {
		return WorkloadState{Reason: desc + ": " + fmt.Sprintf(format, a...)}
	}
	observed := func(gen, seen int64) bool { return seen >= gen }
	switch o := obj.(type) {
	case *appsv1.Deployment:
		want := replicas(o.Spec.Replicas)
		s := o.Status
		if observed(o.Generation, s.ObservedGeneration) {
			// As kubectl rollout status: past progressDeadlineSeconds the
			// controller gives up on this rollout, and so do we.
			for _, c := range s.Conditions {
				if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
					msg := desc + " exceeded its progress deadline"
					if c.Message != "" {
						msg += ": " + c.Message
					}
					return WorkloadState{Failed: msg}
				}
			}
		}
		switch {
		case !observed(o.Generation, s.ObservedGeneration):
			return notYet("waiting for the rollout to be observed")
		case s.UpdatedReplicas < want:
			return notYet("%d of %d replicas updated", s.UpdatedReplicas, want)
		case s.Replicas > s.UpdatedReplicas:
			return notYet("%d old replicas pending termination", s.Replicas-s.UpdatedReplicas)
		case s.ReadyReplicas < want:
			return notYet("%d of %d replicas ready", s.ReadyReplicas, want)
		case s.AvailableReplicas < want:
			return notYet("%d of %d updated replicas available", s.AvailableReplicas, want)
		}
	case *appsv1.StatefulSet:
		want := replicas(o.Spec.Replicas)
		s := o.Status
		if r := replicasReason("waiting for the rollout to be observed", o.Generation, s.ObservedGeneration,
			want, s.Replicas, s.ReadyReplicas, s.AvailableReplicas); r != "" {
			return notYet("%s", r)
		}
		if o.Spec.UpdateStrategy.Type == appsv1.RollingUpdateStatefulSetStrategyType {
			partition := int32(0)
			if ru := o.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
				partition = *ru.Partition
			}
			if s.UpdatedReplicas < want-partition {
				return notYet("%d of %d replicas updated", s.UpdatedReplicas, want-partition)
			}
			if partition == 0 && s.UpdateRevision != "" && s.CurrentRevision != s.UpdateRevision {
				return notYet("waiting for the update to revision %s to finish", s.UpdateRevision)
			}
		}
	case *appsv1.ReplicaSet:
		s := o.Status
		if r := replicasReason("waiting for the spec to be observed", o.Generation, s.ObservedGeneration,
			replicas(o.Spec.Replicas), s.Replicas, s.ReadyReplicas, s.AvailableReplicas); r != "" {
			return notYet("%s", r)
		}
	case *appsv1.DaemonSet:
		s := o.Status
		switch {
		case !observed(o.Generation, s.ObservedGeneration):
			return notYet("waiting for the rollout to be observed")
		case s.UpdatedNumberScheduled < s.DesiredNumberScheduled:
			return notYet("%d of %d pods updated", s.UpdatedNumberScheduled, s.DesiredNumberScheduled)
		case s.NumberReady < s.DesiredNumberScheduled:
			return notYet("%d of %d pods ready", s.NumberReady, s.DesiredNumberScheduled)
		case s.NumberAvailable < s.DesiredNumberScheduled:
			return notYet("%d of %d pods available", s.NumberAvailable, s.DesiredNumberScheduled)
		}
	case *batchv1.Job:
		for _, c := range o.Status.Conditions {
			if c.Status != corev1.ConditionTrue {
				continue
			}
			switch c.Type {
			case batchv1.JobComplete:
				return WorkloadState{Done: true}
			case batchv1.JobFailed:
				msg := desc + " failed"
				if c.Reason != "" {
					msg += ": " + c.Reason
				}
				if c.Message != "" {
					msg += ": " + c.Message
				}
				return WorkloadState{Failed: msg}
			}
		}
		return notYet("%d succeeded, %d active, %d failed; not complete", o.Status.Succeeded, o.Status.Active, o.Status.Failed)
	default:
		return notYet("unsupported kind %T", obj)
	}
	return WorkloadState{Done: true}
}

// replicasReason is the check StatefulSets and ReplicaSets share: what they
// still lack of an observed spec and want replicas created, ready and
// available ("" when nothing); unobserved words the first.
func replicasReason(unobserved string, gen, seen int64, want, created, ready, available int32) string {
	switch {
	case seen < gen:
		return unobserved
	case created != want:
		return fmt.Sprintf("%d of %d replicas created", created, want)
	case ready < want:
		return fmt.Sprintf("%d of %d replicas ready", ready, want)
	case available < want:
		return fmt.Sprintf("%d of %d replicas available", available, want)
	}
	return ""
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}
