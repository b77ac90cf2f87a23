package source

import (
	"errors"
	"fmt"
	"net"
	"net/url"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// APIError turns an API error into one line that says what was refused:
// which verb on which resource for Forbidden, the object for NotFound, and
// the server for a cluster that cannot be reached.
func APIError(err error, verb, resource, ns string) error {
	if err == nil {
		return nil
	}
	where := ""
	if ns != "" {
		where = fmt.Sprintf(" in namespace %q", ns)
	}
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Errorf("forbidden: cannot %s %s%s: %w", verb, resource, where, err)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%w%s", err, where)
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("unauthorized: the cluster rejected the credentials (check your kubeconfig): %w", err)
	}
	var uerr *url.Error
	var nerr net.Error
	if errors.As(err, &uerr) || errors.As(err, &nerr) {
		host := ""
		if uerr != nil {
			if u, perr := url.Parse(uerr.URL); perr == nil {
				host = u.Scheme + "://" + u.Host
			}
		}
		return fmt.Errorf("cannot reach the cluster at %s: %w", host, rootCause(err))
	}
	return fmt.Errorf("%s %s%s: %w", verb, resource, where, err)
}

func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
