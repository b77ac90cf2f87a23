package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/internal/pgtest"
)

func newStore(t *testing.T, opts Options) (*Store, *pgxpool.Pool) {
	t.Helper()
	pool, _ := pgtest.NewPool(t)
	if err := Migrate(context.Background(), pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if opts.ClickFlushInterval == 0 {
		opts.ClickFlushInterval = time.Hour // tests flush explicitly
	}
	s := New(pool, opts)
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s, pool
}

func TestCreateResolveGet(t *testing.T) {
	for _, cacheSize := range []int{0, 100} {
		s, _ := newStore(t, Options{CacheSize: cacheSize})
		ctx := context.Background()
		u, err := s.Create(ctx, "https://example.com/x?y=1", "")
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if len(u.Code) != CodeLength || u.CreatedAt.IsZero() {
			t.Fatalf("created %+v: want a %d-char code and a creation time", u, CodeLength)
		}
		long, err := s.Resolve(ctx, u.Code)
		if err != nil || long != u.URL {
			t.Fatalf("resolve %s = %q, %v; want %q", u.Code, long, err, u.URL)
		}
		if _, err := s.Resolve(ctx, "nope123"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("resolve unknown: err = %v, want ErrNotFound", err)
		}
		if _, err := s.Get(ctx, "nope123"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get unknown: err = %v, want ErrNotFound", err)
		}
		got, err := s.Get(ctx, u.Code)
		if err != nil || got.URL != u.URL || got.Clicks != 1 || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Fatalf("get = %+v, %v; want %s with 1 click", got, err, u.URL)
		}
	}
}

func TestAliasTaken(t *testing.T) {
	s, _ := newStore(t, Options{})
	ctx := context.Background()
	if _, err := s.Create(ctx, "https://a.example/", "my-alias"); err != nil {
		t.Fatalf("first create: %v", err)
	}
	if _, err := s.Create(ctx, "https://b.example/", "my-alias"); !errors.Is(err, ErrAliasTaken) {
		t.Fatalf("second create: err = %v, want ErrAliasTaken", err)
	}
	long, err := s.Resolve(ctx, "my-alias")
	if err != nil || long != "https://a.example/" {
		t.Fatalf("alias resolves to %q, %v; want the first URL", long, err)
	}
}

// scripted returns the given codes in order, then keeps returning the last.
func scripted(codes ...string) func() (string, error) {
	var mu sync.Mutex
	return func() (string, error) {
		mu.Lock()
		defer mu.Unlock()
		c := codes[0]
		if len(codes) > 1 {
			codes = codes[1:]
		}
		return c, nil
	}
}

func TestCodeCollisionRetries(t *testing.T) {
	s, _ := newStore(t, Options{})
	ctx := context.Background()
	s.newCode = scripted("AAAAAAA", "AAAAAAA", "healthz", "BBBBBBB")
	first, err := s.Create(ctx, "https://one.example/", "")
	if err != nil || first.Code != "AAAAAAA" {
		t.Fatalf("first = %+v, %v", first, err)
	}
	second, err := s.Create(ctx, "https://two.example/", "")
	if err != nil || second.Code != "BBBBBBB" {
		t.Fatalf("second = %+v, %v; want the collision and the reserved word skipped", second, err)
	}
	s.newCode = scripted("AAAAAAA")
	if _, err := s.Create(ctx, "https://three.example/", ""); err == nil {
		t.Fatal("create with only colliding codes succeeded")
	}
}

func TestMigrateConcurrentAndIdempotent(t *testing.T) {
	db := pgtest.NewDatabase(t)
	const replicas = 6
	var wg sync.WaitGroup
	errs := make(chan error, replicas)
	for range replicas {
		pool := pgtest.Pool(t, db)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- Migrate(context.Background(), pool)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	pool := pgtest.Pool(t, db)
	if err := Migrate(context.Background(), pool); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	var n int
	if err := pool.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_indexes WHERE tablename = 'urls' AND indexdef LIKE 'CREATE UNIQUE INDEX%(code)'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("unique index on code: count = %d, %v", n, err)
	}
}

func TestClicksAreBatched(t *testing.T) {
	s, pool := newStore(t, Options{CacheSize: 10})
	ctx := context.Background()
	u, err := s.Create(ctx, "https://clicks.example/", "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Resolve(ctx, u.Code); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	dbClicks := func() int64 {
		var n int64
		if err := pool.QueryRow(ctx, `SELECT clicks FROM urls WHERE code = $1`, u.Code).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := dbClicks(); n != 0 {
		t.Fatalf("clicks written before the flush: %d", n)
	}
	if got, _ := s.Get(ctx, u.Code); got.Clicks != 50 {
		t.Fatalf("Get before flush: clicks = %d, want 50 (pending included)", got.Clicks)
	}
	if err := s.clicks.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := dbClicks(); n != 50 {
		t.Fatalf("clicks after flush = %d, want 50", n)
	}
	if got, _ := s.Get(ctx, u.Code); got.Clicks != 50 {
		t.Fatalf("Get after flush: clicks = %d, want 50 (not counted twice)", got.Clicks)
	}
}

func TestClickFlushFailureKeepsCounts(t *testing.T) {
	pool, _ := pgtest.NewPool(t)
	pool.Close()
	c := NewClickCounter(pool, time.Hour)
	c.Add("abc")
	c.Add("abc")
	if err := c.Stop(context.Background()); err == nil {
		t.Fatal("flush on a closed pool succeeded")
	}
	if n := c.Pending("abc"); n != 2 {
		t.Fatalf("pending after failed flush = %d, want 2", n)
	}
}

func TestClickCounterFlushesPeriodically(t *testing.T) {
	s, pool := newStore(t, Options{ClickFlushInterval: 50 * time.Millisecond})
	ctx := context.Background()
	u, err := s.Create(ctx, "https://tick.example/", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(ctx, u.Code); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int64
		if err := pool.QueryRow(ctx, `SELECT clicks FROM urls WHERE code = $1`, u.Code).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("click not flushed within 5s (clicks = %d)", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCacheEvictsLeastRecentlyUsed: with room for two codes, the one neither
// created nor resolved last is evicted. Rows are deleted behind the store's back
// so that only cached codes still resolve.
func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	s, pool := newStore(t, Options{CacheSize: 2})
	ctx := context.Background()
	for _, alias := range []string{"aaa", "bbb"} {
		if _, err := s.Create(ctx, "https://"+alias+".example/", alias); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Resolve(ctx, "aaa"); err != nil { // aaa is now the most recent
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "https://ccc.example/", "ccc"); err != nil { // evicts bbb
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM urls`); err != nil {
		t.Fatal(err)
	}
	for code, cached := range map[string]bool{"aaa": true, "bbb": false, "ccc": true} {
		long, err := s.Resolve(ctx, code)
		switch {
		case cached && (err != nil || long != "https://"+code+".example/"):
			t.Errorf("%s: %q, %v; want it served from the cache", code, long, err)
		case !cached && !errors.Is(err, ErrNotFound):
			t.Errorf("%s: %q, %v; want ErrNotFound (evicted, row deleted)", code, long, err)
		}
	}
}
