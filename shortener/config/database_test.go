package config

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestConnConfigFromFields(t *testing.T) {
	awkward := `it's a "pass" \ word sslmode=require host=evil `
	tests := []struct {
		name    string
		db      Database
		tls     bool
		wantErr string
	}{
		{name: "awkward values stay values", db: Database{Host: "127.0.0.1", Port: "5433", Name: `d b 'x'`, User: `u "v"`,
			Password: awkward, SSLMode: "disable", ConnectTimeout: 3 * time.Second}},
		{name: "sslmode require", db: Database{Host: "db.example", Port: "5432", Name: "n", User: "u", SSLMode: "require"}, tls: true},
		{name: "host that needs quoting", db: Database{Host: "db' sslmode=disable", Port: "5432", SSLMode: "require"},
			wantErr: "not a host name"},
		{name: "empty host", db: Database{Port: "5432", SSLMode: "disable"}, wantErr: "host"},
		{name: "bad port", db: Database{Host: "h", Port: "5432 x", SSLMode: "disable"}, wantErr: "port"},
		{name: "bad sslmode", db: Database{Host: "h", Port: "1", SSLMode: "disable host=x"}, wantErr: "sslmode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, err := tt.db.ConnConfig()
			pc, perr := tt.db.PoolConfig()
			if tt.wantErr != "" {
				if err == nil || perr == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(perr.Error(), tt.wantErr) {
					t.Fatalf("errors %v / %v, want both containing %q", err, perr, tt.wantErr)
				}
				return
			}
			if err != nil || perr != nil {
				t.Fatalf("errors %v / %v", err, perr)
			}
			for _, c := range []struct {
				what                                string
				host, user, password, database, app string
				port                                uint16
				timeout                             time.Duration
				tls                                 bool
			}{
				{"conn", cc.Host, cc.User, cc.Password, cc.Database, cc.RuntimeParams["application_name"], cc.Port, cc.ConnectTimeout, cc.TLSConfig != nil},
				{"pool", pc.ConnConfig.Host, pc.ConnConfig.User, pc.ConnConfig.Password, pc.ConnConfig.Database,
					pc.ConnConfig.RuntimeParams["application_name"], pc.ConnConfig.Port, pc.ConnConfig.ConnectTimeout, pc.ConnConfig.TLSConfig != nil},
			} {
				want := tt.db.ConnectTimeout
				if want == 0 {
					want = DefaultConnectTimeout
				}
				if c.host != tt.db.Host || c.user != tt.db.User || c.password != tt.db.Password || c.database != tt.db.Name ||
					c.app != "shortener" || c.timeout != want || c.tls != tt.tls || tt.db.Port != strconv.Itoa(int(c.port)) {
					t.Errorf("%s config: %+v, want the fields of %+v (tls %v)", c.what, c, tt.db, tt.tls)
				}
			}
		})
	}
}
