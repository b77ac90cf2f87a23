package demo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestWatchWhileAndApplyAfter runs watchWhile with the real applyAfter (the
// --db later delay of an hour unless skipped) and a stand-in watch.
func TestWatchWhileAndApplyAfter(t *testing.T) {
	boom := errors.New("boom")
	ready := func(context.Context) error { return nil }
	untilCancelled := func(ctx context.Context) error {
		<-ctx.Done()
		return errors.New("interrupted before deployment/webapp was ready")
	}
	notApplied := "stopped before the database was applied"
	tests := []struct {
		name        string
		watch       func(context.Context) error
		delay       time.Duration // --db-delay
		apply       error         // what applying the database returns
		interrupt   bool          // Ctrl-C: the parent context is cancelled
		want        error
		wantMsg     string // the error's text contains it
		wantApplied bool
	}{
		{"ready first: the database is applied at once", ready, time.Hour, nil, false, nil, "", true},
		{"watch fails before the delay: says the database was not applied", func(context.Context) error { return boom },
			time.Hour, nil, false, boom, "boom; " + notApplied, false},
		{"database apply fails after Ready", ready, time.Hour, boom, false, boom, "boom", true},
		{"database apply fails during the watch, which it ends", untilCancelled, 0, boom, false, boom, "boom", true},
		{"Ctrl-C during the delay: says the database was not applied", untilCancelled, time.Hour, nil, true,
			nil, "interrupted before deployment/webapp was ready; " + notApplied, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			applied := false
			db := func(ctx context.Context, skip <-chan struct{}) error {
				return applyAfter(ctx, skip, tt.delay, func(context.Context) error {
					applied = true
					return tt.apply
				})
			}
			if tt.interrupt {
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			done := make(chan error, 1)
			go func() { done <- watchWhile(ctx, tt.watch, db) }()
			select {
			case err := <-done:
				if tt.want != nil && !errors.Is(err, tt.want) || tt.wantMsg == "" && err != nil {
					t.Errorf("watchWhile = %v, want %v", err, tt.want)
				}
				if tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
					t.Errorf("watchWhile = %v, want it to say %q", err, tt.wantMsg)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("watchWhile hung")
			}
			if applied != tt.wantApplied {
				t.Errorf("database applied = %v, want %v", applied, tt.wantApplied)
			}
		})
	}
}

func TestApplyAfterCancelledDuringApply(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	err := applyAfter(ctx, nil, 0, func(ctx context.Context) error {
		cancel()
		return ctx.Err()
	})
	if !errors.Is(err, errDBNotApplied) || !errors.Is(err, context.Canceled) {
		t.Errorf("applyAfter = %v; want it to say the database was not applied", err)
	}
}
