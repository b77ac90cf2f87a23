package source

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/internal/clocktest"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

func TestStateOf(t *testing.T) {
	dep := func(mod func(*appsv1.Deployment)) *appsv1.Deployment {
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Generation: 2}, Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](2)},
			Status: appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2}}
		mod(d)
		return d
	}
	sts := func(mod func(*appsv1.StatefulSet)) *appsv1.StatefulSet {
		s := &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](2),
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType}},
			Status: appsv1.StatefulSetStatus{Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 2, UpdatedReplicas: 2, CurrentRevision: "a", UpdateRevision: "a"}}
		mod(s)
		return s
	}
	jobWith := func(c batchv1.JobConditionType) *batchv1.Job {
		return &batchv1.Job{Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: c, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"}}}}
	}
	tests := []struct {
		name   string
		obj    runtime.Object
		done   bool
		reason string
	}{
		{"deployment done", dep(func(*appsv1.Deployment) {}), true, ""},
		{"deployment not observed", dep(func(d *appsv1.Deployment) { d.Status.ObservedGeneration = 1 }), false, "w: waiting for the rollout to be observed"},
		{"deployment mid-rollout", dep(func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 }), false, "w: 1 of 2 replicas updated"},
		{"deployment old pods left", dep(func(d *appsv1.Deployment) { d.Status.Replicas = 3 }), false, "w: 1 old replicas pending termination"},
		{"deployment not available", dep(func(d *appsv1.Deployment) { d.Status.AvailableReplicas = 1 }), false, "w: 1 of 2 updated replicas available"},
		{"statefulset done", sts(func(*appsv1.StatefulSet) {}), true, ""},
		{"statefulset s-1 missing", sts(func(s *appsv1.StatefulSet) { s.Status.Replicas, s.Status.ReadyReplicas = 1, 1 }), false, "w: 1 of 2 replicas created"},
		{"statefulset revision", sts(func(s *appsv1.StatefulSet) { s.Status.UpdateRevision = "b" }), false, "w: waiting for the update to revision b to finish"},
		{"replicaset", &appsv1.ReplicaSet{Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](1)}, Status: appsv1.ReplicaSetStatus{Replicas: 1}}, false, "w: 0 of 1 replicas ready"},
		{"daemonset", &appsv1.DaemonSet{Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 2, UpdatedNumberScheduled: 2, NumberReady: 1}}, false, "w: 1 of 2 pods ready"},
		{"daemonset done", &appsv1.DaemonSet{Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 1, UpdatedNumberScheduled: 1, NumberReady: 1, NumberAvailable: 1}}, true, ""},
		{"job running", &batchv1.Job{Status: batchv1.JobStatus{Active: 1}}, false, "w: 0 succeeded, 1 active, 0 failed; not complete"},
		{"job complete", jobWith(batchv1.JobComplete), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StateOf(tt.obj, "w")
			if got.Done != tt.done || got.Reason != tt.reason || got.Failed != "" {
				t.Fatalf("StateOf = %+v, want done=%v reason %q", got, tt.done, tt.reason)
			}
		})
	}
	if got := StateOf(jobWith(batchv1.JobFailed), "job/j"); got.Done || got.Failed != "job/j failed: BackoffLimitExceeded" {
		t.Fatalf("failed job = %+v", got)
	}
	// As kubectl rollout status, a Deployment past its progress deadline has failed;
	// the same condition on an older generation does not count yet.
	stuck := dep(func(d *appsv1.Deployment) {
		d.Status.UpdatedReplicas = 1
		d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse,
			Reason: "ProgressDeadlineExceeded", Message: `ReplicaSet "w-1" has timed out progressing.`}}
	})
	if got := StateOf(stuck, "deployment/w"); got.Done || got.Failed != `deployment/w exceeded its progress deadline: ReplicaSet "w-1" has timed out progressing.` {
		t.Errorf("StateOf(stuck deployment) = %+v", got)
	}
	stuck.Generation = 3
	if got := StateOf(stuck, "deployment/w"); got.Failed != "" || got.Reason != "deployment/w: waiting for the rollout to be observed" {
		t.Errorf("StateOf(stuck deployment, newer generation) = %+v", got)
	}
}

