// Package apierr words failed Kubernetes API calls on one line, the same way
// for every command: an RBAC refusal names the verb and resource, an
// unreachable cluster its server, anything else the verb and object.
package apierr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ForbiddenError says which verb on which resource RBAC refused.
type ForbiddenError struct {
	Verb, Resource, Namespace string
	Err                       error
}

func (e *ForbiddenError) Error() string {
	if e.Namespace == "" {
		return fmt.Sprintf("forbidden: cannot %s %s", e.Verb, e.Resource)
	}
	return fmt.Sprintf("forbidden: cannot %s %s in namespace %s", e.Verb, e.Resource, e.Namespace)
}

func (e *ForbiddenError) Unwrap() error { return e.Err }

// UnreachableError says that the API server did not answer.
type UnreachableError struct {
	Server string
	Err    error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the cluster at %s: %s", e.Server, rootCause(e.Err))
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Explain turns an API error into one line that names what failed: RBAC
// refusals with verb and resource, an unreachable server by its address,
// anything else prefixed with the verb and object.
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
		return &ForbiddenError{Verb: verb, Resource: resource, Namespace: namespace, Err: err}
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
	if namespace != "" && apierrors.IsNotFound(err) {
		return &lineError{fmt.Sprintf("%s in namespace %q", OneLine(err.Error()), namespace), err}
	}
	return &lineError{fmt.Sprintf("%s %s: %s", verb, what, OneLine(err.Error())), err}
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
