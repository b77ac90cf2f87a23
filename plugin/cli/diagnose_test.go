package cli

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target/targettest"
)

// phasePods lists pods from a fake clientset with their phase as STATUS.
type phasePods struct{ client kubernetes.Interface }

func (p phasePods) ListPods(ctx context.Context, ns string, opts metav1.ListOptions) ([]diagnose.PodRow, error) {
	list, err := p.client.CoreV1().Pods(ns).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	var rows []diagnose.PodRow
	for i := range list.Items {
		rows = append(rows, diagnose.PodRow{Pod: &list.Items[i], Status: string(list.Items[i].Status.Phase)})
	}
	return rows, nil
}

func diagnoseFixture(ready bool) []runtime.Object {
	cond := corev1.ConditionFalse
	if ready {
		cond = corev1.ConditionTrue
	}
	started := metav1.NewTime(time.Date(2026, 1, 1, 11, 59, 0, 0, time.UTC))
	return []runtime.Object{
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "webapp", Namespace: "demo"},
			Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "webapp"}}}},
		&corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "webapp-1", Namespace: "demo", Labels: map[string]string{"app": "webapp"}},
			Spec: corev1.PodSpec{
				InitContainers: []corev1.Container{{Name: "check-db-ready", Image: "postgres:15",
					Command: []string{"sh", "-c", "until pg_isready -h postgres -p 5432; do echo waiting for database; sleep 2; done"}}},
				Containers: []corev1.Container{{Name: "webapp", Image: "shortener"}},
			},
			Status: corev1.PodStatus{Phase: corev1.PodPending, StartTime: &started,
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: cond}},
				InitContainerStatuses: []corev1.ContainerStatus{{Name: "check-db-ready", ContainerID: "containerd://1",
					State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}}}}},
		},
	}
}

func newTestDiagnoseOptions(objs ...runtime.Object) (*DiagnoseOptions, *strings.Builder) {
	streams, _, out, _ := genericiooptions.NewTestIOStreams()
	o := NewDiagnoseOptions(genericclioptions.NewConfigFlags(false), streams)
	client := fake.NewClientset(objs...)
	o.Client, o.Mapper, o.Pods, o.Namespace = client, targettest.Mapper(), phasePods{client}, "demo"
	o.Clock = clocktesting.NewFakePassiveClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	sb := &strings.Builder{}
	o.Out = sb
	_ = out
	return o, sb
}

func TestDiagnoseRun(t *testing.T) {
	tests := []struct {
		name, target, selector, output string
		objs                           []runtime.Object
		wantErr, wantOut               string
	}{
		{name: "missing service", target: "webapp", objs: diagnoseFixture(false),
			wantErr: "problem found: 1 of 1 pod(s) of deployment/webapp will not become Ready without a change",
			wantOut: `webapp-1: Pending for 1m0s — check-db-ready waits for postgres:5432, but Service "postgres" does not exist in namespace "demo"`},
		{name: "ready", target: "deployment/webapp", objs: diagnoseFixture(true), wantOut: "webapp-1: Pending — Ready"},
		{name: "TYPE NAME", target: "deployments.v1.apps webapp", objs: diagnoseFixture(true), wantOut: "webapp-1: Pending — Ready"},
		{name: "not a target kind", target: "svc webapp", objs: diagnoseFixture(true), wantErr: `unsupported target type "svc" (Service): use a kind that runs pods`},
		{name: "selector json", selector: "app=webapp", output: "json", objs: diagnoseFixture(false),
			wantErr: "problem found", wantOut: `"verdict": "check-db-ready waits for postgres:5432, but Service \"postgres\" does not exist in namespace \"demo\""`},
		{name: "unknown deployment", target: "nope", objs: diagnoseFixture(false), wantErr: `deployment "nope" not found in namespace "demo"`},
		{name: "no pods", target: "webapp", objs: diagnoseFixture(false)[:1], wantErr: `no pods match deployment/webapp (selector app=webapp) in namespace "demo"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, out := newTestDiagnoseOptions(tt.objs...)
			o.Output, o.Selector = tt.output, tt.selector
			args := strings.Fields(tt.target)
			if err := o.Complete(args); err != nil {
				t.Fatal(err)
			}
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			err := o.Run(context.Background())
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Run error = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(tt.wantErr, "problem") && !errors.Is(err, ErrProblemsFound) {
				t.Errorf("error %v does not wrap ErrProblemsFound", err)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out.String())
			}
			if tt.output == "json" {
				var rep diagnose.Report
				if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
					t.Errorf("output is not JSON: %v", err)
				}
			}
		})
	}
}

func TestDiagnoseValidate(t *testing.T) {
	tests := []struct {
		target, selector, output string
		tail                     int
		want                     string
	}{
		{}, // no target: the namespace is scanned
		{target: "a", selector: "b=c", want: "not both"},
		{target: "deploy/", want: `invalid target "deploy/"`},
		{target: "svc/x"}, // the TYPE is resolved by Run
		{target: "x", output: "yaml", want: `--output must be one of: text, json (got "yaml")`},
		{target: "x", tail: -1, want: "--tail must be 0 or more"},
		{target: "x"},
	}
	for _, tt := range tests {
		o, _ := newTestDiagnoseOptions()
		o.Target, o.Selector, o.Output, o.TailLines = tt.target, tt.selector, tt.output, tt.tail
		err := o.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tt, err, tt.want)
		}
	}
}

func TestDiagnoseUnreachable(t *testing.T) {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	flags := genericclioptions.NewConfigFlags(false)
	server, ns := "https://127.0.0.1:1", "demo"
	flags.APIServer, flags.Namespace = &server, &ns
	o := NewDiagnoseOptions(flags, streams)
	o.Target, o.Timeout = "webapp", 10*time.Second
	if err := o.Complete([]string{"webapp"}); err != nil {
		t.Fatal(err)
	}
	err := o.Run(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach the cluster at https://127.0.0.1:1: ") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error = %v, want one line naming the unreachable server", err)
	}
}
