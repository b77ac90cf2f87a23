package diagnose

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

func TestDiagnoseContainers(t *testing.T) {
	base := func(mutate func(p *corev1.Pod)) *corev1.Pod {
		p := webappPod("webapp-1", "postgres")
		mutate(p)
		return p
	}
	waiting := func(reason, msg string) corev1.ContainerState {
		return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}
	}
	done := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed",
		FinishedAt: metav1.NewTime(t0.Add(-time.Minute))}}
	tests := []struct {
		name     string
		pod      *corev1.Pod
		objs     []runtime.Object
		severity Severity
		verdict  string
		evidence string
		forSec   int64
	}{
		{name: "ready", severity: SeverityOK, verdict: "Ready", pod: base(func(p *corev1.Pod) {
			p.Status.Conditions[1].Status = corev1.ConditionTrue
		})},
		{name: "image pull", severity: SeverityProblem, verdict: `check-db-ready cannot pull image "postgres:15" (ImagePullBackOff)`,
			evidence: "Back-off pulling image", forSec: 252, pod: base(func(p *corev1.Pod) {
				p.Status.InitContainerStatuses[0].State = waiting("ImagePullBackOff", `Back-off pulling image "postgres:15"`)
			})},
		{name: "missing secret", severity: SeverityProblem, forSec: 252,
			verdict: `check-db-ready cannot be created (CreateContainerConfigError): Secret "db" does not exist in namespace "demo" (needed by env PGPASSWORD of container "check-db-ready")`,
			pod: base(func(p *corev1.Pod) {
				p.Spec.InitContainers[0].Env = []corev1.EnvVar{{Name: "PGPASSWORD", ValueFrom: &corev1.EnvVarSource{
					SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}}
				p.Status.InitContainerStatuses[0].State = waiting("CreateContainerConfigError", `secret "db" not found`)
			})},
		{name: "missing key", severity: SeverityProblem, forSec: 252,
			objs:    []runtime.Object{&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}, Data: map[string][]byte{"user": []byte("x")}}},
			verdict: `Secret "db" has no key "password"`,
			pod: base(func(p *corev1.Pod) {
				p.Spec.InitContainers[0].Env = []corev1.EnvVar{{Name: "PGPASSWORD", ValueFrom: &corev1.EnvVarSource{
					SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}}
				p.Status.InitContainerStatuses[0].State = waiting("CreateContainerConfigError", `couldn't find key password in Secret demo/db`)
			})},
		{name: "missing configmap volume", severity: SeverityProblem, forSec: 252,
			verdict: `check-db-ready cannot start: ConfigMap "cfg" does not exist in namespace "demo" (needed by volume "config")`,
			pod: base(func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}}}
				p.Status.InitContainerStatuses[0].State = waiting("PodInitializing", "")
				p.Status.InitContainerStatuses[0].ContainerID = ""
			})},
		{name: "optional configmap volume", severity: SeverityProgressing, forSec: 252, verdict: "check-db-ready is being created",
			pod: base(func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, Optional: ptr(true)}}}}
				p.Status.InitContainerStatuses[0].State = waiting("PodInitializing", "")
			})},
		{name: "init crash loop OOMKilled", severity: SeverityProblem, forSec: 252,
			verdict: `check-db-ready exits with code 137 (OOMKilled): it needs more than its memory limit of 16Mi and is restarted with back-off (4 restarts); it needs postgres:5432, but Service "postgres" does not exist`,
			pod: base(func(p *corev1.Pod) {
				p.Spec.InitContainers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("16Mi")}
				s := &p.Status.InitContainerStatuses[0]
				s.State, s.RestartCount = waiting("CrashLoopBackOff", "back-off 1m20s"), 4
				s.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}}
			})},
		{name: "second of two init containers", severity: SeverityProblem, forSec: 60,
			verdict: `check-db-ready waits for postgres:5432, but Service "postgres" does not exist`, evidence: `init container "check-db-ready" (2/2)`,
			pod: base(func(p *corev1.Pod) {
				p.Spec.InitContainers = append([]corev1.Container{{Name: "migrate", Image: "busybox"}}, p.Spec.InitContainers...)
				p.Status.InitContainerStatuses = append([]corev1.ContainerStatus{{Name: "migrate", State: done}}, p.Status.InitContainerStatuses...)
			})},
		{name: "native sidecar not started", severity: SeverityProgressing, forSec: 252,
			verdict: `proxy has been running for 4m12s; no dependency recognised`, evidence: `sidecar init container "proxy" (1/2, restartPolicy Always)`,
			pod: base(func(p *corev1.Pod) {
				p.Spec.InitContainers = append([]corev1.Container{{Name: "proxy", Image: "envoy", RestartPolicy: ptr(corev1.ContainerRestartPolicyAlways)}}, p.Spec.InitContainers...)
				p.Status.InitContainerStatuses = append([]corev1.ContainerStatus{{Name: "proxy", Started: ptr(false),
					State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(start)}}}}, p.Status.InitContainerStatuses...)
			})},
		{name: "native sidecar started, next init blocks", severity: SeverityProblem, forSec: 250,
			verdict: `check-db-ready waits for postgres:5432, but Service "postgres" does not exist`,
			pod: base(func(p *corev1.Pod) {
				p.Spec.InitContainers = append([]corev1.Container{{Name: "proxy", Image: "envoy", RestartPolicy: ptr(corev1.ContainerRestartPolicyAlways)}}, p.Spec.InitContainers...)
				p.Status.InitContainerStatuses = append([]corev1.ContainerStatus{{Name: "proxy", Started: ptr(true),
					State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(start.Add(2 * time.Second))}}}}, p.Status.InitContainerStatuses...)
			})},
		{name: "app container crash loop", severity: SeverityProblem, forSec: 60,
			verdict: `webapp exits with code 1 (Error) and is restarted with back-off (2 restarts)`,
			pod: base(func(p *corev1.Pod) {
				p.Status.InitContainerStatuses[0].State = done
				p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "webapp", RestartCount: 2, ContainerID: "containerd://3",
					State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}}}
			})},
		{name: "app running not ready", severity: SeverityProgressing, forSec: 60,
			verdict: `webapp is running but not Ready (Readiness probe failed: HTTP probe failed with statuscode: 503)`,
			objs: []runtime.Object{&corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e1", Namespace: ns}, Type: "Warning", Reason: "Unhealthy",
				Message: "Readiness probe failed: HTTP probe failed with statuscode: 503", LastTimestamp: metav1.NewTime(t0.Add(-5 * time.Second)),
				InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "webapp-1", Namespace: ns}}},
			evidence: "event Unhealthy, 5s ago: Readiness probe failed",
			pod: base(func(p *corev1.Pod) {
				p.Status.InitContainerStatuses[0].State = done
				p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "webapp", ContainerID: "containerd://3",
					State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0.Add(-50 * time.Second))}}}
			})},
		{name: "unschedulable", severity: SeverityProblem, forSec: 252, verdict: `not scheduled (Unschedulable): 0/1 nodes are available`,
			pod: base(func(p *corev1.Pod) {
				p.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled,
					Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 node(s) had untolerated taint."}}}
			})},
		{name: "host from readable secret", severity: SeverityProblem, forSec: 252,
			objs:    []runtime.Object{&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}, Data: map[string][]byte{"host": []byte("pg-main")}}},
			verdict: `check-db-ready waits for pg-main:5432, but Service "pg-main" does not exist`,
			pod: base(func(p *corev1.Pod) {
				p.Spec.InitContainers[0].Command = []string{"sh", "-c", "until pg_isready -h $(DB_HOST); do sleep 2; done"}
				p.Spec.InitContainers[0].Env = []corev1.EnvVar{{Name: "DB_HOST", ValueFrom: &corev1.EnvVarSource{
					SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "host"}}}}
			})},
		{name: "host from missing secret", severity: SeverityProblem, forSec: 252,
			verdict: `check-db-ready waits for $DB_HOST:5432, but its host $DB_HOST could not be read: DB_HOST from Secret "db" key "host" (Secret "db" does not exist)`,
			pod: base(func(p *corev1.Pod) {
				p.Spec.InitContainers[0].Command = []string{"sh", "-c", "until pg_isready -h $DB_HOST; do sleep 2; done"}
				p.Spec.InitContainers[0].Env = []corev1.EnvVar{{Name: "DB_HOST", ValueFrom: &corev1.EnvVarSource{
					SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "host"}}}}
			})},
		{name: "pg_isready without host", severity: SeverityProblem, forSec: 252, verdict: `pg_isready has no -h host: it probes the local Unix socket`,
			pod: base(func(p *corev1.Pod) { p.Spec.InitContainers[0].Command = []string{"pg_isready"} })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := append([]runtime.Object{deployment("webapp", map[string]string{"app": "webapp"}), tt.pod}, tt.objs...)
			rep, err := newDiagnoser(nil, objs...).Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Pods[0]
			if p.Severity != tt.severity || !strings.Contains(p.Verdict, tt.verdict) {
				t.Errorf("got %s %q\nwant %s containing %q", p.Severity, p.Verdict, tt.severity, tt.verdict)
			}
			if tt.evidence != "" && !strings.Contains(strings.Join(p.Evidence, "\n"), tt.evidence) {
				t.Errorf("evidence lacks %q:\n%s", tt.evidence, strings.Join(p.Evidence, "\n"))
			}
			if p.Severity != SeverityOK && p.ForSeconds != tt.forSec {
				t.Errorf("for %ds, want %d", p.ForSeconds, tt.forSec)
			}
		})
	}
}

