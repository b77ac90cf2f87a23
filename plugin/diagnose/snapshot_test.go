package diagnose

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// TestSnapshotAnswers: a snapshot of one namespace answers about other
// namespaces with one list each, Secrets by name only, and logs within budget.
func TestSnapshotAnswers(t *testing.T) {
	other := service("postgres", map[string]string{"app": "postgres"})
	other.Namespace = "data"
	objs := []runtime.Object{other, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "data"}}}
	d, client, meta := newScanner(t, objs, 1)
	if err := meta.Tracker().Add(&metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}}); err != nil {
		t.Fatal(err)
	}
	snap := newSnapshot(d.Client, d.Pods, d.Metadata, false, 1)
	ctx := context.Background()
	for range 3 {
		if svc, err := snap.Service(ctx, "data", "postgres"); err != nil || svc.Namespace != "data" {
			t.Fatalf("Service data/postgres: %v, %v", svc, err)
		}
		if _, err := snap.Service(ctx, ns, "postgres"); !apierrors.IsNotFound(err) {
			t.Errorf("Service %s/postgres: %v, want NotFound", ns, err)
		}
		if err := snap.Namespace(ctx, "data"); err != nil {
			t.Errorf("Namespace data: %v", err)
		}
		if err := snap.Namespace(ctx, "nope"); !apierrors.IsNotFound(err) {
			t.Errorf("Namespace nope: %v, want NotFound", err)
		}
		if _, err := snap.SecretData(ctx, ns, "db"); !errors.Is(err, errMetadataOnly) {
			t.Errorf("Secret db: %v, want errMetadataOnly", err)
		}
		if _, err := snap.SecretData(ctx, ns, "gone"); !apierrors.IsNotFound(err) {
			t.Errorf("Secret gone: %v, want NotFound", err)
		}
	}
	got := requests(client.Actions(), meta.Actions())
	want := map[string]int{"list services": 2, "list namespaces": 1, "list secrets": 1}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d requests, want %d (all: %v)", k, got[k], n, got)
		}
	}
	pod := webappPod("p", "db")
	pod.Spec.InitContainers[0].Env = []corev1.EnvVar{{Name: "PGHOST", ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "host"}}}}
	if refs := checkRefs(ctx, snap, pod); len(refs) != 0 {
		t.Errorf("an existing Secret known by name only: %+v, want no problem", refs)
	}
	env := ContainerEnv(ctx, snap, pod, &pod.Spec.InitContainers[0])
	if v := env["PGHOST"]; v.Resolved || v.Missing || !strings.Contains(v.Why, "only the names") {
		t.Errorf("PGHOST from a Secret known by name: %+v", v)
	}
	if _, err := snap.Log(ctx, pod, "check-db-ready", false, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := snap.Log(ctx, webappPod("q", "db"), "check-db-ready", false, 5); err == nil || !strings.Contains(err.Error(), "at most 1 logs") {
		t.Errorf("second log beyond a budget of 1: %v", err)
	}
}
