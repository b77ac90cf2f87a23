package diagnose

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// apiError words a failed API call on one line, as the other commands do:
// RBAC refusals name the verb and resource, an unreachable server its address.
func apiError(err error, verb, resource, ns string) error {
	var uerr *url.Error
	var nerr net.Error
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Errorf("forbidden: cannot %s %s in namespace %s", verb, resource, ns)
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("unauthorized: the cluster refused the credentials (check your kubeconfig)")
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return fmt.Errorf("%s %s in namespace %s: %w", verb, resource, ns, err)
	case errors.As(err, &uerr):
		host := uerr.URL
		if u, perr := url.Parse(uerr.URL); perr == nil {
			host = u.Scheme + "://" + u.Host
		}
		return fmt.Errorf("cannot reach the cluster at %s: %w", host, rootCause(err))
	case errors.As(err, &nerr):
		return fmt.Errorf("cannot reach the cluster: %w", rootCause(err))
	}
	return fmt.Errorf("%s %s in namespace %s: %w", verb, resource, ns, err)
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
