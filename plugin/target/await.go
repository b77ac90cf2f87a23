package target

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultCreatePoll is how often AwaitCreated looks for the target again,
// the interval kubectl wait --for=create polls at.
const DefaultCreatePoll = time.Second

// Awaiter resolves a target that may not exist yet, as kubectl wait
// --for=create does: it reads it again every Poll until it is created or
// ctx ends.
type Awaiter struct {
	Resolver Resolver
	// Poll is the interval between reads (default DefaultCreatePoll).
	Poll time.Duration
	// OnWaiting is called once, with the target as kubectl names it (e.g.
	// deployment/webapp), when the first read finds nothing.
	OnWaiting func(description string)
}

// CreateTimeoutError is a target that was still not created when the
// context ended.
type CreateTimeoutError struct {
	NotFound *NotFoundError
	Err      error // the context's error
}

func (e *CreateTimeoutError) Error() string {
	return fmt.Sprintf("%s/%s was not created in namespace %q: %v", e.NotFound.Kind.Word(), e.NotFound.Name, e.NotFound.Namespace, e.Err)
}

func (e *CreateTimeoutError) Unwrap() error { return e.Err }

// Resolve is Resolver.Resolve that waits while the target is not found.
// Any other error (a bad spec, an unknown TYPE, RBAC, an object without a
// selector) is returned at once.
func (a Awaiter) Resolve(ctx context.Context, ns string, s Spec) (Target, error) {
	poll := a.Poll
	if poll <= 0 {
		poll = DefaultCreatePoll
	}
	var last *NotFoundError
	for {
		t, err := a.Resolver.Resolve(ctx, ns, s)
		var nf *NotFoundError
		switch {
		case err != nil && last != nil && ctx.Err() != nil:
			// the read was cut short by the end of the wait
			return Target{}, &CreateTimeoutError{NotFound: last, Err: ctx.Err()}
		case !errors.As(err, &nf):
			return t, err
		}
		if last == nil && a.OnWaiting != nil {
			a.OnWaiting(nf.Kind.Word() + "/" + nf.Name)
		}
		last = nf
		timer := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return Target{}, &CreateTimeoutError{NotFound: nf, Err: ctx.Err()}
		case <-timer.C:
		}
	}
}
