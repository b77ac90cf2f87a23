package diagnose

import (
	"context"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target/targettest"
)

// t0 is the fixed clock of the unit tests; pods start 4m12s before it.
var (
	t0    = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	start = t0.Add(-4*time.Minute - 12*time.Second)
)

const ns = "demo"

// fakePods lists pods from a fake clientset with statuses set by the test
// (the API server's Table is proven in the e2e tests).
type fakePods struct {
	client kubernetes.Interface
	status map[string]string
}

func (f fakePods) ListPods(ctx context.Context, namespace string, opts metav1.ListOptions) ([]PodRow, error) {
	list, err := f.client.CoreV1().Pods(namespace).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	sel, _ := labels.Parse(opts.LabelSelector)
	var rows []PodRow
	for i := range list.Items {
		p := &list.Items[i]
		if !sel.Matches(labels.Set(p.Labels)) {
			continue
		}
		if opts.FieldSelector != "" && opts.FieldSelector != "metadata.name="+p.Name {
			continue
		}
		s := f.status[p.Name]
		if s == "" {
			s = string(p.Status.Phase)
		}
		rows = append(rows, PodRow{Pod: p, Status: s})
	}
	return rows, nil
}

func newDiagnoser(status map[string]string, objs ...runtime.Object) *Diagnoser {
	objs = append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	client := fake.NewClientset(objs...)
	return &Diagnoser{Client: client, Mapper: targettest.Mapper(), Pods: fakePods{client: client, status: status}, Clock: clocktesting.NewFakePassiveClock(t0)}
}

func ptr[T any](v T) *T { return &v }

func deployment(name string, lbls map[string]string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: lbls}},
	}
}

// withCommand sets the first init container's command.
func withCommand(p *corev1.Pod, script string) *corev1.Pod {
	p.Spec.InitContainers[0].Command = []string{"sh", "-c", script}
	return p
}

// webappPod is a pod whose init container waits with pg_isready for host:5432.
func webappPod(name, host string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "webapp"},
			CreationTimestamp: metav1.NewTime(start)},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "check-db-ready", Image: "postgres:15",
				Command: []string{"sh", "-c", "until pg_isready -h " + host + " -p 5432; do echo waiting for database; sleep 2; done"}}},
			Containers: []corev1.Container{{Name: "webapp", Image: "shortener"}},
		},
		Status: corev1.PodStatus{
			Phase:     corev1.PodPending,
			StartTime: ptr(metav1.NewTime(start)),
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
				{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady"},
			},
			InitContainerStatuses: []corev1.ContainerStatus{{Name: "check-db-ready", ContainerID: "containerd://1",
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(start.Add(2 * time.Second))}}}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "webapp",
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}},
		},
	}
}

func service(name string, selector map[string]string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{Selector: selector, ClusterIP: "10.96.0.50",
			Ports: []corev1.ServicePort{{Name: "pg", Port: 5432, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt(5432)}}},
	}
}

// dbPod is a postgres pod, running; ready tells whether it passed readiness.
func dbPod(name string, ready bool) *corev1.Pod {
	cond := corev1.ConditionFalse
	if ready {
		cond = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "postgres"}, UID: "db-uid"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "postgres", Image: "postgres:15"}}},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			StartTime:  ptr(metav1.NewTime(t0.Add(-20 * time.Second))),
			Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}, {Type: corev1.PodReady, Status: cond}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "postgres", Ready: ready, ContainerID: "containerd://2",
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0.Add(-15 * time.Second))}}}},
		},
	}
}

func endpointSlice(svc, pod string, ready bool) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: svc + "-abc", Namespace: ns, Labels: map[string]string{discoveryv1.LabelServiceName: svc}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr("pg"), Port: ptr(int32(5432))}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.244.0.7"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr(ready)},
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: pod, Namespace: ns}}},
	}
}
