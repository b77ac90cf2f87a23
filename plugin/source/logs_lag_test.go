package source

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/internal/clocktest"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// TestLogsLaggingStatusKeepsInstancesApart: instance A's follow ends (A
// exited) and B starts, but the pod status read here still shows A running.
// The kubelet serves B as the current log; A's follower must not print B's
// lines as A's, and every line is printed once, under its own instance.
func TestLogsLaggingStatusKeepsInstancesApart(t *testing.T) {
	fl := &fakeLogs{current: map[string][]string{}, previous: map[string][]string{}}
	lines := make(chan string, 20)
	clk := clocktest.New(t0)
	l := &Logs{Streamer: fl, Namespace: "ns", Clock: clk, Emit: func(e timeline.Entry) { lines <- e.Log.ContainerID + " " + e.Log.Line }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0)}}
	fl.current["check"] = []string{stamp(100, "a1"), stamp(200, "a2")}
	l.Update(ctx, podWith("u", []corev1.ContainerStatus{{Name: "check", ContainerID: "A", State: running}}), false)
	got := receive(t, lines, 2)
	<-clk.Armed() // A's follow has ended; its follower pauses

	// A wrote a third line and exited; B started. The kubelet moved on, the
	// pod status read here did not.
	fl.mu.Lock()
	fl.previous["check"] = []string{stamp(100, "a1"), stamp(200, "a2"), stamp(1100, "a3")}
	fl.current["check"] = []string{stamp(2000, "b1")}
	fl.mu.Unlock()
	clk.Step(time.Second)
	<-clk.Armed() // A's follower has looked again and paused again
	select {
	case line := <-lines:
		t.Fatalf("printed %q while the status lagged: a lagging follower reads the next instance's log", line)
	default:
	}

	// The status catches up: B runs, A is its last termination.
	bRunning := corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0.Add(2 * time.Second))}}
	aEnded := &corev1.ContainerStateTerminated{ContainerID: "A", ExitCode: 1, StartedAt: metav1.NewTime(t0), FinishedAt: metav1.NewTime(t0.Add(time.Second))}
	l.Update(ctx, podWith("u", []corev1.ContainerStatus{{Name: "check", ContainerID: "B", State: bRunning,
		LastTerminationState: corev1.ContainerState{Terminated: aEnded}}}), false)
	clk.Step(time.Second)
	got = append(got, receive(t, lines, 2)...)
	cancel()
	got = stopFollowers(l, lines, got)
	want := []string{"A a1", "A a2", "A a3", "B b1"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("lines = %v, want %v (calls %v)", got, want, fl.calls)
	}
}

// failingPrevious serves no previous log, as the kubelet does for a
// container's first instance, or when the API server cannot be reached.
type failingPrevious struct{ *fakeLogs }

func (f failingPrevious) Stream(ctx context.Context, ns, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
	if o.Previous {
		return nil, errors.New(`previous terminated container "check" in pod "p" not found`)
	}
	return f.fakeLogs.Stream(ctx, ns, pod, o)
}

func TestMovedOn(t *testing.T) {
	startedAt := metav1.NewTime(t0) // the status's whole second; A really started at 0.4 s
	tests := []struct {
		name     string
		previous []string
		last     time.Time
		started  bool
		noPrev   bool
		want     bool
	}{
		{"previous is A itself", []string{stamp(400, "a1"), stamp(900, "a2"), stamp(1300, "a3")}, t0.Add(900 * time.Millisecond), true, false, true},
		{"previous is a later instance", []string{stamp(3000, "b1")}, t0.Add(900 * time.Millisecond), true, false, true},
		{"previous ended before A, in the same second", []string{stamp(100, "z1"), stamp(300, "z2")}, t0.Add(900 * time.Millisecond), true, false, false},
		{"previous ended seconds before A", []string{stamp(-5000, "z1")}, t0.Add(900 * time.Millisecond), true, false, false},
		{"no previous instance", nil, t0.Add(900 * time.Millisecond), true, true, false},
		{"A printed nothing, previous after A's start second", []string{stamp(1500, "b1")}, time.Time{}, true, false, true},
		{"A printed nothing, previous within A's start second", []string{stamp(300, "z1")}, time.Time{}, true, false, false},
		{"A printed nothing and has no start time", []string{stamp(1500, "b1")}, time.Time{}, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := &fakeLogs{current: map[string][]string{}, previous: map[string][]string{"check": tt.previous}}
			var streamer LogStreamer = fl
			if tt.noPrev {
				streamer = failingPrevious{fl}
			}
			l := &Logs{Streamer: streamer, Namespace: "ns", Emit: func(timeline.Entry) { t.Error("movedOn printed a line") }}
			running := &corev1.ContainerStateRunning{}
			if tt.started {
				running.StartedAt = startedAt
			}
			// Update also starts A's follower, which finds no current log.
			ctx, cancel := context.WithCancel(context.Background())
			defer func() { cancel(); l.Wait() }()
			l.Update(ctx, podWith("u", []corev1.ContainerStatus{{Name: "check", ContainerID: "A", State: corev1.ContainerState{Running: running}}}), false)
			if got := l.movedOn(ctx, "u", "p", instance{name: "check", id: "A", init: true}, tt.last); got != tt.want {
				t.Errorf("movedOn = %v, want %v", got, tt.want)
			}
		})
	}
}
