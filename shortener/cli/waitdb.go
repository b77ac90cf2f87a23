package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/config"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/internal/oneline"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/store"
)

// WaitDBOptions waits until the database answers an authenticated SELECT 1.
type WaitDBOptions struct {
	Streams  IOStreams
	Getenv   func(string) string
	Timeout  time.Duration // 0 = no limit
	Interval time.Duration
	// AttemptTimeout bounds one try (connect, authenticate, SELECT 1), so that a
	// host that drops packets costs this long per try rather than the
	// connection's connect_timeout.
	AttemptTimeout time.Duration

	db config.Database
}

// NewWaitDBCmd builds `shortener wait-db`.
func NewWaitDBCmd(streams IOStreams, getenv func(string) string) *cobra.Command {
	o := &WaitDBOptions{Streams: streams, Getenv: getenv}
	cmd := &cobra.Command{
		Use:   "wait-db [--timeout D] [--interval D] [--attempt-timeout D]",
		Short: "Wait until the database accepts an authenticated SELECT 1 (for init containers)",
		Long: `wait-db exits 0 as soon as an authenticated SELECT 1 works with the same
settings the service uses, printing "waiting for database: <reason>" after each
failed try, and exits 1 when --timeout passes. Unlike pg_isready, which only
proves that the port accepts connections, it proves that the database exists and
the credentials work.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 5*time.Minute, "give up after this long (0 = wait forever)")
	cmd.Flags().DurationVar(&o.Interval, "interval", 500*time.Millisecond, "pause between tries")
	cmd.Flags().DurationVar(&o.AttemptTimeout, "attempt-timeout", 2*time.Second, "give up on one try after this long (a host that drops packets)")
	return cmd
}

// Complete loads the database settings from the config file and environment.
func (o *WaitDBOptions) Complete() error {
	cfg, err := config.Load(o.Getenv)
	if err != nil {
		return err
	}
	o.db = cfg.Database
	return nil
}

// Validate checks the flags.
func (o *WaitDBOptions) Validate() error {
	if o.Timeout < 0 {
		return usageError{fmt.Errorf("--timeout must not be negative, got %s", o.Timeout)}
	}
	if o.Interval <= 0 {
		return usageError{fmt.Errorf("--interval must be positive, got %s", o.Interval)}
	}
	if o.AttemptTimeout <= 0 {
		return usageError{fmt.Errorf("--attempt-timeout must be positive, got %s", o.AttemptTimeout)}
	}
	return nil
}

// Run tries until the database answers, the timeout passes or ctx is cancelled.
func (o *WaitDBOptions) Run(ctx context.Context) error {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	start := time.Now()
	var last error // the last failure not caused by ctx ending
	for {
		err := o.try(ctx)
		if err == nil {
			fmt.Fprintf(o.Streams.Out, "database is ready (%s, after %s)\n", o.db.Redacted(), time.Since(start).Round(time.Millisecond))
			return nil
		}
		if ctx.Err() == nil || last == nil {
			last = err
		}
		if ctx.Err() != nil {
			err = last
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("database %s not ready after %s: %s", o.db.Redacted(), o.Timeout, oneline.Flatten(err.Error()))
			}
			return fmt.Errorf("interrupted while waiting for database: %s", oneline.Flatten(err.Error()))
		}
		fmt.Fprintf(o.Streams.Out, "waiting for database: %s\n", oneline.Flatten(err.Error()))
		t := time.NewTimer(o.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

// try runs one attempt bounded by AttemptTimeout; a try cut short by that
// bound says so rather than "context deadline exceeded".
func (o *WaitDBOptions) try(ctx context.Context) error {
	actx, cancel := context.WithTimeout(ctx, o.AttemptTimeout)
	defer cancel()
	err := connectAndPing(actx, o.db)
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s (--attempt-timeout): %w", o.AttemptTimeout, err)
	}
	return err
}

// connectAndPing opens one connection to db and pings it (store.Ping).
func connectAndPing(ctx context.Context, db config.Database) error {
	cfg, err := db.ConnConfig()
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return store.Ping(ctx, conn)
}
