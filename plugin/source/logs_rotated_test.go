package source

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// TestLogsNoteRotated: a crashed instance read after it ended says what
// may be lost when its log is empty or starts late; a clean exit, a short
// run or a log that starts with the instance says nothing.
func TestLogsNoteRotated(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		exit  int32
		ran   time.Duration
		want  string
	}{
		{"empty after 17s", nil, 1, 17 * time.Second, "container big (instance 0123456789ab, exit 1) ran 17s and its log is empty: if it wrote more than the kubelet's containerLogMaxSize"},
		{"starts 15s late", []string{stamp(15000, "tail")}, 1, 16 * time.Second, "its log starts 15s after it started"},
		{"starts with the instance", []string{stamp(100, "hello")}, 1, 30 * time.Second, ""},
		{"empty but short", nil, 1, 3 * time.Second, ""},
		{"clean exit", nil, 0, 30 * time.Second, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := &fakeLogs{current: map[string][]string{"big": tt.lines}, previous: map[string][]string{}}
			var mu sync.Mutex
			var notes []string
			lines := 0
			l := &Logs{Streamer: fl, Namespace: "ns", RetryDelay: time.Millisecond, Emit: func(e timeline.Entry) {
				mu.Lock()
				defer mu.Unlock()
				if e.Kind == timeline.KindNotice {
					notes = append(notes, e.Notice)
				} else {
					lines++
				}
			}}
			id := "containerd://0123456789abcdef"
			term := &corev1.ContainerStateTerminated{ContainerID: id, ExitCode: tt.exit,
				StartedAt: metav1.NewTime(t0), FinishedAt: metav1.NewTime(t0.Add(tt.ran))}
			l.Update(context.Background(), podWith("u", []corev1.ContainerStatus{{Name: "big", ContainerID: id,
				State: corev1.ContainerState{Terminated: term}}}), false)
			l.Wait()
			if lines != len(tt.lines) {
				t.Errorf("printed %d lines, want %d", lines, len(tt.lines))
			}
			switch {
			case tt.want == "" && len(notes) != 0:
				t.Errorf("notes = %q, want none", notes)
			case tt.want != "" && (len(notes) != 1 || !strings.Contains(notes[0], tt.want)):
				t.Errorf("notes = %q, want one containing %q", notes, tt.want)
			}
		})
	}
}

// TestLogsSpanKeepsTheNextInstanceOut: when the pod status lags the
// kubelet's, a read meant for the instance that ended returns the next
// one's lines too; only those within the instance's span are its own.
func TestLogsSpanKeepsTheNextInstanceOut(t *testing.T) {
	fl := &fakeLogs{current: map[string][]string{"init": {stamp(100, "x1"), stamp(4000, "x2"), stamp(20000, "y1")}},
		previous: map[string][]string{}}
	var mu sync.Mutex
	var got []string
	l := &Logs{Streamer: fl, Namespace: "ns", RetryDelay: time.Millisecond, Emit: func(e timeline.Entry) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == timeline.KindLog {
			got = append(got, e.Log.Line)
		}
	}}
	term := &corev1.ContainerStateTerminated{ContainerID: "X", ExitCode: 1,
		StartedAt: metav1.NewTime(t0), FinishedAt: metav1.NewTime(t0.Add(5 * time.Second))}
	l.Update(context.Background(), podWith("u", []corev1.ContainerStatus{{Name: "init", ContainerID: "X",
		State: corev1.ContainerState{Terminated: term}}}), false)
	l.Wait()
	if strings.Join(got, ",") != "x1,x2" {
		t.Fatalf("lines = %v, want x1,x2", got)
	}
}

// TestLogsNextInstanceNotPrintedTwice: the follower of instance X, which
// the lagging status still shows running, is served instance Y's lines;
// Y's own follower then does not print them again.
func TestLogsNextInstanceNotPrintedTwice(t *testing.T) {
	fl := &fakeLogs{current: map[string][]string{"init": {stamp(20000, "y1"), stamp(25000, "y2")}},
		previous: map[string][]string{}}
	var mu sync.Mutex
	var got []string
	printed := make(chan struct{}, 10)
	l := &Logs{Streamer: fl, Namespace: "ns", RetryDelay: time.Millisecond, Emit: func(e timeline.Entry) {
		mu.Lock()
		defer mu.Unlock()
		defer func() { printed <- struct{}{} }()
		if e.Kind != timeline.KindLog {
			got = append(got, "note: "+e.Notice)
			return
		}
		got = append(got, e.Log.ContainerID+" "+e.Log.Line)
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.Update(ctx, podWith("u", []corev1.ContainerStatus{{Name: "init", ContainerID: "X",
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0)}}}}), false)
	receive(t, printed, 2)
	l.Update(ctx, podWith("u", []corev1.ContainerStatus{{Name: "init", ContainerID: "Y",
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ContainerID: "Y", ExitCode: 1,
			StartedAt: metav1.NewTime(t0.Add(20 * time.Second)), FinishedAt: metav1.NewTime(t0.Add(30 * time.Second))}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ContainerID: "X"}}}}), false)
	l.Wait() // Y has ended: its follower reads its log once and stops
	cancel()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("lines = %v, want y1 and y2 once each", got)
	}
}
