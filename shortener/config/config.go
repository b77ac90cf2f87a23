// Package config loads the shortener's configuration: an optional YAML file named
// by CONFIG_FILE, overridden by environment variables, overridden by flags.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Config is the shortener's configuration. fileSettings (file.go) lists the keys
// of the YAML file, which are the field names starting with a lower-case letter.
type Config struct {
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// Listen is the HTTP listen address, host:port.
	Listen string
	// BaseURL is the public base of short URLs, e.g. https://sho.rt; empty means
	// "derive from the request's Host header".
	BaseURL string
	// PoolSize is the maximum number of database connections.
	PoolSize int32
	// CacheSize is the number of hot codes kept in memory; 0 disables the cache.
	CacheSize int
	// Database holds the connection settings: the file's postgres: section (the
	// seed's keys, see seed.go), overridden by the POSTGRES_* variables.
	Database Database
}

// Default returns the configuration used when nothing overrides it.
func Default() Config {
	return Config{
		LogLevel:  "info",
		Listen:    ":8080",
		PoolSize:  16,
		CacheSize: 100000,
		Database: Database{
			Host:    "localhost",
			Port:    "5432",
			Name:    "postgres",
			User:    "postgres",
			SSLMode: "disable",

			ConnectTimeout: DefaultConnectTimeout,
		},
	}
}

// Error is a configuration error: the source (a file or the environment), the
// field at fault and what is wrong with it. The shortener exits 2 on it.
type Error struct {
	Source string // "config file /etc/config/config.yaml", "environment variable X", "flag --listen"
	Field  string // field name within a file; empty for env and flags
	Msg    string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: field %s: %s", e.Source, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Msg)
}

// IsConfigError reports whether err is (or wraps) a configuration error.
func IsConfigError(err error) bool {
	var ce *Error
	return errors.As(err, &ce)
}

// Load builds the configuration: defaults, then the file named by CONFIG_FILE (if
// set), then the environment. getenv is os.Getenv outside tests.
func Load(getenv func(string) string) (Config, error) {
	cfg := Default()
	if path := getenv("CONFIG_FILE"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, &Error{Source: "config file " + path, Msg: unwrapPathError(err)}
		}
		if err := parseFile(path, data, &cfg); err != nil {
			return cfg, err
		}
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// validateField checks one setting; the returned message does not name it.
func validateField(field string, cfg *Config) string {
	switch field {
	case "logLevel":
		switch strings.ToLower(cfg.LogLevel) {
		case "debug", "info", "warn", "error":
			return ""
		}
		return fmt.Sprintf("unknown log level %q (want debug, info, warn or error)", cfg.LogLevel)
	case "listen":
		return ValidateListen(cfg.Listen)
	case "baseURL":
		if cfg.BaseURL == "" {
			return ""
		}
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return fmt.Sprintf("%q is not an absolute http(s) URL without query", cfg.BaseURL)
		}
		return ""
	case "poolSize":
		if cfg.PoolSize < 1 || cfg.PoolSize > 1000 {
			return fmt.Sprintf("%d is out of range 1..1000", cfg.PoolSize)
		}
		return ""
	case "cacheSize":
		if cfg.CacheSize < 0 || cfg.CacheSize > 10_000_000 {
			return fmt.Sprintf("%d is out of range 0..10000000", cfg.CacheSize)
		}
		return ""
	}
	return ""
}

// ValidateListen checks a listen address; it returns "" when addr is fine.
func ValidateListen(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("%q is not host:port", addr)
	}
	if msg := validatePort(port); msg != "" {
		return msg
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Sprintf("%q has a bad host", addr)
	}
	return ""
}

// fileFields are the settings a file may hold, in check order.
var fileFields = []string{"logLevel", "listen", "baseURL", "poolSize", "cacheSize"}
