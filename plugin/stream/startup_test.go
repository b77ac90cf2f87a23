package stream

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

var now0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func podEvent(name, reason string, ago time.Duration) *corev1.Event {
	return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}, Reason: reason, Type: "Normal", Count: 1,
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "a", UID: "uid-a"},
		LastTimestamp:  metav1.NewTime(now0.Add(-ago))}
}

// The history listed at start-up prints sorted by time: events of minutes
// ago come before the first status line, which is stamped now.
func TestStartupHistoryIsSortedByTime(t *testing.T) {
	kube := fake.NewClientset(podEvent("e2", "Started", 2*time.Minute), podEvent("e1", "Scheduled", 5*time.Minute))
	tables := newListTables(named("a", "Init:0/1", false))
	rec := &recorder{}
	cfg := Config{Target: target.Target{Namespace: "ns", LabelSelector: "app=a", Description: "pods matching app=a"},
		Until: UntilNever, Now: func() time.Time { return now0 }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := Run(ctx, Clients{Kube: kube, Tables: tables, Logs: noLogs{}}, cfg, rec); err != nil {
			t.Error(err)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.entries()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	var got []string
	for _, e := range rec.entries() {
		switch e.Kind {
		case timeline.KindEvent:
			got = append(got, e.Event.Reason)
		case timeline.KindStatus:
			got = append(got, e.Status.Status)
		}
	}
	if strings.Join(got, ",") != "Scheduled,Started,Init:0/1" {
		t.Fatalf("order = %v", got)
	}
}

// An empty selector match is said once, naming the selector.
func TestNoPodsNotice(t *testing.T) {
	tables := newListTables()
	rec := &recorder{}
	cfg := Config{Target: target.Target{Namespace: "ns", LabelSelector: "app=crash", Description: "pods matching app=crash"}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = Run(ctx, Clients{Kube: fake.NewClientset(), Tables: tables, Logs: noLogs{}}, cfg, rec)
	}()
	<-tables.watched
	cancel()
	<-done
	es := rec.entries()
	if len(es) != 1 || es[0].Notice != "no pods match app=crash yet; waiting for them" {
		t.Fatalf("entries = %+v", es)
	}
}
