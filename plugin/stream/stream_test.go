package stream

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/internal/clocktest"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// scriptedTables lists nothing, then plays rows on a watch.
type scriptedTables struct {
	watched chan struct{}
	once    sync.Once
	w       *watch.FakeWatcher
}

func (s *scriptedTables) List(context.Context, metav1.ListOptions) (*metav1.Table, error) {
	tb := &metav1.Table{ColumnDefinitions: columns}
	tb.ResourceVersion = "1"
	return tb, nil
}

func (s *scriptedTables) Watch(context.Context, metav1.ListOptions) (watch.Interface, error) {
	s.once.Do(func() { close(s.watched) })
	return s.w, nil
}

type noLogs struct{}

func (noLogs) Stream(context.Context, string, string, *corev1.PodLogOptions) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("")), nil
}

func pod(status string, ready bool) source.PodRow {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "ns", UID: types.UID("u1"), ResourceVersion: "2"}}
	if ready {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	}
	return source.PodRow{Pod: p, Status: status, Ready: "0/1", Restarts: "0"}
}

func TestRunUntilReady(t *testing.T) {
	tables := &scriptedTables{watched: make(chan struct{}), w: watch.NewFakeWithChanSize(10, false)}
	var mu sync.Mutex
	var got []timeline.Entry
	sink := timeline.SinkFunc(func(e timeline.Entry) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e)
		return nil
	})
	cfg := Config{Target: target.Target{Namespace: "ns", LabelSelector: "app=web", Description: "deployment/web"}, Until: UntilReady,
		Clock: clocktest.New(now0)}
	done := make(chan Result)
	go func() {
		res, err := Run(context.Background(), Clients{Kube: fake.NewClientset(), Tables: tables, Logs: noLogs{}}, cfg, sink)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	<-tables.watched
	for _, r := range []source.PodRow{pod("Init:0/1", false), pod("Init:0/1", false), pod("Running", false), pod("Running", true)} {
		tables.w.Modify(tableFor(t, r))
	}
	var res Result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop when the pod was Ready")
	}
	if !res.Ready || len(res.Summary) != 1 || res.Summary[0].Pod != "web-1" {
		t.Fatalf("result = %+v", res)
	}
	mu.Lock()
	defer mu.Unlock()
	var kinds, statuses []string
	for _, e := range got {
		kinds = append(kinds, string(e.Kind))
		if e.Kind == timeline.KindStatus {
			statuses = append(statuses, e.Status.Status)
		}
	}
	if kinds[0] != "notice" {
		t.Errorf("first entry = %s, want the no-pods notice", kinds[0])
	}
	// The repeated Init:0/1 row is not a transition; Running twice is (Ready changed).
	if strings.Join(statuses, ",") != "Init:0/1,Running,Running" {
		t.Errorf("statuses = %v", statuses)
	}
}
