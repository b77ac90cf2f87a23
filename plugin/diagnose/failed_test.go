package diagnose

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// TestFailedPod: a Failed pod (a Job's pod with restartPolicy Never) names
// the container that failed it, its exit code, reason and log.
func TestFailedPod(t *testing.T) {
	exited := func(code int32, reason string) corev1.ContainerState {
		return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, Reason: reason,
			FinishedAt: metav1.NewTime(t0.Add(-43 * time.Second))}}
	}
	failed := func(mutate func(p *corev1.Pod)) *corev1.Pod {
		p := webappPod("failjob-4tg67", "postgres")
		p.Spec.RestartPolicy = corev1.RestartPolicyNever
		p.Status.Phase = corev1.PodFailed
		p.Status.InitContainerStatuses[0].State = exited(2, "Error")
		mutate(p)
		return p
	}
	tests := []struct {
		name    string
		pod     *corev1.Pod
		verdict string
		forSec  int64
		logs    bool
	}{
		{name: "init container exits 2", pod: failed(func(*corev1.Pod) {}), forSec: 43, logs: true,
			verdict: `init container "check-db-ready" exited 2 (Error); the pod failed (restartPolicy Never: no retry in this pod); it needs postgres:5432, but Service "postgres" does not exist in namespace "demo"`},
		{name: "app container OOMKilled", forSec: 43, logs: true,
			verdict: `container "webapp" exited 137 (OOMKilled): it ran out of memory; the pod failed (restartPolicy Never: no retry in this pod)`,
			pod: failed(func(p *corev1.Pod) {
				p.Status.InitContainerStatuses[0].State = exited(0, "Completed")
				p.Status.ContainerStatuses[0].State = exited(137, "OOMKilled")
				p.Status.ContainerStatuses[0].ContainerID = "containerd://9"
			})},
		{name: "deadline exceeded", forSec: 43, logs: true,
			verdict: `init container "check-db-ready" exited 2 (Error); the pod failed (DeadlineExceeded): Pod was active on the node longer than the specified deadline`,
			pod: failed(func(p *corev1.Pod) {
				p.Status.Reason, p.Status.Message = "DeadlineExceeded", "Pod was active on the node longer than the specified deadline"
			})},
		{name: "evicted, no container failed", forSec: 252,
			verdict: `the pod failed (Evicted): The node was low on resource: memory.`,
			pod: failed(func(p *corev1.Pod) {
				p.Status.Reason, p.Status.Message = "Evicted", "The node was low on resource: memory."
				p.Status.InitContainerStatuses[0].State = exited(0, "Completed")
			})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDiagnoser(map[string]string{"failjob-4tg67": "Init:Error"}, tt.pod)
			rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "pod", Name: "failjob-4tg67"})
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Pods[0]
			if p.Severity != SeverityProblem || rep.Problems != 1 || !strings.Contains(p.Verdict, tt.verdict) {
				t.Errorf("got %s %q\nwant problem containing %q", p.Severity, p.Verdict, tt.verdict)
			}
			if p.ForSeconds != tt.forSec {
				t.Errorf("for %ds, want %d", p.ForSeconds, tt.forSec)
			}
			if tt.logs && (p.Blocking == nil || len(p.Blocking.Logs) == 0 || p.Blocking.LastExitCode == nil) {
				t.Errorf("no exit code or log tail of the failed container: %+v", p.Blocking)
			}
			var text bytes.Buffer
			if err := WriteText(&text, rep); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(text.String(), "failed (): ") || tt.logs && !strings.Contains(text.String(), "    | fake logs") {
				t.Errorf("text lacks the failed container's log:\n%s", text.String())
			}
		})
	}
}

// TestDeletedPodCounts: a pod being deleted is not counted ready, even when
// it ended Succeeded (a Deployment's pod stopped by a rollout).
func TestDeletedPodCounts(t *testing.T) {
	deleted := metav1.NewTime(t0.Add(-10 * time.Second))
	tests := []struct {
		name    string
		phase   corev1.PodPhase
		ready   corev1.ConditionStatus
		verdict string
		counts  string
	}{
		{"succeeded", corev1.PodSucceeded, corev1.ConditionFalse, "being deleted (it ended Succeeded)", "0 ready, 1 progressing, 0 with a problem"},
		{"failed", corev1.PodFailed, corev1.ConditionFalse, "being deleted (it ended Failed)", "0 ready, 1 progressing, 0 with a problem"},
		{"still ready", corev1.PodRunning, corev1.ConditionTrue, "being deleted", "0 ready, 1 progressing, 0 with a problem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := webappPod("webapp-1", "postgres")
			p.DeletionTimestamp, p.Finalizers = &deleted, []string{"test/keep"}
			p.Status.Phase, p.Status.Conditions[1].Status = tt.phase, tt.ready
			d := newDiagnoser(map[string]string{"webapp-1": "Completed"}, deployment("webapp", map[string]string{"app": "webapp"}), p)
			rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Pods[0]; got.Severity != SeverityProgressing || got.Verdict != tt.verdict {
				t.Errorf("got %s %q, want progressing %q", got.Severity, got.Verdict, tt.verdict)
			}
			var text bytes.Buffer
			if err := WriteText(&text, rep); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), tt.counts) {
				t.Errorf("summary lacks %q:\n%s", tt.counts, text.String())
			}
		})
	}
}
