package stuckwatch

import (
	"context"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source/sourcetest"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stuck"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// tables lists pods in ImagePullBackOff, then watches without changes.
func tables(pods []*corev1.Pod) sourcetest.FixedTables {
	return sourcetest.FixedTables{Pods: pods, Cells: func(*corev1.Pod) (string, string) { return "0/1", "ImagePullBackOff" }}
}

// backOffPod is two replicas' worth of a pod in ImagePullBackOff, as the
// kubelet (v1.34 image_manager.go) words its waiting message.
func backOffPod(name string) *corev1.Pod {
	const img = "127.0.0.1:5999/kubectl-initwait/shortener:missing"
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: name, UID: types.UID(name)},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "webapp", Image: img}}},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "webapp", Image: img, State: corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff",
				Message: `Back-off pulling image "` + img + `": ErrImagePull: failed to pull and unpack image: dial tcp 127.0.0.1:5999: connect: connection refused`}}}}}}
}

// TestWatch: with no change at all, the tick judges the grace; replicas
// that share the image are one finding; a notice of the caller's reaches
// the sink between the timeline's entries.
func TestWatch(t *testing.T) {
	var mu sync.Mutex
	var found []stuck.Finding
	var written []timeline.Entry
	w := &Watch{Tables: tables([]*corev1.Pod{backOffPod("webapp-a"), backOffPod("webapp-b")}),
		Detector: stuck.Detector{PullGrace: 100 * time.Millisecond}, Tick: 10 * time.Millisecond}
	sink := w.Sink(timeline.SinkFunc(func(e timeline.Entry) error { written = append(written, e); return nil }))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	w.OnStuck = func(f stuck.Finding) {
		mu.Lock()
		found = append(found, f)
		mu.Unlock()
		if err := w.Emit(timeline.Entry{Kind: timeline.KindNotice, Notice: "stuck: " + f.Pod}); err != nil {
			t.Error(err)
		}
		time.AfterFunc(200*time.Millisecond, cancel) // time for a second finding, if there were one
	}
	start := time.Now()
	if err := sink.Emit(timeline.Entry{Kind: timeline.KindNotice, Notice: "first"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(found) != 1 || found[0].Pod != "webapp-a" || found[0].Cause != stuck.CauseImagePull {
		t.Fatalf("found %+v, want webapp-a's pull failure once", found)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 4*time.Second {
		t.Errorf("found after %s, want after the 100ms grace", d)
	}
	if len(written) != 2 || written[0].Notice != "first" || written[1].Notice != "stuck: webapp-a" {
		t.Errorf("written %+v", written)
	}
}
