package config

import (
	"os"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// seedConfigYAML returns config.yaml of the seed's ConfigMap (testdata).
func seedConfigYAML(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/seed-app-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(b, &cm); err != nil {
		t.Fatal(err)
	}
	if cm.Data["config.yaml"] != "level: info" {
		t.Fatalf("fixture's config.yaml = %q, want the seed's %q", cm.Data["config.yaml"], "level: info")
	}
	return cm.Data["config.yaml"]
}

func TestLoadSeedKeys(t *testing.T) {
	dbIs := func(want Database) func(Config) bool {
		return func(c Config) bool { return c.Database == want }
	}
	def := Default().Database
	runLoadCases(t, []loadCase{
		{name: "the seed's ConfigMap", file: seedConfigYAML(t),
			want: func(c Config) bool { return c.LogLevel == "info" && c.Database == def }},
		{name: "level is logLevel", file: "level: debug\n", want: func(c Config) bool { return c.LogLevel == "debug" }},
		{name: "env overrides level", file: "level: debug\n", env: map[string]string{EnvLogLevel: "error"},
			want: func(c Config) bool { return c.LogLevel == "error" }},
		{name: "bad level names the seed key", file: "level: loud\n", wantErr: []string{"field level:", "loud"}},
		{name: "level and logLevel conflict", file: "logLevel: info\nlevel: info\n",
			wantErr: []string{"field level:", "seed's name for logLevel", "keep only one"}},
		{name: "postgres section", file: `postgres:
  host: db.example
  port: 6432
  user: app
  database: urls
  password: "it's \"secret\""
  sslmode: require
  connection:
    timeout: 9
`, want: dbIs(Database{Host: "db.example", Port: "6432", User: "app", Name: "urls", Password: `it's "secret"`,
			SSLMode: "require", ConnectTimeout: 9 * time.Second})},
		{name: "port as a string", file: "postgres:\n  port: \"6543\"\n", want: func(c Config) bool { return c.Database.Port == "6543" }},
		{name: "env overrides postgres", file: "postgres:\n  host: db.example\n  user: app\n",
			env: map[string]string{"POSTGRES_HOST": "other", "POSTGRES_PASSWORD": "pw"},
			want: func(c Config) bool {
				return c.Database.Host == "other" && c.Database.User == "app" && c.Database.Password == "pw"
			}},
		{name: "empty postgres section", file: "postgres:\n", want: dbIs(def)},
		{name: "maxopen is poolSize", file: "postgres:\n  connection:\n    maxopen: 4\n",
			want: func(c Config) bool { return c.PoolSize == 4 }},
		{name: "maxopen and poolSize conflict", file: "poolSize: 4\npostgres:\n  connection:\n    maxopen: 4\n",
			wantErr: []string{"field postgres.connection.maxopen:", "poolSize"}},
		{name: "seed's unlimited maxopen", file: "postgres:\n  connection:\n    maxopen: -1\n",
			wantErr: []string{"field postgres.connection.maxopen:", "out of range"}},
		{name: "unknown postgres key", file: "postgres:\n  hots: db\n",
			wantErr: []string{"field postgres.hots:", "unknown field", "host, port"}},
		{name: "unknown connection key", file: "postgres:\n  connection:\n    timeuot: 1\n",
			wantErr: []string{"field postgres.connection.timeuot:", "unknown field"}},
		{name: "seed setting we lack", file: "postgres:\n  connection:\n    maxidle: 2\n",
			wantErr: []string{"field postgres.connection.maxidle:", "does not have"}},
		{name: "seed transaction timeout", file: "postgres:\n  transaction:\n    timeout: 5m\n",
			wantErr: []string{"field postgres.transaction:", "does not have"}},
		{name: "postgres not a mapping", file: "postgres: db\n", wantErr: []string{"field postgres:", "mapping"}},
		{name: "bad port", file: "postgres:\n  port: 99999\n", wantErr: []string{"field postgres.port:", "0..65535"}},
		{name: "port of a wrong type", file: "postgres:\n  port: [1]\n", wantErr: []string{"field postgres.port:", "port number"}},
		{name: "bad sslmode", file: "postgres:\n  sslmode: maybe\n", wantErr: []string{"field postgres.sslmode:", "maybe"}},
		{name: "host with a space", file: "postgres:\n  host: a b\n", wantErr: []string{"field postgres.host:", "not a host name"}},
		{name: "zero timeout", file: "postgres:\n  connection:\n    timeout: 0\n", wantErr: []string{"field postgres.connection.timeout:"}},
		{name: "wrong type in section", file: "postgres:\n  user: [a]\n", wantErr: []string{"field postgres.user:", "array"}},
	})
}
