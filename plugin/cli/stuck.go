package cli

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/demo"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/localcluster"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stuck"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stuckwatch"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// detectCluster recognises the local cluster of the kubeconfig from its
// context's name and its nodes (listed within 5 s; without the right to
// list nodes, the context alone). Any failure means an unknown cluster.
func detectCluster(flags *genericclioptions.ConfigFlags, kube kubernetes.Interface) demo.DetectCluster {
	return func(ctx context.Context) localcluster.Cluster {
		var kubeContext string
		if flags != nil {
			if raw, err := flags.ToRawKubeConfigLoader().RawConfig(); err == nil {
				kubeContext = raw.CurrentContext
			}
			if flags.Context != nil && *flags.Context != "" {
				kubeContext = *flags.Context
			}
		}
		var nodes []corev1.Node
		if kube != nil {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if list, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 10}); err == nil {
				nodes = list.Items
			}
		}
		return localcluster.Detect(kubeContext, nodes)
	}
}

// stuckHints puts a stuckwatch in front of sink for watch: each container
// of the target that can never start by itself is said once, as a notice
// in the timeline, and the watch goes on. stop ends it and waits.
func (o *WatchOptions) stuckHints(ctx context.Context, tgt target.Target, sink timeline.Sink) (guarded timeline.Sink, stop func()) {
	w := &stuckwatch.Watch{Tables: o.Clients.Tables, Target: tgt, Clock: o.Clock}
	found := make(chan stuck.Finding, 16)
	w.OnStuck = func(f stuck.Finding) { // inside the timeline's Emit, maybe: only hand it over
		select {
		case found <- f:
		default: // sixteen unsaid already: enough
		}
	}
	guarded = w.Sink(sink)
	ctx, cancel := context.WithCancel(ctx)
	detect := detectCluster(o.ConfigFlags, o.Clients.Kube)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		_ = w.Run(ctx) // a pod list that fails fails the timeline too, which says so
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		var cluster *localcluster.Cluster
		for {
			select {
			case <-ctx.Done():
				return
			case f := <-found:
				if cluster == nil {
					c := detect(ctx)
					cluster = &c
				}
				line := stuck.Line(f, stuck.Advice{Cluster: *cluster, Diagnose: true})
				_ = w.Emit(timeline.Entry{Time: o.Clock.Now(), Kind: timeline.KindNotice, Namespace: f.Namespace, Pod: f.Pod,
					Notice: fmt.Sprintf("will not start by itself: %s", line)})
			}
		}
	}()
	return guarded, func() { cancel(); <-done; <-done }
}
