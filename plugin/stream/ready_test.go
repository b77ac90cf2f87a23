package stream

import (
	"context"
	"encoding/json"
	"io"
	"strings"
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
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/internal/clocktest"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// listTables lists the given rows, then hands out one fake watcher.
type listTables struct {
	rows    []source.PodRow
	watched chan struct{}
	once    sync.Once
	w       *watch.FakeWatcher
}

func newListTables(rows ...source.PodRow) *listTables {
	return &listTables{rows: rows, watched: make(chan struct{}), w: watch.NewFakeWithChanSize(10, false)}
}

func (l *listTables) List(context.Context, metav1.ListOptions) (*metav1.Table, error) {
	tb := &metav1.Table{ColumnDefinitions: columns}
	tb.ResourceVersion = "1"
	for _, r := range l.rows {
		raw, err := json.Marshal(r.Pod)
		if err != nil {
			return nil, err
		}
		tb.Rows = append(tb.Rows, metav1.TableRow{Cells: []any{r.Pod.Name, r.Ready, r.Status, r.Restarts}, Object: runtime.RawExtension{Raw: raw}})
	}
	return tb, nil
}

func (l *listTables) Watch(context.Context, metav1.ListOptions) (watch.Interface, error) {
	l.once.Do(func() { close(l.watched) })
	return l.w, nil
}

func named(name, status string, ready bool) source.PodRow {
	r := pod(status, ready)
	r.Pod.Name, r.Pod.UID = name, types.UID("uid-"+name)
	return r
}

// recorder is a Sink that keeps every entry.
type recorder struct {
	mu      sync.Mutex
	got     []timeline.Entry
	emitted chan struct{} // a note after each Emit; made on first use
}

func (r *recorder) Emit(e timeline.Entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, e)
	select {
	case r.notes() <- struct{}{}:
	default:
	}
	return nil
}

// notes is the channel of Emit's notes; r.mu must be held.
func (r *recorder) notes() chan struct{} {
	if r.emitted == nil {
		r.emitted = make(chan struct{}, 1)
	}
	return r.emitted
}

// stepUntil steps clk by d each time a timer is set or reset on it, until
// the sink has n entries: time moves only when something waits on it.
func (r *recorder) stepUntil(t *testing.T, clk *clocktest.Clock, d time.Duration, n int) {
	t.Helper()
	r.mu.Lock()
	emitted := r.notes()
	r.mu.Unlock()
	for len(r.entries()) < n {
		select {
		case <-clk.Armed():
			clk.Step(d)
		case <-emitted:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d entries, want %d: %+v", len(r.entries()), n, r.entries())
		}
	}
}

func (r *recorder) entries() []timeline.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]timeline.Entry(nil), r.got...)
}

// start runs Run in the background and returns the channel of its result;
// the test's end cancels the run and waits for it.
func start(t *testing.T, kube kubernetes.Interface, tables source.PodTables, logs source.LogStreamer, cfg Config, sink timeline.Sink) <-chan Result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	exited := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	go func() {
		defer close(exited)
		res, err := Run(ctx, Clients{Kube: kube, Tables: tables, Logs: logs}, cfg, sink)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	return done
}

// watching waits until the first list is delivered and the watch is open,
// failing if Run stops before that. A run that stopped during or right
// after its first list never opens the watch, so this is the proof that it
// did not.
func watching(t *testing.T, tables *listTables, done <-chan Result) {
	t.Helper()
	select {
	case res := <-done:
		t.Fatalf("Run stopped during the first list: %+v", res)
	case <-tables.watched:
	case <-time.After(10 * time.Second):
		t.Fatal("the watch never opened")
	}
}

func finished(t *testing.T, done <-chan Result) Result {
	t.Helper()
	select {
	case res := <-done:
		return res
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	return Result{}
}

// Two pods listed, the Ready one first: Run must not stop half-way through
// the list (the watch opens), only when the second pod gets Ready.
func TestReadyOnlyAfterTheWholeList(t *testing.T) {
	tables := newListTables(named("a", "Running", true), named("b", "Init:0/1", false))
	cfg := Config{Target: target.Target{Namespace: "ns", LabelSelector: "app=web", Description: "pods matching app=web"},
		Until: UntilReady, Clock: clocktest.New(now0)}
	done := start(t, fake.NewClientset(), tables, noLogs{}, cfg, &recorder{})
	watching(t, tables, done)
	b := named("b", "Running", true)
	b.Pod.ResourceVersion = "3"
	tables.w.Modify(tableFor(t, b))
	if res := finished(t, done); !res.Ready {
		t.Fatalf("result = %+v", res)
	}
}

func statefulSet(ready int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns", Generation: 1},
		Spec:       appsv1.StatefulSetSpec{Replicas: ptr.To[int32](2)},
		Status: appsv1.StatefulSetStatus{ObservedGeneration: 1, Replicas: ready, ReadyReplicas: ready,
			AvailableReplicas: ready, UpdatedReplicas: ready, CurrentRevision: "r1", UpdateRevision: "r1"},
	}
}

