package stream

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// checkReady's decision on each state a run can be in: whether it stops,
// and as Ready or as failed.
func TestCheckReady(t *testing.T) {
	selector := target.Target{LabelSelector: "app=web", Description: "pods matching app=web"}
	sts := target.Target{LabelSelector: "app=s", Description: "statefulset/s", Kind: "StatefulSet", Name: "s"}
	job := target.Target{LabelSelector: "job-name=j", Description: "job/j", Kind: "Job", Name: "j"}
	ready := timeline.StatusInfo{Status: "Running", PodReady: true}
	waiting := timeline.StatusInfo{Status: "Init:0/1"}
	completed := timeline.StatusInfo{Status: "Completed"}
	tests := []struct {
		name     string
		target   target.Target
		until    Until
		unsynced bool
		pods     []timeline.StatusInfo
		workload *source.WorkloadState
		// want is "" (runs on), "ready" or the failure.
		want string
	}{
		{"selector, every pod Ready", selector, UntilReady, false, []timeline.StatusInfo{ready, ready}, nil, "ready"},
		{"selector, one pod not Ready", selector, UntilReady, false, []timeline.StatusInfo{ready, waiting}, nil, ""},
		{"selector, no pods yet", selector, UntilReady, false, nil, nil, ""},
		{"the first list not delivered in full", selector, UntilReady, true, []timeline.StatusInfo{ready}, nil, ""},
		{"until never", selector, UntilNever, false, []timeline.StatusInfo{ready}, nil, ""},
		{"statefulset, its status not seen yet", sts, UntilReady, false, []timeline.StatusInfo{ready}, nil, ""},
		{"statefulset, pods Ready but 1 of 2 replicas", sts, UntilReady, false, []timeline.StatusInfo{ready},
			&source.WorkloadState{Reason: "statefulset/s: 1 of 2 replicas ready"}, ""},
		{"statefulset done, a pod not Ready", sts, UntilReady, false, []timeline.StatusInfo{ready, waiting},
			&source.WorkloadState{Done: true}, ""},
		{"statefulset done, its pods Ready", sts, UntilReady, false, []timeline.StatusInfo{ready, ready},
			&source.WorkloadState{Done: true}, "ready"},
		{"job running", job, UntilReady, false, []timeline.StatusInfo{waiting}, &source.WorkloadState{Reason: "job/j: running"}, ""},
		{"job complete, its pod Completed", job, UntilReady, false, []timeline.StatusInfo{completed},
			&source.WorkloadState{Done: true}, "ready"},
		{"job failed", job, UntilReady, false, []timeline.StatusInfo{waiting},
			&source.WorkloadState{Failed: "job/j failed: BackoffLimitExceeded"}, "job/j failed: BackoffLimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stopped := false
			r := &runner{cfg: Config{Target: tt.target, Until: tt.until}, synced: !tt.unsynced, workload: tt.workload,
				pods: map[types.UID]timeline.StatusInfo{}, stop: func() { stopped = true }}
			for i, p := range tt.pods {
				r.pods[types.UID(fmt.Sprint("uid-", i))] = p
			}
			r.checkReady()
			got := r.failed
			if r.ready {
				got = "ready"
			}
			if got != tt.want || stopped != (tt.want != "") {
				t.Errorf("checkReady: ready %v, failed %q, stopped %v; want %q", r.ready, r.failed, stopped, tt.want)
			}
		})
	}
}
