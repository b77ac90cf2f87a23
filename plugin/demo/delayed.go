package demo

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// errDBNotApplied is how the database applied after a delay says that the
// flow stopped (Ctrl-C, a timeout, a failed watch) before it was applied.
var errDBNotApplied = errors.New("stopped before the database was applied")

// applyAfter runs apply once delay has passed or skip is closed. If ctx
// ends first, or during apply, the error wraps errDBNotApplied.
func applyAfter(ctx context.Context, skip <-chan struct{}, delay time.Duration, apply func(context.Context) error) error {
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-skip:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", errDBNotApplied, ctx.Err())
	}
	if err := apply(ctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", errDBNotApplied, err)
		}
		return err
	}
	return nil
}

// watchWhile is the one "apply the database after a delay" of up --db
// later and compare: it runs watch (the timeline of the webapp pods) while
// applyDB waits out the delay beside it and applies the database; a failed
// apply ends the watch. If the watch returns nil first (the pods got Ready:
// the database was there already), the rest of the delay is skipped. When
// the watch ends in an error before the database was applied, the error
// says so: it wraps both the watch's error and errDBNotApplied.
func watchWhile(ctx context.Context, watch func(context.Context) error, applyDB func(context.Context, <-chan struct{}) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	skip := make(chan struct{})
	dbErr := make(chan error, 1)
	go func() {
		err := applyDB(ctx, skip)
		if err != nil {
			cancel() // a failed database apply ends the watch
		}
		dbErr <- err
	}()
	werr := watch(ctx)
	if werr == nil {
		close(skip)
	} else {
		cancel()
	}
	err := <-dbErr
	switch {
	case errors.Is(err, errDBNotApplied) && werr != nil:
		return fmt.Errorf("%w; %w", werr, errDBNotApplied)
	case errors.Is(err, errDBNotApplied):
		return err
	case err != nil && !errors.Is(err, context.Canceled):
		return err // the database apply failed and ended the watch
	}
	return werr
}
