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
	dbEnv := map[string]*string{
		"POSTGRES_HOST": &db.Host, "POSTGRES_PORT": &db.Port, "POSTGRES_DATABASE": &db.Name,
		"POSTGRES_USER": &db.User, "POSTGRES_PASSWORD": &db.Password, "POSTGRES_SSLMODE": &db.SSLMode,
	}
	for env, dst := range dbEnv {
		v := getenv(env)
		if env != "POSTGRES_PASSWORD" {
			v = strings.TrimSpace(v)
		}
		if v != "" {
			*dst = v
		}
	}
	if setting, msg := db.check(); setting != "" {
		// The file's values were checked already, so the environment set this one.
		return &Error{Source: "environment variable POSTGRES_" + strings.ToUpper(setting), Msg: msg}
	}
	return nil
}

// lookup returns a variable's value and whether it is set to something non-blank.
func lookup(getenv func(string) string, name string) (string, bool) {
	v := strings.TrimSpace(getenv(name))
	return v, v != ""
}