// The workload watch reports the owner's state as it changes.
func TestWorkloadWatch(t *testing.T) {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"}, Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](1)}}
	kube := fake.NewClientset(d)
	opened := watchOpened(kube, "deployments")
	states := make(chan WorkloadState, 10)
	ww := &WorkloadWatch{Client: kube, Target: target.Target{Namespace: "ns", Kind: "Deployment", Name: "web", Description: "deployment/web"},
		OnChange: func(s WorkloadState) { states <- s }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ww.Run(ctx)
	next := func() WorkloadState {
		select {
		case s := <-states:
			return s
		case <-time.After(5 * time.Second):
			t.Fatal("no state")
		}
		return WorkloadState{}
	}
	if s := next(); s.Done || s.Reason != "deployment/web: 0 of 1 replicas updated" {
		t.Fatalf("first state = %+v", s)
	}
	<-opened
	d.Status = appsv1.DeploymentStatus{Replicas: 1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1}
	if _, err := kube.AppsV1().Deployments("ns").UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if s := next(); !s.Done {
		t.Fatalf("after the rollout: %+v", s)
	}
}

// A deleted pod's event watch ends after the linger, without the run ending;
// nothing is followed once Wait has been called.
func TestEventsForgetAndWait(t *testing.T) {
	clk := clocktest.New(t0)
	e := &Events{Client: fake.NewClientset(), Namespace: "ns", Emit: func(timeline.Entry) {}, Clock: clk}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if !e.Follow(ctx, target.ObjectRef{Kind: "Pod", Name: "a", UID: "a"}) {
		t.Fatal("Follow did not start")
	}
	if e.Follow(ctx, target.ObjectRef{Kind: "Pod", Name: "a", UID: "a"}) {
		t.Fatal("Follow started a second watch of the same object")
	}
	e.Forget("a", 30*time.Second)
	if n := e.Watching(); n != 0 {
		t.Fatalf("watching %d after Forget", n)
	}
	done := make(chan struct{})
	go func() { e.Wait(); close(done) }()
	clk.Step(29 * time.Second)
	select {
	case <-done:
		t.Fatal("the forgotten watch stopped before the linger")
	default:
	}
	clk.Step(time.Second)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the forgotten watch did not stop")
	}
	if e.Follow(ctx, target.ObjectRef{Kind: "Pod", Name: "b", UID: "b"}) {
		t.Fatal("Follow started a watch after Wait")
	}
}

// errTables fails its watches with a connection error a few times.
type errTables struct {
	fakeTables
	mu    sync.Mutex
	fails int
}

func (f *errTables) Watch(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	}
	return f.fakeTables.Watch(ctx, o)
}

// A watch that cannot reach the API server is reported once, and so is the
// reconnection.
func TestPodWatchReportsTheConnection(t *testing.T) {
	ft := &errTables{fakeTables: fakeTables{watchers: make(chan *watch.FakeWatcher, 10), lists: [][]PodRow{{row("a", "pod-a", "Running")}}}, fails: 2}
	conn := make(chan bool, 10)
	pw := &PodWatch{Tables: ft, Target: target.Target{Namespace: "ns"}, OnRow: func(PodRow, bool) {},
		OnConnection: func(ok bool) { conn <- ok }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- pw.Run(ctx) }()
	for _, want := range []bool{false, true} {
		select {
		case got := <-conn:
			if got != want {
				t.Fatalf("OnConnection(%v), want %v", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no OnConnection(%v)", want)
		}
	}
	<-ft.watchers
	cancel()
	<-done
	if len(conn) > 0 {
		t.Fatalf("extra OnConnection(%v)", <-conn)
	}
}

// -c with a name the pod lacks says so once.
func TestLogsNamesAMissingContainerOnce(t *testing.T) {
	var notes []string
	l := &Logs{Streamer: &fakeLogs{}, Namespace: "ns", Select: LogSelection{Names: []string{"check", "nosuch"}},
		Emit: func(e timeline.Entry) { notes = append(notes, e.Notice) }}
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: types.UID("u")},
		Spec: corev1.PodSpec{InitContainers: []corev1.Container{{Name: "check"}}, Containers: []corev1.Container{{Name: "app"}}}}
	ctx, cancel := context.WithCancel(context.Background())
	l.Update(ctx, p, false)
	l.Update(ctx, p, false)
	cancel()
	l.Wait()
	if len(notes) != 1 || notes[0] != `pod p has no container named "nosuch": -c nosuch shows nothing for it` {
		t.Fatalf("notices = %q", notes)
	}
}

func TestStatusOfTotalRestarts(t *testing.T) {
	p := &corev1.Pod{Status: corev1.PodStatus{
		InitContainerStatuses: []corev1.ContainerStatus{{Name: "init", RestartCount: 3}},
		ContainerStatuses:     []corev1.ContainerStatus{{Name: "app", RestartCount: 1}}}}
	s := StatusOf(PodRow{Pod: p, Status: "Running", Ready: "1/1", Restarts: "1 (5s ago)"}, false, t0)
	if s.Restarts != 1 || s.TotalRestarts != 4 {
		t.Fatalf("restarts = %d, total = %d", s.Restarts, s.TotalRestarts)
	}
}

// watchOpened makes kube's watches of resource signal, on the returned
// channel, once the first is registered: the fake clientset does not replay
// changes made between a list and its watch, so a test changes the object
// only after that.
func watchOpened(kube *fake.Clientset, resource string) <-chan struct{} {
	ch := make(chan struct{})
	var once sync.Once
	kube.PrependWatchReactor(resource, func(a k8stesting.Action) (bool, watch.Interface, error) {
		w, err := kube.Tracker().Watch(a.GetResource(), a.GetNamespace())
		once.Do(func() { close(ch) })
		return true, w, err
	})
	return ch
}
