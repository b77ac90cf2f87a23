package diagnose

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// unhealthy is a readiness probe failure event on a container of pod, seen count times.
func unhealthy(pod, container string, count int32, series bool) *corev1.Event {
	e := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: pod + "-unhealthy", Namespace: ns}, Type: "Warning", Reason: "Unhealthy",
		Message: "Readiness probe failed: HTTP probe failed with statuscode: 503", Count: count,
		LastTimestamp:  metav1.NewTime(t0.Add(-2 * time.Second)),
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod, Namespace: ns, FieldPath: "spec.containers{" + container + "}"}}
	if series {
		e.Count, e.Series = 0, &corev1.EventSeries{Count: count}
	}
	return e
}

// TestRunningNotReady: a container that runs but never becomes Ready is
// progressing within its readiness budget and a problem past it (with
// repeated probe failures) or past the cap (without).
func TestRunningNotReady(t *testing.T) {
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/readyz"}}, PeriodSeconds: 1, FailureThreshold: 1}
	slow := &corev1.Probe{ProbeHandler: probe.ProbeHandler, InitialDelaySeconds: 60, PeriodSeconds: 10, FailureThreshold: 3}
	app := func(running time.Duration, p *corev1.Probe) *corev1.Pod {
		pod := webappPod("webapp-1", "postgres")
		pod.Spec.Containers[0].ReadinessProbe = p
		pod.Status.InitContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0,
			FinishedAt: metav1.NewTime(t0.Add(-running - time.Second))}}
		pod.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "webapp", ContainerID: "containerd://3", Started: ptr(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0.Add(-running))}}}
		return pod
	}
	tests := []struct {
		name     string
		pod      *corev1.Pod
		objs     []runtime.Object
		severity Severity
		verdict  string
	}{
		{"within the minimum budget", app(20*time.Second, probe), []runtime.Object{unhealthy("webapp-1", "webapp", 20, false)}, SeverityProgressing,
			"webapp is running but not Ready (Readiness probe failed"},
		{"past the budget, probe failing", app(time.Minute, probe), []runtime.Object{unhealthy("webapp-1", "webapp", 60, false)}, SeverityProblem,
			"webapp has been running for 1m0s but is not Ready: Unhealthy ×60: Readiness probe failed: HTTP probe failed with statuscode: 503, beyond its readiness budget of 30s (readiness initialDelaySeconds 0 + 1 × periodSeconds 1 = 1s, raised to the minimum)"},
		{"past the budget, event series", app(time.Minute, probe), []runtime.Object{unhealthy("webapp-1", "webapp", 60, true)}, SeverityProblem, "Unhealthy ×60"},
		{"past the budget, one failure", app(time.Minute, probe), []runtime.Object{unhealthy("webapp-1", "webapp", 1, false)}, SeverityProgressing, "is running but not Ready"},
		{"failures of another container", app(time.Minute, probe), []runtime.Object{unhealthy("webapp-1", "proxy", 60, false)}, SeverityProgressing, "is running but not Ready"},
		{"within a long budget", app(80*time.Second, slow), []runtime.Object{unhealthy("webapp-1", "webapp", 3, false)}, SeverityProgressing, "is running but not Ready"},
		{"past a long budget", app(100*time.Second, slow), []runtime.Object{unhealthy("webapp-1", "webapp", 3, false)}, SeverityProblem,
			"beyond its readiness budget of 1m30s (readiness initialDelaySeconds 60 + 3 × periodSeconds 10)"},
		{"past the cap, no events", app(4*time.Minute, probe), nil, SeverityProblem,
			"webapp has been running for 4m0s but is not Ready: not Ready after more than 3m0s"},
		{"under the cap, no events", app(2*time.Minute, probe), nil, SeverityProgressing, "webapp is running but not Ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDiagnoser(nil, append([]runtime.Object{deployment("webapp", map[string]string{"app": "webapp"}), tt.pod}, tt.objs...)...)
			rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Pods[0]
			if p.Severity != tt.severity || !strings.Contains(p.Verdict, tt.verdict) {
				t.Errorf("got %s %q\nwant %s containing %q", p.Severity, p.Verdict, tt.severity, tt.verdict)
			}
			if tt.severity == SeverityProblem && !contains(p.Next, "kubectl describe pod webapp-1 -n demo") {
				t.Errorf("next %q lacks describe", p.Next)
			}
		})
	}
}

// TestBackingNotReady: a database pod that runs but never becomes Ready
// makes the dependency a problem past its budget, with the events as evidence.
func TestBackingNotReady(t *testing.T) {
	db := func(running time.Duration) *corev1.Pod {
		p := dbPod("postgres-0", false)
		p.Spec.Containers[0].ReadinessProbe = &corev1.Probe{PeriodSeconds: 2, FailureThreshold: 1}
		p.Status.ContainerStatuses[0].State.Running.StartedAt = metav1.NewTime(t0.Add(-running))
		return p
	}
	tests := []struct {
		name     string
		db       *corev1.Pod
		events   int32
		severity Severity
		verdict  string
		evidence string
		next     string
	}{
		{"starting", db(15 * time.Second), 5, SeverityProgressing, `container "postgres" is running for 15s but not Ready yet`, "postgres-0: Unhealthy ×5: Readiness probe failed", ""},
		{"never ready", db(4 * time.Minute), 120, SeverityProblem,
			`check-db-ready waits for postgres:5432, but Service "postgres" has no ready endpoints on port 5432 ("pg" → target 5432): pod postgres-0 is Running: container "postgres" has been running for 4m0s but is not Ready: Unhealthy ×120`,
			"postgres-0: Unhealthy ×120: Readiness probe failed", "kubectl logs postgres-0 -n demo -c postgres"},
		{"no events, past the cap", db(4 * time.Minute), 0, SeverityProblem, "not Ready after more than 3m0s", "", "kubectl describe pod postgres-0 -n demo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := []runtime.Object{deployment("webapp", map[string]string{"app": "webapp"}), webappPod("webapp-1", "postgres"),
				service("postgres", map[string]string{"app": "postgres"}), tt.db, endpointSlice("postgres", "postgres-0", false)}
			if tt.events > 0 {
				objs = append(objs, unhealthy("postgres-0", "postgres", tt.events, false))
			}
			d := newDiagnoser(map[string]string{"postgres-0": "Running"}, objs...)
			rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Pods[0]
			if p.Severity != tt.severity || !strings.Contains(p.Verdict, tt.verdict) {
				t.Errorf("got %s %q\nwant %s containing %q", p.Severity, p.Verdict, tt.severity, tt.verdict)
			}
			if all := strings.Join(p.Evidence, "\n"); !strings.Contains(all, tt.evidence) {
				t.Errorf("evidence lacks %q:\n%s", tt.evidence, all)
			}
			if tt.next != "" && !contains(p.Next, tt.next) {
				t.Errorf("next %q lacks %q", p.Next, tt.next)
			}
		})
	}
}