func TestDiagnoseBadInput(t *testing.T) {
	d := newDiagnoser(nil, deployment("webapp", map[string]string{"app": "webapp"}))
	for target, want := range map[target.Spec]string{
		{Kind: "deployment", Name: "nope"}:   `deployment "nope" not found in namespace "demo"`,
		{Kind: "pod", Name: "nope"}:          `pod "nope" not found in namespace "demo"`,
		{Kind: "deployment", Name: "webapp"}: `no pods match deployment/webapp (selector app=webapp) in namespace "demo"`,
		{Selector: "app=x"}:                  `no pods match -l app=x (selector app=x) in namespace "demo"`,
	} {
		_, err := d.Diagnose(context.Background(), ns, target)
		if err == nil || err.Error() != want {
			t.Errorf("Diagnose(%v) error = %v, want %q", target, err, want)
		}
	}
}

func TestRender(t *testing.T) {
	d := newDiagnoser(map[string]string{"webapp-1": "Init:0/1"}, deployment("webapp", map[string]string{"app": "webapp"}), webappPod("webapp-1", "postgres"))
	rep, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := WriteText(&text, rep); err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(text.String(), "\n", 2)[0]
	want := `webapp-1: Init:0/1 for 4m12s — check-db-ready waits for postgres:5432, but Service "postgres" does not exist in namespace "demo"`
	if first != want {
		t.Errorf("first line\n got %q\nwant %q", first, want)
	}
	for _, s := range []string{"  next: kubectl logs webapp-1 -n demo -c check-db-ready\n", "        kubectl get svc -n demo\n",
		"    | fake logs\n", `1 pod(s) of deployment/webapp in namespace "demo": 0 ready, 0 progressing, 1 with a problem`} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, text.String())
		}
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	p := back.Pods[0]
	if back.Problems != 1 || p.Status != "Init:0/1" || p.ForSeconds != 252 || p.Blocking.Name != "check-db-ready" ||
		len(p.Dependencies) != 1 || p.Dependencies[0].Host != "postgres" || p.Dependencies[0].Port != 5432 || p.Dependencies[0].OK {
		t.Errorf("JSON round trip lost content: %s", js.String())
	}
}

