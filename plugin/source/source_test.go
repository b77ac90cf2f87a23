package source

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/internal/clocktest"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestStatusOf(t *testing.T) {
	start := metav1.NewTime(t0)
	pod := &corev1.Pod{Status: corev1.PodStatus{StartTime: &start,
		InitContainerStatuses: []corev1.ContainerStatus{
			{Name: "first", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, FinishedAt: metav1.NewTime(t0.Add(3 * time.Second))}}},
			{Name: "check-db-ready", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
		}}}
	s := StatusOf(PodRow{Pod: pod, Status: "Init:1/2", Ready: "0/1", Restarts: "0"}, false, t0.Add(15*time.Second))
	if s.Blocking != "check-db-ready" || s.BlockedFor != 12*time.Second {
		t.Errorf("blocking = %q for %s", s.Blocking, s.BlockedFor)
	}

	crash := &corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "app", RestartCount: 4,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
			Message: "back-off 1m20s restarting failed container=app pod=webapp-naive-1_demo(uid)"}}}}}}
	s = StatusOf(PodRow{Pod: crash, Status: "CrashLoopBackOff", Ready: "0/1", Restarts: "4 (3s ago)"}, false, t0)
	if s.BackOff != 80*time.Second || s.Container != "app" || s.Restarts != 4 || s.Blocking != "" {
		t.Errorf("crash status = %+v", s)
	}
}

// fakeLogs serves container logs the way the kubelet does: the current
// instance's lines (follow or not), the previous instance's with
// Previous=true, SinceTime cut at whole seconds.
type fakeLogs struct {
	mu       sync.Mutex
	current  map[string][]string // container → "RFC3339Nano line"
	previous map[string][]string
	calls    []string
}

func (f *fakeLogs) Stream(_ context.Context, _, _ string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("%s prev=%v follow=%v since=%v", o.Container, o.Previous, o.Follow, o.SinceTime != nil))
	src := f.current[o.Container]
	if o.Previous {
		src = f.previous[o.Container]
	}
	var b strings.Builder
	for _, l := range src {
		ts, _ := time.Parse(time.RFC3339Nano, strings.Fields(l)[0])
		if o.SinceTime != nil && ts.Before(o.SinceTime.Truncate(time.Second)) {
			continue
		}
		b.WriteString(l + "\n")
	}
	return io.NopCloser(strings.NewReader(b.String())), nil
}

func stamp(ms int, text string) string {
	return t0.Add(time.Duration(ms)*time.Millisecond).Format(time.RFC3339Nano) + " " + text
}

func podWith(uid types.UID, init []corev1.ContainerStatus) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: uid}, Status: corev1.PodStatus{InitContainerStatuses: init}}
}

func TestLogsEveryLineOnceAcrossRestarts(t *testing.T) {
	fl := &fakeLogs{current: map[string][]string{}, previous: map[string][]string{}}
	lines := make(chan string, 20)
	clk := clocktest.New(t0)
	l := &Logs{Streamer: fl, Namespace: "ns", Clock: clk, Emit: func(e timeline.Entry) { lines <- e.Log.ContainerID + " " + e.Log.Line }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	// Instance A runs and has written two lines; the follow returns them and
	// then ends (as when A exits).
	fl.current["check"] = []string{stamp(100, "a1"), stamp(200, "a2")}
	l.Update(ctx, podWith("u", []corev1.ContainerStatus{{Name: "check", ContainerID: "A", State: running}}), false)
	got := receive(t, lines, 2)
	// The follower waits before it looks at the pod again. Meanwhile A
	// exited after a third line; B started and crashed too, before we saw
	// it: the pod now shows C running, A as its last termination.
	<-clk.Armed()
	fl.mu.Lock()
	fl.previous["check"] = []string{stamp(100, "a1"), stamp(200, "a2"), stamp(1100, "a3")}
	fl.current["check"] = []string{stamp(2000, "c1")}
	fl.mu.Unlock()
	l.Update(ctx, podWith("u", []corev1.ContainerStatus{{Name: "check", ContainerID: "C", State: running,
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ContainerID: "A"}}}}), false)
	clk.Step(time.Second)
	got = append(got, receive(t, lines, 2)...)
	cancel()
	got = stopFollowers(l, lines, got)
	want := []string{"A a1", "A a2", "A a3", "C c1"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("lines = %v, want %v (calls %v)", got, want, fl.calls)
	}
}

func TestLogSelection(t *testing.T) {
	tests := []struct {
		sel        LogSelection
		name       string
		init, want bool
	}{
		{LogSelection{}, "check", true, true},
		{LogSelection{}, "app", false, false},
		{LogSelection{All: true}, "app", false, true},
		{LogSelection{Names: []string{"app"}}, "app", false, true},
		{LogSelection{Names: []string{"app"}}, "check", true, false},
	}
	for _, tt := range tests {
		if got := tt.sel.wants(tt.name, tt.init); got != tt.want {
			t.Errorf("%+v.wants(%q, %v) = %v", tt.sel, tt.name, tt.init, got)
		}
	}
}

// stopFollowers waits for l's followers, whose context the caller has
// cancelled, and returns got with what they printed last, sorted.
func stopFollowers(l *Logs, lines chan string, got []string) []string {
	l.Wait()
	close(lines)
	for extra := range lines {
		got = append(got, extra)
	}
	sort.Strings(got)
	return got
}

// receive takes n values from ch; the timeout only bounds a broken test.
func receive[T any](t *testing.T, ch <-chan T, n int) []T {
	t.Helper()
	var got []T
	for len(got) < n {
		select {
		case v := <-ch:
			got = append(got, v)
		case <-time.After(10 * time.Second):
			t.Fatalf("received %v, want %d values", got, n)
		}
	}
	return got
}
