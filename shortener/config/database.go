package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultConnectTimeout bounds connecting and authenticating when
// Database.ConnectTimeout is zero.
const DefaultConnectTimeout = 5 * time.Second

// Database holds the PostgreSQL connection settings: the config file's postgres:
// section (the seed's keys), overridden by the POSTGRES_* variables.
type Database struct {
	Host, Port, Name, User, Password, SSLMode string
	// ConnectTimeout bounds one connection attempt; 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration
}

// sslModes are the sslmode values libpq and pgx know.
var sslModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// check validates the settings. It returns the setting at fault (host, port,
// sslmode, connectTimeout) and what is wrong with it, or "", "".
func (d Database) check() (setting, msg string) {
	// The host goes to pgx's parser (it derives TLS and fallbacks from it), so it
	// must be a plain value that needs no quoting; host names never need any.
	if d.Host == "" || strings.ContainsAny(d.Host, " \t\r\n'\"\\") {
		return "host", fmt.Sprintf("%q is not a host name, address or socket directory", d.Host)
	}
	if msg := validatePort(d.Port); msg != "" {
		return "port", msg
	}
	if d.Port == "0" {
		return "port", "port 0 is not allowed"
	}
	if !slices.Contains(sslModes, d.SSLMode) {
		return "sslmode", fmt.Sprintf("unknown sslmode %q (want %s)", d.SSLMode, strings.Join(sslModes, ", "))
	}
	if d.ConnectTimeout < 0 {
		return "connectTimeout", fmt.Sprintf("%s is negative", d.ConnectTimeout)
	}
	return "", ""
}

func validatePort(port string) string {
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Sprintf("port %q is not a number in 0..65535", port)
	}
	return ""
}

// addressString is the libpq keyword/value string of the settings pgx must
// derive TLS and fallback addresses from. They are validated (check) to need no
// quoting; user, password and database name never go through a string.
func (d Database) addressString() string {
	return "host=" + d.Host + " port=" + d.Port + " sslmode=" + d.SSLMode
}

// setFields sets the free-text settings on a parsed configuration.
func (d Database) setFields(c *pgconn.Config) {
	c.User, c.Password, c.Database = d.User, d.Password, d.Name
	c.ConnectTimeout = d.ConnectTimeout
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	c.RuntimeParams["application_name"] = "shortener"
}

// ConnConfig is pgx's configuration for one connection with these settings.
func (d Database) ConnConfig() (*pgx.ConnConfig, error) {
	if setting, msg := d.check(); setting != "" {
		return nil, fmt.Errorf("database %s: %s", setting, msg)
	}
	c, err := pgx.ParseConfig(d.addressString())
	if err != nil {
		return nil, fmt.Errorf("parse database address: %w", err)
	}
	d.setFields(&c.Config)
	return c, nil
}

// PoolConfig is pgxpool's configuration (its defaults) for these settings.
func (d Database) PoolConfig() (*pgxpool.Config, error) {
	if setting, msg := d.check(); setting != "" {
		return nil, fmt.Errorf("database %s: %s", setting, msg)
	}
	c, err := pgxpool.ParseConfig(d.addressString())
	if err != nil {
		return nil, fmt.Errorf("parse database address: %w", err)
	}
	d.setFields(&c.ConnConfig.Config)
	return c, nil
}

// Redacted describes the target without the password, for logs and messages.
func (d Database) Redacted() string {
	return fmt.Sprintf("%s@%s:%s/%s", d.User, d.Host, d.Port, d.Name)
}
