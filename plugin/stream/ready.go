package stream

import (
	"fmt"
	"sort"
	"strings"
)

// checkReady stops the run when, with UntilReady, the target is Ready: it is
// called only once the first list has been delivered in full and then after
// watch events, never in the middle of a list.
//
// A target with a workload (Deployment, StatefulSet, ReplicaSet, DaemonSet)
// is Ready when its owner's status says the rollout is done, as `kubectl
// rollout status` judges it, and every pod seen is Ready; a Job when its
// Complete condition is true (Failed stops the run too). A pod or a selector
// is Ready when it matches at least one pod and every pod is Ready.
func (r *runner) checkReady() {
	if r.cfg.Until != UntilReady {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.synced || r.ready || r.failed != "" {
		return
	}
	if r.cfg.Target.HasWorkload() {
		w := r.workload
		switch {
		case w == nil:
			return
		case w.Failed != "":
			r.failed = w.Failed
			r.stop()
			return
		case !w.Done:
			return
		}
		if r.cfg.Target.Kind == "Job" {
			r.ready = true
			r.stop()
			return
		}
	} else if len(r.pods) == 0 {
		return
	}
	for _, s := range r.pods {
		if !s.PodReady {
			return
		}
	}
	r.ready = true
	r.stop()
}

// NotReady says in one line why the target is not Ready: what its owner
// still lacks, and the pods that are not Ready as "NAME is STATUS", sorted.
// It is never empty.
func (r Result) NotReady() string {
	if r.Failed != "" {
		return r.Failed
	}
	var out []string
	for name, s := range r.Pods {
		if !s.PodReady && s.Status != "Completed" {
			out = append(out, fmt.Sprintf("%s is %s", name, s.Status))
		}
	}
	sort.Strings(out)
	if r.Workload != "" {
		out = append([]string{r.Workload}, out...)
	}
	switch {
	case len(out) > 0:
		return strings.Join(out, ", ")
	case len(r.Pods) == 0:
		return "no pods matched"
	case len(r.Pods) == 1:
		return "its 1 pod is Ready"
	default:
		return fmt.Sprintf("all %d pods are Ready", len(r.Pods))
	}
}
