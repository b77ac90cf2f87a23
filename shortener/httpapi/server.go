// Package httpapi serves the shortener's HTTP API: the seed-compatible form
// endpoint, the JSON API, redirects and the health endpoints.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/store"
)

// Store is what the API needs from storage; *store.Store implements it.
type Store interface {
	Create(ctx context.Context, long, alias string) (store.URL, error)
	Resolve(ctx context.Context, code string) (string, error)
	Get(ctx context.Context, code string) (store.URL, error)
	Ping(ctx context.Context) error
}

// dbTimeout bounds each database call of a request.
const dbTimeout = 3 * time.Second

// API is the HTTP handler of the shortener.
type API struct {
	store    Store
	baseURL  string // without trailing slash; "" = derive from the request
	log      *slog.Logger
	mux      *http.ServeMux
	draining atomic.Bool
	lastWarn atomic.Int64 // unix nanos of the last "database unavailable" warning
}

// New returns the API over st. baseURL is the public base of short URLs ("" to
// use the request's Host).
func New(st Store, baseURL string, log *slog.Logger) *API {
	a := &API{store: st, baseURL: strings.TrimRight(baseURL, "/"), log: log, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /{$}", a.index)
	a.mux.HandleFunc("POST /{$}", a.createForm)
	a.mux.HandleFunc("POST /api/v1/urls", a.createJSON)
	a.mux.HandleFunc("GET /api/v1/urls/{code}", a.getURL)
	a.mux.HandleFunc("GET /healthz", a.healthz)
	a.mux.HandleFunc("GET /readyz", a.readyz)
	a.mux.HandleFunc("GET /{code}", a.redirect)
	return a
}

// Drain makes /readyz fail so that load balancers stop sending traffic while
// in-flight requests finish.
func (a *API) Drain() { a.draining.Store(true) }

// ServeHTTP recovers from panics (answering 500) and logs each request at debug.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	debug := a.log.Enabled(r.Context(), slog.LevelDebug)
	var start time.Time
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	if debug {
		start = time.Now()
		w = rec
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			a.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p)
			writeError(w, http.StatusInternalServerError, "internal error")
		}
		if debug {
			a.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"duration", time.Since(start).Round(time.Microsecond), "remote", r.RemoteAddr)
		}
	}()
	a.mux.ServeHTTP(w, r)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// dbFailed answers 503 for a database error, logging at most one warning a second.
func (a *API) dbFailed(w http.ResponseWriter, op string, err error) {
	now := time.Now().UnixNano()
	last := a.lastWarn.Load()
	if now-last > int64(time.Second) && a.lastWarn.CompareAndSwap(last, now) {
		a.log.Warn("database unavailable", "op", op, "err", err)
	}
	writeUnavailable(w)
}

func (a *API) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if a.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("shutting down\n"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (a *API) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("URL shortener. POST / with form field full_url, or POST /api/v1/urls with JSON {\"url\": ...}.\n"))
}
