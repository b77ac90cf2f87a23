// Package store keeps short URLs in PostgreSQL (pgx/v5 pgxpool): the schema, code
// generation with retry on collision, an in-process cache of hot codes and
// batched click counting.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Errors the store returns for expected outcomes; anything else means the
// database could not answer.
var (
	ErrNotFound   = errors.New("short URL not found")
	ErrAliasTaken = errors.New("alias is already taken")
)

// URL is a stored short URL.
type URL struct {
	Code      string
	URL       string
	CreatedAt time.Time
	Clicks    int64
}

// Options tune a Store.
type Options struct {
	// CacheSize is the number of hot codes kept in memory, least recently used
	// evicted first; 0 disables the cache.
	CacheSize int
	// ClickFlushInterval is how often batched click counts are written (default 1s).
	ClickFlushInterval time.Duration
}

// Store is the PostgreSQL-backed URL store. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	// cache maps codes to long URLs for the hottest codes; nil when disabled.
	// Entries never go stale because URLs never change once created.
	cache  *lru.Cache[string, string]
	clicks *ClickCounter
	// newCode makes a random code; tests replace it to force collisions.
	newCode func() (string, error)
}

// New wraps an open pool. Call Migrate before use and Close when done; Close
// flushes pending click counts but leaves the pool open.
func New(pool *pgxpool.Pool, opts Options) *Store {
	if opts.ClickFlushInterval <= 0 {
		opts.ClickFlushInterval = time.Second
	}
	s := &Store{pool: pool, newCode: NewCode}
	if opts.CacheSize > 0 {
		s.cache, _ = lru.New[string, string](opts.CacheSize) // errors only for size <= 0
	}
	s.clicks = NewClickCounter(pool, opts.ClickFlushInterval)
	return s
}

// Close stops the click counter after a last flush bounded by ctx.
func (s *Store) Close(ctx context.Context) error {
	return s.clicks.Stop(ctx)
}

// Ping checks that the database answers an authenticated query (see Ping).
func (s *Store) Ping(ctx context.Context) error {
	return Ping(ctx, s.pool)
}

// maxCodeAttempts bounds retries when a random code collides.
const maxCodeAttempts = 8

// Create stores long under alias, or under a fresh random code when alias is
// empty. The caller validates both. It returns ErrAliasTaken when alias is used.
func (s *Store) Create(ctx context.Context, long, alias string) (URL, error) {
	if alias != "" {
		u, err := s.insert(ctx, alias, long)
		if errors.Is(err, errConflict) {
			return URL{}, ErrAliasTaken
		}
		return u, err
	}
	for range maxCodeAttempts {
		code, err := s.newCode()
		if err != nil {
			return URL{}, err
		}
		if IsReserved(code) {
			continue
		}
		u, err := s.insert(ctx, code, long)
		if errors.Is(err, errConflict) {
			continue
		}
		return u, err
	}
	return URL{}, fmt.Errorf("no free code after %d attempts", maxCodeAttempts)
}

var errConflict = errors.New("code exists")

const insertSQL = `INSERT INTO urls (code, url) VALUES ($1, $2)
ON CONFLICT (code) DO NOTHING RETURNING created_at`

// insert adds one row; errConflict when the code exists. A failure that
// provably never reached the server is retried once on a fresh connection.
func (s *Store) insert(ctx context.Context, code, long string) (URL, error) {
	u := URL{Code: code, URL: long}
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		err = s.pool.QueryRow(ctx, insertSQL, code, long).Scan(&u.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return URL{}, errConflict
		}
		if err == nil {
			if s.cache != nil {
				s.cache.Add(code, long)
			}
			return u, nil
		}
		if !pgconn.SafeToRetry(err) || ctx.Err() != nil {
			break
		}
	}
	return URL{}, fmt.Errorf("insert short URL: %w", err)
}

// Resolve returns the long URL for code and counts a click. It serves from the
// cache when it can; URLs never change once created.
func (s *Store) Resolve(ctx context.Context, code string) (string, error) {
	if s.cache != nil {
		if long, ok := s.cache.Get(code); ok {
			s.clicks.Add(code)
			return long, nil
		}
	}
	var long string
	err := s.readRetry(ctx, func() error {
		return s.pool.QueryRow(ctx, `SELECT url FROM urls WHERE code = $1`, code).Scan(&long)
	})
	if err != nil {
		return "", err
	}
	if s.cache != nil {
		s.cache.Add(code, long)
	}
	s.clicks.Add(code)
	return long, nil
}

// Get returns the stored URL with its click count, including clicks not yet
// flushed to the database.
func (s *Store) Get(ctx context.Context, code string) (URL, error) {
	u := URL{Code: code}
	pending, err := s.clicks.WithPending(code, func() error {
		return s.readRetry(ctx, func() error {
			return s.pool.QueryRow(ctx, `SELECT url, created_at, clicks FROM urls WHERE code = $1`, code).
				Scan(&u.URL, &u.CreatedAt, &u.Clicks)
		})
	})
	if err != nil {
		return URL{}, err
	}
	u.Clicks += pending
	return u, nil
}

// readRetry runs a read-only query, retrying once when it failed for another
// reason than "no row" (typically a pooled connection the server dropped while
// it restarted), so that service resumes on the first request after an outage.
func (s *Store) readRetry(ctx context.Context, query func() error) error {
	err := query()
	if err != nil && !errors.Is(err, pgx.ErrNoRows) && ctx.Err() == nil {
		err = query()
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("query short URL: %w", err)
	}
	return nil
}
