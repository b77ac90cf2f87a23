package apierr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestExplain(t *testing.T) {
	refused := &url.Error{Op: "Get", URL: "https://10.0.0.1:6443/api", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	tests := []struct {
		name      string
		err       error
		verb, res string
		ns        string
		want      string
	}{
		{"forbidden", apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "webapp", errors.New("RBAC")),
			"patch", "deployments.apps", "demo", "forbidden: cannot patch deployments.apps in namespace demo"},
		{"forbidden cluster scoped", apierrors.NewForbidden(schema.GroupResource{Resource: "namespaces"}, "demo", errors.New("RBAC")),
			"create", "namespaces", "", "forbidden: cannot create namespaces"},
		{"unreachable", refused, "get", "secrets", "demo", "cannot reach the cluster at https://10.0.0.1:6443: connect: connection refused"},
		{"wrapped unreachable", fmt.Errorf("discovery: %w", refused), "find", "Deployment", "", "cannot reach the cluster at https://10.0.0.1:6443: connect: connection refused"},
		{"other API error on one line", apierrors.NewInvalid(schema.GroupKind{Kind: "Service"}, "webapp", nil),
			"patch", "services", "demo", `patch services/webapp: Service "webapp" is invalid`},
		{"unreachable, server from the URL", refused, "list", "pods", "demo", "cannot reach the cluster at https://10.0.0.1:6443: connect: connection refused"},
		{"not found names the namespace", apierrors.NewNotFound(schema.GroupResource{Group: "apps", Resource: "deployments"}, "webapp"),
			"get", "deployments", "demo", `deployments.apps "webapp" not found in namespace "demo"`},
		{"context cancelled passes through", fmt.Errorf("get: %w", context.Canceled), "get", "secrets", "demo", "get: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := "https://10.0.0.1:6443"
			if strings.Contains(tt.name, "from the URL") {
				server = ""
			}
			got := Explain(tt.err, tt.verb, tt.res, "webapp", tt.ns, server)
			if got.Error() != tt.want {
				t.Errorf("Explain = %q, want %q", got, tt.want)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("Explain lost the cause %v", tt.err)
			}
		})
	}
	if Explain(nil, "get", "x", "", "", "") != nil {
		t.Error("Explain(nil) != nil")
	}
}

func TestOneLine(t *testing.T) {
	in := "Apply failed with 2 conflicts:\n conflict with \"kubectl\": .spec.replicas\n conflict with \"kubectl\": .spec.template\n"
	want := `Apply failed with 2 conflicts:; conflict with "kubectl": .spec.replicas; conflict with "kubectl": .spec.template`
	if got := OneLine(in); got != want {
		t.Errorf("oneLine = %q", got)
	}
}
