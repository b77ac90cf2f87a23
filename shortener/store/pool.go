package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenPool creates a pool from cfg (config.Database.PoolConfig) with at most
// maxConns connections and proves it works with Ping before returning it.
func OpenPool(ctx context.Context, cfg *pgxpool.Config, maxConns int32) (*pgxpool.Pool, error) {
	cfg.MaxConns = maxConns
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.HealthCheckPeriod = 10 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := Ping(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// RowQuerier runs a query that returns one row; *pgxpool.Pool and *pgx.Conn are
// ones.
type RowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Ping proves that the database answers an authenticated query: SELECT 1. A
// connection that opens is not enough (pg_isready's test); the query must run.
func Ping(ctx context.Context, q RowQuerier) error {
	var one int
	return q.QueryRow(ctx, "SELECT 1").Scan(&one)
}
