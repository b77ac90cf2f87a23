package apierr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
		{"unreachable", refused, "get", "secrets", "demo", "cannot reach the cluster at https://10.0.0.1:6443: connect: connection refused"},
		{"wrapped unreachable", fmt.Errorf("discovery: %w", refused), "find", "Deployment", "", "cannot reach the cluster at https://10.0.0.1:6443: connect: connection refused"},
		{"other API error on one line", apierrors.NewInvalid(schema.GroupKind{Kind: "Service"}, "webapp", nil),
			"patch", "services", "demo", `patch services/webapp: Service "webapp" is invalid`},
		{"unreachable, server from the URL", refused, "list", "pods", "demo", "cannot reach the cluster at https://10.0.0.1:6443: connect: connection refused"},
		{"namespace deleted under a namespaced object", apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "rv-stack-1"),
			"apply", "configmaps", "rv-stack-1", `apply configmaps/webapp: namespace "rv-stack-1" not found`},
		{"missing namespace itself", apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "webapp"),
			"get", "namespaces", "", `get namespaces/webapp: namespaces "webapp" not found`},
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

// forbidden403 is the 403 the API server sends with message msg, decoded the
// way client-go decodes it.
func forbidden403(msg string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: http.StatusForbidden,
		Reason: metav1.StatusReasonForbidden, Message: msg}}
}

// TestExplainForbidden uses messages copied from a v1.34 API server: only the
// authorizer's refusal is RBAC, with the verb and resource the server names;
// every other 403 keeps the server's words.
func TestExplainForbidden(t *testing.T) {
	tests := []struct {
		name, msg  string
		verb, res  string // what the caller guessed
		ns         string
		want       string
		wantRBAC   bool
		wantVerb   string
		wantResNsp string
	}{
		{"apply of a missing object needs create, not patch",
			`configmaps "app-config" is forbidden: User "system:serviceaccount:fx-stack-1:limited" cannot create resource "configmaps" in API group "" in the namespace "fx-stack-1"`,
			"patch", "configmaps", "fx-stack-1",
			`forbidden: User "system:serviceaccount:fx-stack-1:limited" cannot create configmaps in namespace "fx-stack-1"`,
			true, "create", "configmaps fx-stack-1"},
		{"group and namespace from the message",
			`deployments.apps "webapp" is forbidden: User "jane" cannot patch resource "deployments" in API group "apps" in the namespace "demo"`,
			"get", "deployments", "other",
			`forbidden: User "jane" cannot patch deployments.apps in namespace "demo"`,
			true, "patch", "deployments.apps demo"},
		{"cluster scope",
			`namespaces is forbidden: User "system:serviceaccount:fx-stack-1:limited" cannot list resource "namespaces" in API group "" at the cluster scope`,
			"get", "namespaces", "",
			`forbidden: User "system:serviceaccount:fx-stack-1:limited" cannot list namespaces at the cluster scope`,
			true, "list", "namespaces "},
		{"subresource",
			`pods "nope" is forbidden: User "system:serviceaccount:fx-stack-1:limited" cannot get resource "pods/log" in API group "" in the namespace "fx-stack-1"`,
			"get", "pods", "fx-stack-1",
			`forbidden: User "system:serviceaccount:fx-stack-1:limited" cannot get pods/log in namespace "fx-stack-1"`,
			true, "get", "pods/log fx-stack-1"},
		{"authorizer reason kept",
			`secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "demo": RBAC: role.rbac.authorization.k8s.io "reader" not found`,
			"list", "secrets", "demo",
			`forbidden: User "bob" cannot list secrets in namespace "demo": RBAC: role.rbac.authorization.k8s.io "reader" not found`,
			true, "list", "secrets demo"},
		{"terminating namespace is not RBAC",
			`configmaps "app-config" is forbidden: unable to create new content in namespace fx-stack-2 because it is being terminated`,
			"patch", "configmaps", "fx-stack-2",
			`configmaps "app-config" is forbidden: unable to create new content in namespace fx-stack-2 because it is being terminated`,
			false, "", ""},
		{"protected namespace is not RBAC",
			`namespaces "default" is forbidden: this namespace may not be deleted`,
			"delete", "namespaces", "",
			`namespaces "default" is forbidden: this namespace may not be deleted`,
			false, "", ""},
		{"admission refusal on one line",
			"pods \"x\" is forbidden: violates PodSecurity \"restricted:latest\":\nallowPrivilegeEscalation != false",
			"create", "pods", "demo",
			`pods "x" is forbidden: violates PodSecurity "restricted:latest":; allowPrivilegeEscalation != false`,
			false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := forbidden403(tt.msg)
			got := Explain(in, tt.verb, tt.res, "app-config", tt.ns, "https://10.0.0.1:6443")
			if got.Error() != tt.want {
				t.Errorf("Explain =\n  %s\nwant\n  %s", got, tt.want)
			}
			if !errors.Is(got, in) || !apierrors.IsForbidden(got) {
				t.Errorf("Explain lost the 403 it explains")
			}
			var fe *ForbiddenError
			if isRBAC := errors.As(got, &fe); isRBAC != tt.wantRBAC {
				t.Fatalf("RBAC refusal = %v, want %v", isRBAC, tt.wantRBAC)
			}
			if fe != nil && (fe.Verb != tt.wantVerb || fe.Resource+" "+fe.Namespace != tt.wantResNsp) {
				t.Errorf("ForbiddenError %+v; want verb %s, resource and namespace %q", fe, tt.wantVerb, tt.wantResNsp)
			}
		})
	}
}

func TestRBACForbiddenReadsLikeTheServer(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{RBACForbidden("jane", "create", schema.GroupResource{Resource: "configmaps"}, "app-config", "fx"),
			`configmaps "app-config" is forbidden: User "jane" cannot create resource "configmaps" in API group "" in the namespace "fx"`},
		{RBACForbidden("jane", "list", schema.GroupResource{Resource: "namespaces"}, "", ""),
			`namespaces is forbidden: User "jane" cannot list resource "namespaces" in API group "" at the cluster scope`},
		{RBACForbidden("jane", "get", schema.GroupResource{Resource: "pods/log"}, "nope", "fx"),
			`pods "nope" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "fx"`},
	} {
		if tc.err.Error() != tc.want {
			t.Errorf("RBACForbidden = %q\nwant the server's %q", tc.err, tc.want)
		}
		if got := Explain(tc.err, "x", "y", "", "", ""); !strings.HasPrefix(got.Error(), `forbidden: User "jane" cannot `) {
			t.Errorf("Explain(%q) = %q", tc.err, got)
		}
	}
}

func TestOneLine(t *testing.T) {
	in := "Apply failed with 2 conflicts:\n conflict with \"kubectl\": .spec.replicas\n conflict with \"kubectl\": .spec.template\n"
	want := `Apply failed with 2 conflicts:; conflict with "kubectl": .spec.replicas; conflict with "kubectl": .spec.template`
	if got := OneLine(in); got != want {
		t.Errorf("oneLine = %q", got)
	}
}
