package stream

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/internal/clocktest"
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
	clk := clocktest.New(now0)
	// Only the quiet rule can end this hold: no live change comes, and the
	// window is an hour away.
	cfg := Config{Target: target.Target{Namespace: "ns", LabelSelector: "app=a", Description: "pods matching app=a"},
		Until: UntilNever, Clock: clk, StartupWindow: time.Hour}
	done := start(t, kube, tables, noLogs{}, cfg, rec)
	watching(t, tables, done)
	rec.stepUntil(t, clk, startupQuiet, 3)
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
	cfg := Config{Target: target.Target{Namespace: "ns", LabelSelector: "app=crash", Description: "pods matching app=crash"},
		Clock: clocktest.New(now0)}
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

// An initial event list that is slow to come holds the start-up only until
// StartupWindow: the status line prints then, and the late events after it.
func TestStartupWindowBoundsTheHold(t *testing.T) {
	kube := fake.NewClientset(podEvent("e1", "Scheduled", 5*time.Minute))
	release := make(chan struct{})
	defer close(release)
	kube.PrependReactor("list", "events", func(k8stesting.Action) (bool, runtime.Object, error) {
		<-release
		return false, nil, nil
	})
	tables := newListTables(named("a", "Init:0/1", false))
	rec := &recorder{}
	clk := clocktest.New(now0)
	cfg := Config{Target: target.Target{Namespace: "ns", LabelSelector: "app=a", Description: "pods matching app=a"},
		Until: UntilNever, Clock: clk, StartupWindow: 2 * time.Second}
	done := start(t, kube, tables, noLogs{}, cfg, rec)
	watching(t, tables, done)
	clk.Step(time.Second) // the quiet time passes, but a list is pending
	clk.Step(time.Second) // the window ends
	rec.stepUntil(t, clk, 0, 1)
	release <- struct{}{}
	rec.stepUntil(t, clk, 0, 2)
	es := rec.entries()
	if es[0].Kind != timeline.KindStatus || es[1].Kind != timeline.KindEvent || es[1].Event.Reason != "Scheduled" {
		t.Fatalf("entries = %+v, want the status line, then the late event", es)
	}
}
