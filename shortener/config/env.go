package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Environment variables that override the config file.
const (
	EnvLogLevel  = "SHORTENER_LOG_LEVEL"
	EnvListen    = "SHORTENER_LISTEN"
	EnvBaseURL   = "SHORTENER_BASE_URL"
	EnvPoolSize  = "SHORTENER_POOL_SIZE"
	EnvCacheSize = "SHORTENER_CACHE_SIZE"
)

// Database holds the PostgreSQL connection settings (POSTGRES_* variables).
type Database struct {
	Host, Port, Name, User, Password, SSLMode string
}

// applyEnv overrides cfg with the environment and validates what it set.
func applyEnv(cfg *Config, getenv func(string) string) error {
	type setting struct {
		env, field string
		set        func(string) error
	}
	atoi32 := func(dst *int32) func(string) error {
		return func(v string) error {
			n, err := strconv.ParseInt(v, 10, 32)
			*dst = int32(n)
			return err
		}
	}
	atoi := func(dst *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			*dst = n
			return err
		}
	}
	str := func(dst *string) func(string) error { return func(v string) error { *dst = v; return nil } }
	settings := []setting{
		{EnvLogLevel, "logLevel", str(&cfg.LogLevel)},
		{EnvListen, "listen", str(&cfg.Listen)},
		{EnvBaseURL, "baseURL", str(&cfg.BaseURL)},
		{EnvPoolSize, "poolSize", atoi32(&cfg.PoolSize)},
		{EnvCacheSize, "cacheSize", atoi(&cfg.CacheSize)},
	}
	for _, s := range settings {
		v, ok := lookup(getenv, s.env)
		if !ok {
			continue
		}
		if err := s.set(v); err != nil {
			return &Error{Source: "environment variable " + s.env, Msg: fmt.Sprintf("%q is not an integer", v)}
		}
		if msg := validateField(s.field, cfg); msg != "" {
			return &Error{Source: "environment variable " + s.env, Msg: msg}
		}
	}
	db := &cfg.Database
	for env, dst := range map[string]*string{
		"POSTGRES_HOST": &db.Host, "POSTGRES_PORT": &db.Port, "POSTGRES_DATABASE": &db.Name,
		"POSTGRES_USER": &db.User, "POSTGRES_PASSWORD": &db.Password, "POSTGRES_SSLMODE": &db.SSLMode,
	} {
		v := getenv(env)
		if env != "POSTGRES_PASSWORD" {
			v = strings.TrimSpace(v)
		}
		if v != "" {
			*dst = v
		}
	}
	if msg := validatePort(db.Port); msg != "" || db.Port == "0" {
		if msg == "" {
			msg = "port 0 is not allowed"
		}
		return &Error{Source: "environment variable POSTGRES_PORT", Msg: msg}
	}
	switch db.SSLMode {
	case "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
	default:
		return &Error{Source: "environment variable POSTGRES_SSLMODE", Msg: fmt.Sprintf("unknown sslmode %q", db.SSLMode)}
	}
	return nil
}

// lookup returns a variable's value and whether it is set to something non-blank.
func lookup(getenv func(string) string, name string) (string, bool) {
	v := strings.TrimSpace(getenv(name))
	return v, v != ""
}

func validatePort(port string) string {
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Sprintf("port %q is not a number in 0..65535", port)
	}
	return ""
}

// ConnString is the libpq keyword/value connection string for these settings,
// with every value quoted so that no setting can inject another.
func (d Database) ConnString() string {
	q := func(v string) string {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	return strings.Join([]string{
		"host=" + q(d.Host), "port=" + q(d.Port), "dbname=" + q(d.Name),
		"user=" + q(d.User), "password=" + q(d.Password), "sslmode=" + q(d.SSLMode),
		"connect_timeout=5", "application_name=shortener",
	}, " ")
}

// Redacted describes the target without the password, for logs and messages.
func (d Database) Redacted() string {
	return fmt.Sprintf("%s@%s:%s/%s", d.User, d.Host, d.Port, d.Name)
}
