package config_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/config"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/internal/pgtest"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/store"
)

// TestAwkwardCredentialsOnRealServer creates roles and a database whose names
// and passwords hold spaces, quotes, backslashes and libpq keywords, and logs in
// with them through ConnConfig (wait-db) and PoolConfig (serve). The server
// checks passwords (scram-sha-256), so a value mangled on the way fails here.
func TestAwkwardCredentialsOnRealServer(t *testing.T) {
	base := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	// exec runs a statement built by the server's format() from %I/%L arguments.
	exec := func(format string, args ...any) {
		t.Helper()
		var stmt string
		if err := admin.QueryRow(ctx, "SELECT format($1::text, "+placeholders(len(args))+")", append([]any{format}, args...)...).Scan(&stmt); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	dbName := `d b 'q' "x" \ ` + base.Name
	exec("CREATE DATABASE %I", dbName)
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{dbName}.Sanitize()+" WITH (FORCE)")
	})
	tests := []struct{ user, password string }{
		{"u space " + base.Name, "pass word with spaces"},
		{`u'quote"` + base.Name, `it's "quoted" and 'single'`},
		{`u\back` + base.Name, `back\slash \' \\ end\`},
		{"u kw " + base.Name, " sslmode=require host=nowhere password=x "},
		{"u uni " + base.Name, "ünï€ode %20 ?&=#"},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			exec("CREATE ROLE %I LOGIN PASSWORD %L", tt.user, tt.password)
			t.Cleanup(func() {
				_, _ = admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+pgx.Identifier{tt.user}.Sanitize())
			})
			db := base
			db.Name, db.User, db.Password = dbName, tt.user, tt.password

			cc, err := db.ConnConfig()
			if err != nil {
				t.Fatal(err)
			}
			conn, err := pgx.ConnectConfig(ctx, cc)
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			var user, current string
			err = conn.QueryRow(ctx, "SELECT current_user, current_database()").Scan(&user, &current)
			conn.Close(context.Background())
			if err != nil || user != tt.user || current != dbName {
				t.Fatalf("logged in as %q on %q (%v), want %q on %q", user, current, err, tt.user, dbName)
			}

			pc, err := db.PoolConfig()
			if err != nil {
				t.Fatal(err)
			}
			pool, err := store.OpenPool(ctx, pc, 2)
			if err != nil {
				t.Fatalf("open pool: %v", err)
			}
			pool.Close()

			db.Password += "x"
			if err := connect(ctx, db); !isAuthFailure(err) {
				t.Fatalf("wrong password: err = %v, want an authentication failure", err)
			}
		})
	}
}

func connect(ctx context.Context, db config.Database) error {
	pc, err := db.PoolConfig()
	if err != nil {
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return err
	}
	defer pool.Close()
	return store.Ping(ctx, pool)
}

func isAuthFailure(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "28P01" // invalid_password
}

// placeholders returns "$2::text, $3::text, ..." for n arguments after $1.
func placeholders(n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = fmt.Sprintf("$%d::text", i+2)
	}
	return strings.Join(ps, ", ")
}
