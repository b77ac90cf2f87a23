package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envFunc(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// loadCase is one Load of a config file (written to a temporary path) and an
// environment.
type loadCase struct {
	name    string
	file    string
	env     map[string]string
	want    func(Config) bool
	wantErr []string // substrings of the error; nil = no error
}

func TestLoadFile(t *testing.T) {
	runLoadCases(t, []loadCase{
		{name: "empty file keeps defaults", file: "",
			want: func(c Config) bool { return c.Listen == ":8080" && c.LogLevel == "info" && c.PoolSize == 16 }},
		{name: "all fields", file: "logLevel: debug\nlisten: 127.0.0.1:9000\nbaseURL: https://sho.rt\npoolSize: 4\ncacheSize: 0\n",
			want: func(c Config) bool {
				return c.LogLevel == "debug" && c.Listen == "127.0.0.1:9000" && c.BaseURL == "https://sho.rt" && c.PoolSize == 4 && c.CacheSize == 0
			}},
		{name: "env overrides file", file: "listen: :9000\npoolSize: 4\n",
			env:  map[string]string{EnvListen: ":7000", EnvPoolSize: "8", EnvLogLevel: "warn"},
			want: func(c Config) bool { return c.Listen == ":7000" && c.PoolSize == 8 && c.LogLevel == "warn" }},
		{name: "unknown field", file: "listen: :9000\nlistenn: :1\n", wantErr: []string{"config file", "field listenn", "unknown field", "level, postgres)"}},
		{name: "wrong type", file: "poolSize: lots\n", wantErr: []string{"field poolSize", "string"}},
		{name: "out of range", file: "poolSize: 0\n", wantErr: []string{"field poolSize", "out of range"}},
		{name: "bad level", file: "logLevel: loud\n", wantErr: []string{"field logLevel", "loud"}},
		{name: "bad listen", file: "listen: nowhere\n", wantErr: []string{"field listen", "host:port"}},
		{name: "bad base URL", file: "baseURL: ftp://x\n", wantErr: []string{"field baseURL"}},
		{name: "duplicate key", file: "listen: :1\nlisten: :2\n", wantErr: []string{"config file", "listen"}},
		{name: "malformed YAML", file: "listen: [\n", wantErr: []string{"config file"}},
		{name: "not a mapping", file: "- a\n- b\n", wantErr: []string{"config file", "mapping"}},
		{name: "bad env int", env: map[string]string{EnvPoolSize: "x"}, wantErr: []string{"environment variable " + EnvPoolSize, "integer"}},
		{name: "bad env value", env: map[string]string{EnvCacheSize: "-1"}, wantErr: []string{EnvCacheSize, "out of range"}},
		{name: "bad db port", env: map[string]string{"POSTGRES_PORT": "54x"}, wantErr: []string{"POSTGRES_PORT"}},
		{name: "bad sslmode", env: map[string]string{"POSTGRES_SSLMODE": "maybe"}, wantErr: []string{"POSTGRES_SSLMODE"}},
		{name: "db from env", env: map[string]string{"POSTGRES_HOST": "db", "POSTGRES_PORT": "6432", "POSTGRES_DATABASE": "urls",
			"POSTGRES_USER": "u", "POSTGRES_PASSWORD": " p w ", "POSTGRES_SSLMODE": "require"},
			want: func(c Config) bool {
				return c.Database == Database{Host: "db", Port: "6432", Name: "urls", User: "u", Password: " p w ", SSLMode: "require",
					ConnectTimeout: DefaultConnectTimeout}
			}},
		{name: "bad db host", env: map[string]string{"POSTGRES_HOST": "db host"}, wantErr: []string{"POSTGRES_HOST", "not a host name"}},
	})
}

// runLoadCases runs each case: errors must be one-line configuration errors
// naming the file when they are about it and containing every wantErr.
func runLoadCases(t *testing.T, tests []loadCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			path := writeFile(t, tt.file)
			env["CONFIG_FILE"] = path
			cfg, err := Load(envFunc(env))
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("no error, want one containing %q", tt.wantErr)
				}
				if !IsConfigError(err) {
					t.Fatalf("error %v is not a config error", err)
				}
				msg := err.Error()
				if strings.Contains(msg, "\n") {
					t.Fatalf("error is not one line: %q", msg)
				}
				if strings.HasPrefix(msg, "config file") && !strings.Contains(msg, path) {
					t.Fatalf("error %q does not name the file %s", msg, path)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(msg, s) {
						t.Fatalf("error %q does not contain %q", msg, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !tt.want(cfg) {
				t.Fatalf("config not as expected: %+v", cfg)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(envFunc(map[string]string{"CONFIG_FILE": "/nonexistent/config.yaml"}))
	if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), "/nonexistent/config.yaml") {
		t.Fatalf("err = %v, want a config error naming the file", err)
	}
}
