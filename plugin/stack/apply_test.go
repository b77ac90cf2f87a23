package stack

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestSameObject(t *testing.T) {
	obj := func(rv, value string, managers ...string) *unstructured.Unstructured {
		u := NamespaceObject("x")
		u.SetResourceVersion(rv)
		u.SetLabels(map[string]string{"k": value})
		var mf []metav1.ManagedFieldsEntry
		for _, m := range managers {
			mf = append(mf, metav1.ManagedFieldsEntry{Manager: m})
		}
		u.SetManagedFields(mf)
		return u
	}
	tests := []struct {
		name          string
		before, after *unstructured.Unstructured
		dryRun, want  bool
	}{
		{"persisted, same resourceVersion", obj("1", "a"), obj("1", "a"), false, true},
		{"persisted, new resourceVersion", obj("1", "a"), obj("2", "a"), false, false},
		{"dry run, same content", obj("1", "a", "x"), obj("1", "a", "x", "y"), true, true},
		{"dry run, changed content", obj("1", "a"), obj("1", "b"), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameObject(tt.before, tt.after, tt.dryRun); got != tt.want {
				t.Errorf("sameObject = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestResultString(t *testing.T) {
	tests := []struct {
		r    Result
		want string
	}{
		{Result{Ref: "deployment.apps/webapp", Action: Created}, "deployment.apps/webapp created"},
		{Result{Ref: "service/webapp", Action: Unchanged, DryRun: true}, "service/webapp unchanged (server dry run)"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestTerminatingError(t *testing.T) {
	active := NamespaceObject("fx")
	_ = unstructured.SetNestedField(active.Object, "Active", "status", "phase")
	terminating := NamespaceObject("fx")
	_ = unstructured.SetNestedField(terminating.Object, "Terminating", "status", "phase")
	deleted := NamespaceObject("fx")
	now := metav1.Now()
	deleted.SetDeletionTimestamp(&now)
	if err := TerminatingError(active); err != nil {
		t.Errorf("active namespace: %v", err)
	}
	for name, ns := range map[string]*unstructured.Unstructured{"phase Terminating": terminating, "deletionTimestamp": deleted} {
		err := TerminatingError(ns)
		if err == nil || !strings.Contains(err.Error(), "namespace fx is being deleted (Terminating)") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v; want one line saying namespace fx is being deleted", name, err)
		}
	}
}
