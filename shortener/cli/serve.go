package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/config"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/httpapi"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/internal/oneline"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/store"
)

// Shutdown bounds.
const (
	drainTimeout   = 10 * time.Second
	connectTimeout = 10 * time.Second
)

// ServeOptions runs the HTTP service.
type ServeOptions struct {
	Streams IOStreams
	Getenv  func(string) string
	// ListenFlag is --listen; it overrides the config file and the environment.
	ListenFlag string
	// Listening, if set, is called with the bound address once serving.
	Listening func(net.Addr)

	cfg config.Config
}

// NewServeOptions returns options reading the environment through getenv.
func NewServeOptions(streams IOStreams, getenv func(string) string) *ServeOptions {
	return &ServeOptions{Streams: streams, Getenv: getenv}
}

// Complete loads the configuration file and the environment.
func (o *ServeOptions) Complete() error {
	cfg, err := config.Load(o.Getenv)
	if err != nil {
		return err
	}
	if o.ListenFlag != "" {
		cfg.Listen = o.ListenFlag
	}
	o.cfg = cfg
	return nil
}

// Validate checks what flags set.
func (o *ServeOptions) Validate() error {
	if o.ListenFlag != "" {
		if msg := config.ValidateListen(o.ListenFlag); msg != "" {
			return usageError{fmt.Errorf("flag --listen: %s", msg)}
		}
	}
	return nil
}

// Config returns the completed configuration.
func (o *ServeOptions) Config() config.Config { return o.cfg }

// Run serves until ctx is cancelled (SIGTERM), then drains in-flight requests
// for up to 10 s, flushes click counts, closes the pool and returns nil.
// Start-up failures are logged as one FATAL line and returned as errReported.
func (o *ServeOptions) Run(ctx context.Context) error {
	log := newLogger(o.Streams.ErrOut, o.cfg.LogLevel)
	fatal := func(format string, args ...any) error {
		log.Log(context.Background(), LevelFatal, "failed to start: "+fmt.Sprintf(format, args...))
		return errReported
	}

	poolCfg, err := o.cfg.Database.PoolConfig()
	if err != nil {
		return fatal("failed to open connection to database: %s", oneline.Flatten(err.Error()))
	}
	openCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	pool, err := store.OpenPool(openCtx, poolCfg, o.cfg.PoolSize)
	cancel()
	if err != nil {
		return fatal("failed to open connection to database: %s", oneline.Flatten(err.Error()))
	}
	defer pool.Close()
	migrateCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	err = store.Migrate(migrateCtx, pool)
	cancel()
	if err != nil {
		return fatal("failed to create schema: %s", oneline.Flatten(err.Error()))
	}
	st := store.New(pool, store.Options{CacheSize: o.cfg.CacheSize})
	api := httpapi.New(st, o.cfg.BaseURL, log)

	ln, err := net.Listen("tcp", o.cfg.Listen)
	if err != nil {
		_ = st.Close(context.Background())
		return fatal("listen on %s: %s", o.cfg.Listen, oneline.Flatten(err.Error()))
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "database", o.cfg.Database.Redacted(),
		"pool", o.cfg.PoolSize, "cache", o.cfg.CacheSize)
	if o.Listening != nil {
		o.Listening(ln.Addr())
	}

	var runErr error
	select {
	case err := <-served:
		runErr = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		log.Info("shutting down: draining in-flight requests", "timeout", drainTimeout)
		api.Drain()
		drainCtx, cancel := context.WithTimeout(context.Background(), drainTimeout)
		if err := srv.Shutdown(drainCtx); err != nil {
			log.Warn("drain incomplete", "err", err)
			_ = srv.Close()
		}
		cancel()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			runErr = fmt.Errorf("serve: %w", err)
		}
	}
	flushCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	if err := st.Close(flushCtx); err != nil {
		log.Warn("click counts not flushed", "err", err)
	}
	cancel()
	if runErr == nil {
		log.Info("stopped")
	}
	return runErr
}
