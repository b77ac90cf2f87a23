package demo

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/localcluster"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// invalidImageMsg is the kubelet's (image_manager.go applyDefaultImageTag).
const invalidImageMsg = `Failed to apply default image tag "Shortener:v1": couldn't parse image name "Shortener:v1": invalid reference format: repository name (library/Shortener) must be lowercase`

// neverPullMsg is the kubelet's (image_manager.go imageNotPresentOnNeverPolicyError).
const neverPullMsg = `Container image "ghcr.io/kubectl-initwait/shortener:v0.1.0" is not present with pull policy of Never`

// stuckPod is a webapp pod whose app container waits with reason.
func stuckPod(ns, image, reason, msg string) *corev1.Pod {
	p := testPod("webapp-7c-a", false)
	p.Namespace = ns
	p.Spec.Containers = []corev1.Container{{Name: "webapp", Image: image}}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "webapp", Image: image,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}}
	return p
}

// summaryTimeline counts entries and summaries.
type summaryTimeline struct{ entries, summaries int }

func (s *summaryTimeline) Emit(timeline.Entry) error { s.entries++; return nil }
func (s *summaryTimeline) Summary(time.Time, []timeline.PodSummary) error {
	s.summaries++
	return nil
}

func kindDev(context.Context) localcluster.Cluster {
	return localcluster.Cluster{Kind: localcluster.KindKind, Name: "dev"}
}

// TestUpStopsOnStuckContainer: a container that can never start ends Up
// long before its timeout, with the one line (the summary printed first),
// the database's delay cut short and nothing deleted.
func TestUpStopsOnStuckContainer(t *testing.T) {
	s := &recordingStack{}
	tl := &summaryTimeline{}
	clients := Clients{Stack: s, Stream: stream.Clients{Kube: fake.NewSimpleClientset(), Tables: fixedTables{[]*corev1.Pod{stuckPod("demo", stack.DefaultImage, "ErrImageNeverPull", neverPullMsg)}}, Logs: noLogs{}}}
	start := time.Now()
	err := Up(context.Background(), clients, UpConfig{
		Stack: stack.RenderOptions{Namespace: "demo", Variants: []stack.Variant{stack.VariantInit}},
		DB:    DBLater, DBDelay: time.Hour, Timeout: time.Hour, Timeline: tl, DetectCluster: kindDev,
		Progress: &bytes.Buffer{}, Warnings: &bytes.Buffer{},
	})
	var se *StuckError
	if !errors.As(err, &se) {
		t.Fatalf("Up = %v, want a StuckError", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Up took %s", d)
	}
	img := stack.DefaultImage
	want := `pod webapp-7c-a: container webapp (image "` + img + `") cannot start: ErrImageNeverPull: ` + neverPullMsg +
		`; the pull policy is Never, so the image must be on the node already: load the image into this kind cluster "dev": kind load docker-image ` + img +
		" --name dev, or minikube image load " + img + ", or k3d image import " + img +
		", or crane push IMAGE.tar REGISTRY/REPO:TAG (a registry the cluster can reach; then use that reference); or pass --image REF with an image the cluster can pull" +
		"; look closer with kubectl initwait diagnose pod/webapp-7c-a -n demo" +
		"; the stack is left in place for inspection; remove it with kubectl initwait down -n demo"
	if err.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", err, want)
	}
	if tl.summaries != 1 || tl.entries == 0 {
		t.Errorf("timeline: %d entries, %d summaries", tl.entries, tl.summaries)
	}
	for _, ref := range s.applied {
		if ref == "deployment.apps/postgres" {
			t.Error("the database was applied after the stack was found stuck")
		}
	}
}

// TestCompareLeavesStuckStackInPlace: Compare writes its partial report,
// returns the line (naming --delete-namespace for a namespace it made),
// and deletes nothing.
func TestCompareLeavesStuckStackInPlace(t *testing.T) {
	s := &cleaningStack{}
	var report, notes bytes.Buffer
	clients := Clients{Stack: s, Stream: stream.Clients{Kube: fake.NewSimpleClientset(), Tables: fixedTables{[]*corev1.Pod{stuckPod("cmp", "Shortener:v1", "InvalidImageName", invalidImageMsg)}}, Logs: noLogs{}}}
	_, err := Compare(context.Background(), clients, CompareConfig{
		Stack:   stack.RenderOptions{Namespace: "cmp", Variants: []stack.Variant{stack.VariantInit}},
		Created: true, DBDelay: time.Hour, Timeout: time.Hour,
		Timeline: timeline.SinkFunc(func(timeline.Entry) error { return nil }),
		Report:   &report, Progress: &bytes.Buffer{}, Notes: &notes, JSON: true,
	})
	var se *StuckError
	if !errors.As(err, &se) || !strings.HasSuffix(err.Error(), "remove it with kubectl initwait down -n cmp --delete-namespace") {
		t.Fatalf("Compare = %v, want the stuck line", err)
	}
	if !strings.Contains(se.Line, "; fix the container's image reference") {
		t.Errorf("an image no flag chose: %s", se.Line)
	}
	if len(s.deleted) != 0 || notes.Len() != 0 {
		t.Errorf("deleted %v, notes %q: want the stack left in place", s.deleted, notes.String())
	}
	if !strings.Contains(report.String(), `"ready":false`) {
		t.Errorf("no partial report: %s", report.String())
	}
}