func TestLogGone(t *testing.T) {
	if !logGone([]string{"unable to retrieve container logs for containerd://3dedf"}) || logGone([]string{"waiting for database"}) || logGone(nil) {
		t.Error("logGone misjudges the kubelet's answer for a removed container")
	}
}

func TestSummarizeLog(t *testing.T) {
	in := "start\nwaiting for database\nWaiting for DB\nerror\nwaiting for database\n6\n7"
	s, err := summarizeLog(strings.NewReader(in), 3)
	if err != nil {
		t.Fatal(err)
	}
	if s.waitingLines != 3 || strings.Join(s.tail, "|") != "waiting for database|6|7" {
		t.Errorf("got %d lines, tail %q", s.waitingLines, s.tail)
	}
}

func TestDiagnoseForbidden(t *testing.T) {
	tests := []struct {
		verb, group, resource, want string
	}{
		{"get", "apps", "deployments", `forbidden: User "jane" cannot get deployments.apps in namespace "demo"`},
		{"list", "", "pods", `forbidden: User "jane" cannot list pods in namespace "demo"`},
	}
	for _, tt := range tests {
		d := newDiagnoser(nil, deployment("webapp", map[string]string{"app": "webapp"}), webappPod("webapp-1", "postgres"))
		d.Client.(*fake.Clientset).PrependReactor(tt.verb, tt.resource, func(action k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierr.RBACForbidden("jane", tt.verb, schema.GroupResource{Group: tt.group, Resource: tt.resource}, "", ns)
		})
		_, err := d.Diagnose(context.Background(), ns, target.Spec{Kind: "deployment", Name: "webapp"})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s %s refused: error = %v, want %q", tt.verb, tt.resource, err, tt.want)
		}
	}
}
