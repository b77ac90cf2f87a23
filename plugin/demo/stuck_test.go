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

// invalidImageMsg is the kubelet's (image_manager.go applyDefaultImageTag),
// as it would word it for the default image (which parses: the case is made up).
const invalidImageMsg = `Failed to apply default image tag "ghcr.io/kubectl-initwait/shortener:v0.1.0": couldn't parse image name "ghcr.io/kubectl-initwait/shortener:v0.1.0": invalid reference format`

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
	clients := Clients{Stack: s, Stream: stream.Clients{Kube: fake.NewSimpleClientset(), Tables: fixedTables([]*corev1.Pod{stuckPod("demo", stack.DefaultImage, "ErrImageNeverPull", neverPullMsg)}), Logs: noLogs{}}}
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
	clients := Clients{Stack: s, Stream: stream.Clients{Kube: fake.NewSimpleClientset(), Tables: fixedTables([]*corev1.Pod{stuckPod("cmp", stack.DefaultImage, "InvalidImageName", invalidImageMsg)}), Logs: noLogs{}}}
	_, err := Compare(context.Background(), clients, CompareConfig{
		Stack:   stack.RenderOptions{Namespace: "cmp", Variants: []stack.Variant{stack.VariantInit}},
		Created: true, DBDelay: time.Hour, Timeout: 30 * time.Second,
		Timeline: timeline.SinkFunc(func(timeline.Entry) error { return nil }),
		Report:   &report, Progress: &bytes.Buffer{}, Notes: &notes, JSON: true,
	})
	var se *StuckError
	if !errors.As(err, &se) || !strings.HasSuffix(err.Error(), "remove it with kubectl initwait down -n cmp --delete-namespace") {
		t.Fatalf("Compare = %v, want the stuck line", err)
	}
	if !strings.Contains(se.Line, "; pass --image REF with a valid image reference") {
		t.Errorf("no --image advice: %s", se.Line)
	}
	if len(s.deleted) != 0 || notes.Len() != 0 {
		t.Errorf("deleted %v, notes %q: want the stack left in place", s.deleted, notes.String())
	}
	if !strings.Contains(report.String(), `"ready":false`) {
		t.Errorf("no partial report: %s", report.String())
	}
}

// TestUpIgnoresAnEarlierRunsPod: a pod stuck on an image this run does not
// deploy (an earlier up's, which the rollout replaces) stops nothing.
func TestUpIgnoresAnEarlierRunsPod(t *testing.T) {
	old := stuckPod("demo", "127.0.0.1:5999/kubectl-initwait/shortener:missing", "ErrImageNeverPull", neverPullMsg)
	clients := Clients{Stack: &recordingStack{}, Stream: stream.Clients{Kube: fake.NewSimpleClientset(), Tables: fixedTables([]*corev1.Pod{old}), Logs: noLogs{}}}
	err := Up(context.Background(), clients, UpConfig{
		Stack: stack.RenderOptions{Namespace: "demo", Variants: []stack.Variant{stack.VariantInit}},
		DB:    DBNow, Timeout: 2 * time.Second, Timeline: &summaryTimeline{},
		Progress: &bytes.Buffer{}, Warnings: &bytes.Buffer{},
	})
	var se *StuckError
	if errors.As(err, &se) || err == nil || !strings.HasPrefix(err.Error(), "timed out after 2s") {
		t.Fatalf("Up = %v, want the timeout", err)
	}
}