// A StatefulSet of 2 replicas with s-0 Ready and s-1 not created yet is not
// Ready; it is once its status says both replicas are. (That its pods alone
// do not make it Ready is TestCheckReady's; here the result shows the
// status it stopped on.)
func TestStatefulSetWaitsForItsReplicas(t *testing.T) {
	kube := fake.NewClientset(statefulSet(1))
	opened := watchOpened(kube, "statefulsets")
	tables := newListTables(named("s-0", "Running", true))
	cfg := Config{Target: target.Target{Namespace: "ns", LabelSelector: "app=s", Description: "statefulset/s",
		Kind: "StatefulSet", Name: "s"}, Until: UntilReady, Clock: clocktest.New(now0)}
	done := start(t, kube, tables, noLogs{}, cfg, &recorder{})
	watching(t, tables, done)
	s1 := named("s-1", "Running", true)
	s1.Pod.ResourceVersion = "3"
	tables.w.Add(tableFor(t, s1))
	<-opened
	if _, err := kube.AppsV1().StatefulSets("ns").UpdateStatus(context.Background(), statefulSet(2), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	res := finished(t, done)
	if !res.Ready || res.Workload != "" || len(res.Pods) != 2 {
		t.Fatalf("result = %+v, want Ready on the StatefulSet's status with both pods", res)
	}
}

func job(cond batchv1.JobConditionType, reason string) *batchv1.Job {
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j", Namespace: "ns"}}
	if cond != "" {
		j.Status.Conditions = []batchv1.JobCondition{{Type: cond, Status: corev1.ConditionTrue, Reason: reason, Message: "details"}}
	}
	return j
}

// A Job is done when it is Complete (its pod is Completed, never Ready), and
// stops the run with a reason when it has Failed.
func TestJobTarget(t *testing.T) {
	tgt := target.Target{Namespace: "ns", LabelSelector: "job-name=j", Description: "job/j", Kind: "Job", Name: "j"}
	t.Run("complete", func(t *testing.T) {
		kube := fake.NewClientset(job("", ""))
		opened := watchOpened(kube, "jobs")
		tables := newListTables(named("j-x", "Completed", false))
		done := start(t, kube, tables, noLogs{}, Config{Target: tgt, Until: UntilReady, Clock: clocktest.New(now0)}, &recorder{})
		watching(t, tables, done)
		<-opened
		if _, err := kube.BatchV1().Jobs("ns").UpdateStatus(context.Background(), job(batchv1.JobComplete, ""), metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		if res := finished(t, done); !res.Ready || res.Failed != "" || res.Workload != "" {
			t.Fatalf("result = %+v", res)
		}
	})
	t.Run("failed", func(t *testing.T) {
		kube := fake.NewClientset(job(batchv1.JobFailed, "BackoffLimitExceeded"))
		tables := newListTables(named("j-x", "Error", false))
		done := start(t, kube, tables, noLogs{}, Config{Target: tgt, Until: UntilReady, Clock: clocktest.New(now0)}, &recorder{})
		res := finished(t, done)
		if res.Ready || res.Failed != "job/j failed: BackoffLimitExceeded: details" || res.NotReady() != res.Failed {
			t.Fatalf("result = %+v", res)
		}
	})
}

// drainLogs serves a running container's log: a followed stream has only
// the first line and then blocks; a read without follow has both.
type drainLogs struct{}

func (drainLogs) Stream(ctx context.Context, _, _ string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
	l1 := "2026-11-27T12:00:01Z first\n"
	if !o.Follow {
		return io.NopCloser(strings.NewReader(l1 + "2026-11-27T12:00:02Z written just before Ready\n")), nil
	}
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte(l1))
		<-ctx.Done()
		pw.CloseWithError(ctx.Err())
	}()
	return pr, nil
}

// When the target is Ready, the logs are read once more before Run returns.
func TestReadyDrainsTheLogs(t *testing.T) {
	p := named("a", "Running", true)
	p.Pod.Spec.Containers = []corev1.Container{{Name: "app"}}
	p.Pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", ContainerID: "containerd://1",
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
	rec := &recorder{}
	cfg := Config{Target: target.Target{Namespace: "ns", LabelSelector: "app=a", Description: "pods matching app=a"},
		Until: UntilReady, Logs: source.LogSelection{All: true}, Clock: clocktest.New(now0)}
	res := finished(t, start(t, fake.NewClientset(), newListTables(p), drainLogs{}, cfg, rec))
	if !res.Ready {
		t.Fatalf("result = %+v", res)
	}
	var lines []string
	for _, e := range rec.entries() {
		if e.Kind == timeline.KindLog {
			lines = append(lines, e.Log.Line)
		}
	}
	if strings.Join(lines, "|") != "first|written just before Ready" {
		t.Fatalf("log lines = %q", lines)
	}
}

func TestNotReadyIsNeverEmpty(t *testing.T) {
	tests := []struct {
		res  Result
		want string
	}{
		{Result{}, "no pods matched"},
		{Result{Pods: map[string]timeline.StatusInfo{"a": {PodReady: true}}}, "its 1 pod is Ready"},
		{Result{Pods: map[string]timeline.StatusInfo{"a": {PodReady: true}, "b": {PodReady: true}}}, "all 2 pods are Ready"},
		{Result{Pods: map[string]timeline.StatusInfo{"a": {PodReady: true}}, Workload: "statefulset/s: 1 of 2 replicas ready"},
			"statefulset/s: 1 of 2 replicas ready"},
		{Result{Pods: map[string]timeline.StatusInfo{"b": {Status: "Init:0/1"}, "a": {Status: "Pending"}}}, "a is Pending, b is Init:0/1"},
		{Result{Failed: "job/j failed: BackoffLimitExceeded"}, "job/j failed: BackoffLimitExceeded"},
	}
	for _, tt := range tests {
		if got := tt.res.NotReady(); got != tt.want {
			t.Errorf("NotReady() = %q, want %q", got, tt.want)
		}
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
