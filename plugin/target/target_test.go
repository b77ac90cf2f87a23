package target_test

import (
	"testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

func TestTargetSubject(t *testing.T) {
	tests := []struct {
		target target.Target
		want   string
	}{
		{target.Target{LabelSelector: "app=crash", Description: "pods matching app=crash"}, "app=crash"},
		{target.Target{LabelSelector: "app=web", Description: "deployment/web", Kind: "Deployment", Name: "web"}, "deployment/web"},
	}
	for _, tt := range tests {
		if got := tt.target.Subject(); got != tt.want {
			t.Errorf("%+v.Subject() = %q, want %q", tt.target, got, tt.want)
		}
	}
}
