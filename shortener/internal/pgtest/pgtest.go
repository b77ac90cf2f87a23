// Package pgtest gives tests a real PostgreSQL: a fresh database on the server
// that hack/with-postgres.sh started (PG* variables), or a private server of
// their own (Instance) for tests that stop and restart it.
//
// Without the environment, tests skip with a message saying how to run them;
// with INITWAIT_REQUIRE_DB=1 they fail instead, so that CI cannot pass by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/config"
)

// Require skips (or fails, with INITWAIT_REQUIRE_DB=1) when the variables named
// are not set.
func Require(t testing.TB, vars ...string) {
	t.Helper()
	for _, v := range vars {
		if os.Getenv(v) != "" {
			continue
		}
		msg := fmt.Sprintf("%s is not set: run the tests under hack/with-postgres.sh (e.g. hack/with-postgres.sh go test ./shortener/...)", v)
		if os.Getenv("INITWAIT_REQUIRE_DB") == "1" {
			t.Fatal("INITWAIT_REQUIRE_DB=1 but " + msg)
		}
		t.Skip(msg)
	}
}

// NewDatabase creates an empty database for this test on the server in the PG*
// environment and drops it when the test ends.
func NewDatabase(t testing.TB) config.Database {
	t.Helper()
	Require(t, "PGHOST", "PGPORT", "PGUSER")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, "")
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer admin.Close(context.Background())
	name := "t_" + randomHex(8)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, "")
		if err != nil {
			t.Errorf("connect to drop %s: %v", name, err)
			return
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg := admin.Config()
	return config.Database{
		Host: cfg.Host, Port: fmt.Sprint(cfg.Port), Name: name,
		User: cfg.User, Password: cfg.Password, SSLMode: "disable",
	}
}

// NewPool opens a pool on a fresh database (see NewDatabase), closed at cleanup.
func NewPool(t testing.TB) (*pgxpool.Pool, config.Database) {
	t.Helper()
	db := NewDatabase(t)
	return Pool(t, db), db
}

// Pool opens a pool on db, closed at cleanup.
func Pool(t testing.TB, db config.Database) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := db.PoolConfig()
	if err != nil {
		t.Fatalf("pool config: %v", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	if err := pool.Ping(ctx); err != nil {
		t.Fatalf("ping %s: %v", db.Redacted(), err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Env returns the POSTGRES_* variables the shortener reads for db.
func Env(db config.Database) map[string]string {
	return map[string]string{
		"POSTGRES_HOST": db.Host, "POSTGRES_PORT": db.Port, "POSTGRES_DATABASE": db.Name,
		"POSTGRES_USER": db.User, "POSTGRES_PASSWORD": db.Password, "POSTGRES_SSLMODE": db.SSLMode,
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
