package source

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/internal/clocktest"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// fakeTables serves scripted lists and hands out fake watchers.
type fakeTables struct {
	mu       sync.Mutex
	lists    [][]PodRow
	watchers chan *watch.FakeWatcher
}

func (f *fakeTables) List(context.Context, metav1.ListOptions) (*metav1.Table, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rows := f.lists[0]
	if len(f.lists) > 1 {
		f.lists = f.lists[1:]
	}
	return f.table(rows...), nil
}

func (f *fakeTables) Watch(context.Context, metav1.ListOptions) (watch.Interface, error) {
	w := watch.NewFakeWithChanSize(10, false)
	f.watchers <- w
	return w, nil
}

func row(uid, name, status string) PodRow {
	return PodRow{Pod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: types.UID(uid), Name: name, ResourceVersion: "11"}},
		Status: status, Ready: "0/1", Restarts: "0"}
}

// table wraps rows in a Table with its column definitions, as a list has them.
func (f *fakeTables) table(rows ...PodRow) *metav1.Table {
	tb := tableOf(nil, rows...)
	tb.ColumnDefinitions = []metav1.TableColumnDefinition{{Name: "Name"}, {Name: "Ready"}, {Name: "Status"}, {Name: "Restarts"}}
	return tb
}

// tableOf wraps rows in a Table the way the API server sends watch events
// after the first: without column definitions.
func tableOf(t *testing.T, rows ...PodRow) *metav1.Table {
	tb := &metav1.Table{}
	tb.ResourceVersion = "11"
	for _, r := range rows {
		raw, err := json.Marshal(r.Pod)
		if err != nil {
			panic(err)
		}
		tb.Rows = append(tb.Rows, metav1.TableRow{Cells: []any{r.Pod.Name, r.Ready, r.Status, int64(0)}, Object: runtime.RawExtension{Raw: raw}})
	}
	return tb
}

func TestPodWatchRelistsAfterGone(t *testing.T) {
	ft := &fakeTables{watchers: make(chan *watch.FakeWatcher, 10), lists: [][]PodRow{
		{row("a", "pod-a", "Init:0/1")},
		// After 410 Gone: pod-a moved on while we were away, pod-b is new.
		{row("a", "pod-a", "Running"), row("b", "pod-b", "Pending")},
	}}
	type seen struct {
		name, status string
		deleted      bool
	}
	got := make(chan seen, 20)
	pw := &PodWatch{Tables: ft, Target: target.Target{Namespace: "ns", LabelSelector: "app=x"}, Clock: clocktest.New(t0),
		OnRow:    func(r PodRow, deleted bool) { got <- seen{r.Pod.Name, r.Status, deleted} },
		OnResync: func() { got <- seen{name: "resync"} }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- pw.Run(ctx) }()

	expect := func(want seen) {
		t.Helper()
		select {
		case g := <-got:
			if g != want {
				t.Fatalf("got %+v, want %+v", g, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no row; want %+v", want)
		}
	}
	expect(seen{"pod-a", "Init:0/1", false})
	w := <-ft.watchers
	w.Modify(tableOf(t, row("a", "pod-a", "PodInitializing")))
	expect(seen{"pod-a", "PodInitializing", false})
	w.Error(&metav1.Status{Status: metav1.StatusFailure, Code: http.StatusGone, Reason: metav1.StatusReasonExpired, Message: "too old"})
	expect(seen{"pod-a", "Running", false})
	expect(seen{"pod-b", "Pending", false})
	expect(seen{name: "resync"}) // once, after the re-list's rows
	w2 := <-ft.watchers
	w2.Delete(tableOf(t, row("b", "pod-b", "Terminating")))
	expect(seen{"pod-b", "Terminating", true})
	select {
	case g := <-got:
		t.Fatalf("unexpected %+v", g)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
