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

func TestDiagnoseChain(t *testing.T) {
	webapp := deployment("webapp", map[string]string{"app": "webapp"})
	pgSelector := map[string]string{"app": "postgres"}
	crashing := dbPod("postgres-0", false)
	crashing.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 40s"}}
	crashing.Status.ContainerStatuses[0].RestartCount = 3
	crashing.Status.ContainerStatuses[0].LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}}
	unschedulable := dbPod("postgres-0", false)
	unschedulable.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled,
		Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient memory.",
		LastTransitionTime: metav1.NewTime(t0.Add(-time.Minute))}}}
	otherNS := webappPod("webapp-1", "postgres.db.svc.cluster.local")
	tests := []struct {
		name     string
		objs     []runtime.Object
		status   map[string]string
		severity Severity
		verdict  string
		evidence []string
		next     string
	}{
		{
			name: "no service", objs: []runtime.Object{webapp, webappPod("webapp-1", "postgres")},
			severity: SeverityProblem,
			verdict:  `check-db-ready waits for postgres:5432, but Service "postgres" does not exist in namespace "demo"`,
			evidence: []string{`namespace "demo" has no Services`, `init container "check-db-ready" (1/1), image postgres:15: running for 4m10s, 0 restarts`},
			next:     "kubectl get svc -n demo",
		},
		{
			name: "no service, others listed", objs: []runtime.Object{webapp, webappPod("webapp-1", "postgres"), service("postgresql", pgSelector)},
			severity: SeverityProblem, verdict: `Service "postgres" does not exist`,
			evidence: []string{`Services in namespace "demo": postgresql`},
		},
		{
			name: "FQDN in another namespace", objs: []runtime.Object{webapp, otherNS},
			severity: SeverityProblem, verdict: `waits for postgres.db.svc.cluster.local:5432, but Service "postgres" does not exist in namespace "db"`,
		},
		{
			name: "selector matches nothing", objs: []runtime.Object{webapp, webappPod("webapp-1", "postgres"), service("postgres", pgSelector)},
			severity: SeverityProblem, verdict: `Service "postgres" selects app=postgres, which matches no pods in namespace "demo"`,
			next: "kubectl get pods -n demo --show-labels",
		},
		{
			name: "wrong port", objs: []runtime.Object{webapp, withCommand(webappPod("webapp-1", ""), "until nc -z postgres 5433; do sleep 1; done"), service("postgres", pgSelector)},
			severity: SeverityProblem, verdict: `check-db-ready waits for postgres:5433, but Service "postgres" has no port 5433 (it has ports 5432/TCP)`,
		},
		{
			name:     "backing pod starting",
			objs:     []runtime.Object{webapp, webappPod("webapp-1", "postgres.demo"), service("postgres", pgSelector), dbPod("postgres-0", false), endpointSlice("postgres", "postgres-0", false)},
			status:   map[string]string{"webapp-1": "Init:0/1", "postgres-0": "Running"},
			severity: SeverityProgressing,
			verdict:  `check-db-ready waits for postgres.demo:5432: Service "postgres" has no ready endpoints on port 5432 ("pg" → target 5432): pod postgres-0 is Running: container "postgres" is running for 15s but not Ready yet`,
			evidence: []string{"endpoints not ready: postgres-0 (10.244.0.7)", "Service \"postgres\" selects app=postgres: postgres-0 (Running)"},
			next:     "kubectl describe pod postgres-0 -n demo",
		},
		{
			name:     "backing pod crash-looping",
			objs:     []runtime.Object{webapp, webappPod("webapp-1", "postgres"), service("postgres", pgSelector), crashing},
			status:   map[string]string{"postgres-0": "CrashLoopBackOff"},
			severity: SeverityProblem,
			verdict:  `but Service "postgres" has no ready endpoints on port 5432 ("pg" → target 5432): pod postgres-0 is CrashLoopBackOff: container "postgres" exits with code 1 (Error) (3 restarts)`,
			next:     "kubectl logs postgres-0 -n demo -c postgres --previous",
		},
		{
			name:     "backing pod unschedulable",
			objs:     []runtime.Object{webapp, webappPod("webapp-1", "postgres"), service("postgres", pgSelector), unschedulable},
			status:   map[string]string{"postgres-0": "Pending"},
			severity: SeverityProblem,
			verdict:  `pod postgres-0 is Pending, not scheduled for 1m0s: 0/1 nodes are available: 1 Insufficient memory.`,
		},
		{
			name:     "ready endpoint",
			objs:     []runtime.Object{webapp, webappPod("webapp-1", "postgres"), service("postgres", pgSelector), dbPod("postgres-0", true), endpointSlice("postgres", "postgres-0", true)},
			severity: SeverityProgressing,
			verdict:  `check-db-ready waits for postgres:5432, which is ready now (Service "postgres" has 1 ready endpoint(s) on port 5432 ("pg" → target 5432) (postgres-0 (10.244.0.7))): its next attempt should pass`,
		},
		{
			name:     "cluster IP",
			objs:     []runtime.Object{webapp, webappPod("webapp-1", "10.96.0.50"), service("postgres", pgSelector), dbPod("postgres-0", true), endpointSlice("postgres", "postgres-0", true)},
			severity: SeverityProgressing, verdict: "which is ready now", evidence: []string{`10.96.0.50 is the cluster IP of Service "postgres"`},
		},
		{
			name:     "external name",
			objs:     []runtime.Object{webapp, webappPod("webapp-1", "db.example.com")},
			severity: SeverityProgressing, verdict: "db.example.com is not a cluster Service name (external DNS): not followed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDiagnoser(tt.status, tt.objs...)
			rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Pods) != 1 {
				t.Fatalf("got %d pods, want 1", len(rep.Pods))
			}
			p := rep.Pods[0]
			if p.Severity != tt.severity || !strings.Contains(p.Verdict, tt.verdict) {
				t.Errorf("got %s %q\nwant %s containing %q", p.Severity, p.Verdict, tt.severity, tt.verdict)
			}
			all := strings.Join(p.Evidence, "\n")
			for _, e := range tt.evidence {
				if !strings.Contains(all, e) {
					t.Errorf("evidence lacks %q:\n%s", e, all)
				}
			}
			if tt.next != "" && !contains(p.Next, tt.next) {
				t.Errorf("next %q lacks %q", p.Next, tt.next)
			}
			if p.ForSeconds != 252 {
				t.Errorf("for %ds, want 252 (4m12s)", p.ForSeconds)
			}
			if want := map[Severity]int{SeverityProblem: 1}[tt.severity]; rep.Problems != want {
				t.Errorf("problems = %d, want %d", rep.Problems, want)
			}
		})
	}
}
