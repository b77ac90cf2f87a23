package demo

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source/sourcetest"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// fixedTables lists pods as Init:0/1, or Running once Ready, then
// watches without changes.
func fixedTables(pods []*corev1.Pod) sourcetest.FixedTables {
	return sourcetest.FixedTables{Pods: pods, Cells: func(p *corev1.Pod) (string, string) {
		if podReady(p) {
			return "1/1", "Running"
		}
		return "0/1", "Init:0/1"
	}}
}

func podReady(p *corev1.Pod) bool {
	return len(p.Status.Conditions) > 0 && p.Status.Conditions[0].Status == corev1.ConditionTrue
}

type noLogs struct{}

func (noLogs) Stream(context.Context, string, string, *corev1.PodLogOptions) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("")), nil
}

func testPod(name string, ready bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "cmp", UID: types.UID(name), ResourceVersion: "1"}}
	cond := corev1.ConditionFalse
	if ready {
		cond = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: cond}}
	return p
}

// cleaningStack is a recordingStack that records the clean-up too.
type cleaningStack struct {
	recordingStack
	deleted []string
}

func (s *cleaningStack) Delete(_ context.Context, ns string, _ []schema.GroupVersionKind, _ bool, _ func(string)) ([]string, error) {
	s.deleted = append(s.deleted, "objects in "+ns)
	return nil, nil
}

func (s *cleaningStack) DeleteNamespace(_ context.Context, ns string, _, _ bool, _ time.Duration) (bool, error) {
	s.deleted = append(s.deleted, "namespace/"+ns)
	return true, nil
}

// TestCompareFlow runs Compare over a fake cluster whose pods are all
// Ready (the database was there already), or whose webapp never gets
// Ready before --timeout: the report is written either way, the timeout is
// the error, and what the run made is cleaned up.
func TestCompareFlow(t *testing.T) {
	const database = "deployment.apps/postgres"
	tests := []struct {
		name       string
		pods       []*corev1.Pod
		created    bool
		wantErr    string
		wantDB     bool // the database was applied
		wantReady  bool
		wantClean  string
		wantReport string
	}{
		{"all Ready: the rest of the delay is skipped", []*corev1.Pod{testPod("webapp-7c-a", true), testPod("postgres-6f-b", true)},
			false, "", true, true, "objects in cmp", `"variant":"webapp"`},
		{"timeout: the partial report, then the error", []*corev1.Pod{testPod("webapp-7c-a", false)},
			true, "timed out after 300ms waiting for every compared variant: webapp-7c-a is Init:0/1", false, false, "namespace/cmp", `"ready":false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &cleaningStack{}
			var report, progress, notes bytes.Buffer
			var shown int
			clients := Clients{Stack: s, Stream: stream.Clients{Kube: fake.NewSimpleClientset(), Tables: fixedTables(tt.pods), Logs: noLogs{}}}
			res, err := Compare(context.Background(), clients, CompareConfig{
				Stack:   stack.RenderOptions{Namespace: "cmp", Variants: []stack.Variant{stack.VariantInit}},
				Created: tt.created, DBDelay: time.Hour, Timeout: 300 * time.Millisecond,
				Timeline: timeline.SinkFunc(func(timeline.Entry) error { shown++; return nil }),
				Report:   &report, Progress: &progress, Notes: &notes, JSON: true,
			})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Fatalf("Compare = %v, want %q", err, tt.wantErr)
			}
			if got := slices.Contains(s.applied, database); got != tt.wantDB {
				t.Errorf("database applied = %v, want %v (applied %v)", got, tt.wantDB, s.applied)
			}
			if !strings.Contains(report.String(), `"kind":"compare"`) || !strings.Contains(report.String(), tt.wantReport) {
				t.Errorf("report %s lacks %s", report.String(), tt.wantReport)
			}
			if len(res.Report.Variants) != 1 || res.Report.Variants[0].Ready != tt.wantReady {
				t.Errorf("variants %+v, want webapp with ready=%v", res.Report.Variants, tt.wantReady)
			}
			if len(res.Entries) == 0 || len(res.Entries) != shown || len(res.Pods) != len(tt.pods) {
				t.Errorf("result has %d entries (%d shown) and %d pod summaries, want every entry shown and %d pods",
					len(res.Entries), shown, len(res.Pods), len(tt.pods))
			}
			if strings.Join(s.deleted, ",") != tt.wantClean {
				t.Errorf("cleaned up %v, want %s", s.deleted, tt.wantClean)
			}
			if !strings.Contains(progress.String(), "database: applying in 1h0m0s") {
				t.Errorf("progress:\n%s", progress.String())
			}
		})
	}
}
