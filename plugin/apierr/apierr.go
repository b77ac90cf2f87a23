// Package apierr words failed Kubernetes API calls on one line, the same way
// for every command: an RBAC refusal names the user, verb and resource the
// server refused, an unreachable cluster its server, anything else the verb
// and object.
package apierr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ForbiddenError is a refusal by the API server's authorizer (RBAC): who
// may not do which verb on which resource, as the server's message says.
type ForbiddenError struct {
	// User is the user the server authorized, e.g. system:serviceaccount:ns:sa.
	User string
	// Verb and Resource are what was refused: create, deployments.apps, pods/log.
	Verb, Resource string
	// Namespace is where; empty for a cluster-scoped request.
	Namespace string
	// Reason is what the authorizer added after the refusal, if anything.
	Reason string
	Err    error
}

func (e *ForbiddenError) Error() string {
	s := fmt.Sprintf("forbidden: User %q cannot %s %s", e.User, e.Verb, e.Resource)
	if e.Namespace == "" {
		s += " at the cluster scope"
	} else {
		s += fmt.Sprintf(" in namespace %q", e.Namespace)
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

func (e *ForbiddenError) Unwrap() error { return e.Err }

// authorizerDenial matches the message of a request the authorizer refused:
//
//	User "u" cannot create resource "configmaps" in API group "" in the namespace "ns"
//	User "u" cannot list resource "namespaces" in API group "" at the cluster scope: reason
var authorizerDenial = regexp.MustCompile(`User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"` +
	`(?: in the namespace "([^"]*)"| at the cluster scope)?(?::\s*(.*))?$`)

// RBACForbidden is the 403 an API server sends when its authorizer refuses
// user verb on gr (Resource may be "pods/log") in namespace ("" for the
// cluster scope), worded as k8s.io/apiserver words it. Tests use it to fake
// a refusal that Explain reads like a real one.
func RBACForbidden(user, verb string, gr schema.GroupResource, name, namespace string) *apierrors.StatusError {
	where := " at the cluster scope"
	if namespace != "" {
		where = fmt.Sprintf(" in the namespace %q", namespace)
	}
	main, _, _ := strings.Cut(gr.Resource, "/")
	return apierrors.NewForbidden(schema.GroupResource{Group: gr.Group, Resource: main}, name,
		fmt.Errorf("User %q cannot %s resource %q in API group %q%s", user, verb, gr.Resource, gr.Group, where))
}

// forbidden reads an authorizer refusal from a 403's message, or returns nil
// when something else refused the request (admission, a Terminating
// namespace, a protected object): its message then says it best.
func forbidden(err error) *ForbiddenError {
	m := authorizerDenial.FindStringSubmatch(OneLine(err.Error()))
	if m == nil {
		return nil
	}
	res := m[3]
	if m[4] != "" {
		// pods/log stays pods/log; deployments in apps is deployments.apps.
		main, sub, hasSub := strings.Cut(res, "/")
		res = main + "." + m[4]
		if hasSub {
			res += "/" + sub
		}
	}
	return &ForbiddenError{User: m[1], Verb: m[2], Resource: res, Namespace: m[5], Reason: m[6], Err: err}
}

// UnreachableError says that the API server did not answer.
type UnreachableError struct {
	Server string
	Err    error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the cluster at %s: %s", e.Server, rootCause(e.Err))
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Explain turns an API error into one line that names what failed: an RBAC
// refusal with the user, verb, resource and namespace the server names (not
// verb and resource, which are only what the caller meant to do: a
// server-side apply may need create where the caller said patch); any other
// refusal in the server's own words; an unreachable server by its address;
// anything else prefixed with verb and object.
func Explain(err error, verb, resource, name, namespace, server string) error {
	if err == nil {
		return nil
	}
	var fe *ForbiddenError
	var ue *UnreachableError
	if errors.As(err, &fe) || errors.As(err, &ue) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	switch {
	case apierrors.IsForbidden(err):
		if fe := forbidden(err); fe != nil {
			return fe
		}
		return &lineError{OneLine(err.Error()), err}
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("unauthorized: the cluster at %s refused the credentials: %w", server, err)
	case isUnreachable(err):
		if server == "" {
			server = serverOf(err)
		}
		return &UnreachableError{Server: server, Err: err}
	}
	what := resource
	if name != "" {
		what += "/" + name
	}
	if apierrors.IsNotFound(err) {
		if missing := missingNamespace(err); missing != "" && resource != "namespaces" {
			// The object's namespace is gone, e.g. deleted while up ran.
			return &lineError{fmt.Sprintf("%s %s: namespace %q not found", verb, what, missing), err}
		}
		if namespace != "" && missingNamespace(err) == "" {
			return &lineError{fmt.Sprintf("%s in namespace %q", OneLine(err.Error()), namespace), err}
		}
	}
	return &lineError{fmt.Sprintf("%s %s: %s", verb, what, OneLine(err.Error())), err}
}

// missingNamespace is the namespace a NotFound error says is missing, or "".
func missingNamespace(err error) string {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return ""
	}
	if d := st.Status().Details; d != nil && d.Kind == "namespaces" && d.Group == "" {
		return d.Name
	}
	return ""
}

// isUnreachable reports whether err is a transport failure, not an answer.
func isUnreachable(err error) bool {
	if _, ok := err.(apierrors.APIStatus); ok {
		return false
	}
	var ue *url.Error
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &oe)
}

// rootCause shortens a transport error to its innermost useful message,
// e.g. "connect: connection refused" or "i/o timeout".
func rootCause(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return OneLine(oe.Err.Error())
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return OneLine(ue.Err.Error())
	}
	return OneLine(err.Error())
}

// OneLine joins a multi-line message (e.g. several apply conflicts) with "; ".
func OneLine(s string) string {
	lines := strings.FieldsFunc(strings.TrimSpace(s), func(r rune) bool { return r == '\n' })
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

// serverOf is the scheme and host of the URL a transport error names.
func serverOf(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	return "the configured server"
}

// lineError prints its own one-line message and unwraps to the API error.
type lineError struct {
	msg string
	err error
}

func (e *lineError) Error() string { return e.msg }
func (e *lineError) Unwrap() error { return e.err }
