package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schemaLockKey is the advisory-lock key that serialises schema creation across
// replicas starting at the same time (concurrent CREATE ... IF NOT EXISTS can
// still fail on the catalog's unique indexes).
const schemaLockKey int64 = 0x73686f7274656e72 // "shortenr"

// schema is idempotent: every statement may run again on an existing database.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS urls (
		id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		code       text COLLATE "C" NOT NULL,
		url        text NOT NULL CHECK (length(url) <= 2048),
		created_at timestamptz NOT NULL DEFAULT now(),
		clicks     bigint NOT NULL DEFAULT 0
	)`,
	`CREATE UNIQUE INDEX IF NOT EXISTS urls_code_key ON urls (code)`,
}

// Migrate creates the schema if needed, holding a transaction-scoped advisory
// lock so that several replicas can start at once.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLockKey); err != nil {
			return fmt.Errorf("take schema lock: %w", err)
		}
		for _, stmt := range schema {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("create schema: %w", err)
			}
		}
		return nil
	})
}
