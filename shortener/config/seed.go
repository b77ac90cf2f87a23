package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The seed application (xcoulon/go-url-shortener, whose manifests the article
// deploys) reads its settings with viper: `level` and postgres.host, .port,
// .user, .database, .password, .sslmode, .connection.timeout (seconds),
// .connection.maxopen, .connection.maxidle, .connection.retrysleep and
// .transaction.timeout. Its ConfigMap app-config holds config.yaml: `level: info`.
//
// A config file may use those keys. Rules:
//   - level is logLevel, postgres.connection.maxopen is poolSize; a file that
//     sets both names of one setting is an error, even with equal values;
//   - postgres.* set the database settings, which the POSTGRES_* variables
//     override (as they do in the seed);
//   - the seed's settings the shortener does not have (maxidle, retrysleep,
//     transaction.timeout) are errors that say so, not silently ignored.

// seedPostgres is the seed's postgres: section.
type seedPostgres struct {
	Host       *string         `json:"host"`
	Port       json.RawMessage `json:"port"` // a number or a string
	User       *string         `json:"user"`
	Database   *string         `json:"database"`
	Password   *string         `json:"password"`
	SSLMode    *string         `json:"sslmode"`
	Connection json.RawMessage `json:"connection"`
}

// seedConnection is the seed's postgres.connection: section.
type seedConnection struct {
	Timeout *int   `json:"timeout"` // seconds
	MaxOpen *int32 `json:"maxopen"` // our poolSize
}

var (
	seedPostgresKeys   = []string{"host", "port", "user", "database", "password", "sslmode", "connection"}
	seedConnectionKeys = []string{"timeout", "maxopen"}
)

// seedSettingKeys names, for each Database.check setting, the seed's key.
var seedSettingKeys = map[string]string{
	"host": "postgres.host", "port": "postgres.port", "sslmode": "postgres.sslmode",
	"connectTimeout": "postgres.connection.timeout",
}

// applySeedKeys applies the seed's keys in fs to cfg, recording in keys the key
// that set each of our settings.
func applySeedKeys(source string, fs *fileSettings, cfg *Config, keys map[string]string) error {
	if fs.Level != nil {
		if _, ok := keys["logLevel"]; ok {
			return conflict(source, "level", "logLevel")
		}
		cfg.LogLevel = *fs.Level
		keys["logLevel"] = "level"
	}
	var pg seedPostgres
	if ok, err := seedSection(source, "postgres.", fs.Postgres, &pg, seedPostgresKeys, "transaction"); !ok {
		return err
	}
	db := &cfg.Database
	for dst, v := range map[*string]*string{&db.Host: pg.Host, &db.User: pg.User, &db.Name: pg.Database,
		&db.Password: pg.Password, &db.SSLMode: pg.SSLMode} {
		if v != nil {
			*dst = *v
		}
	}
	if isSet(pg.Port) {
		port, ok := seedPort(pg.Port)
		if !ok {
			return &Error{Source: source, Field: "postgres.port", Msg: "must be a port number"}
		}
		db.Port = port
	}
	var conn seedConnection
	if ok, err := seedSection(source, "postgres.connection.", pg.Connection, &conn, seedConnectionKeys,
		"maxidle", "retrysleep"); !ok {
		return err
	}
	if conn.Timeout != nil {
		if *conn.Timeout < 1 {
			return &Error{Source: source, Field: "postgres.connection.timeout", Msg: fmt.Sprintf("%d is not a number of seconds >= 1", *conn.Timeout)}
		}
		db.ConnectTimeout = time.Duration(*conn.Timeout) * time.Second
	}
	if conn.MaxOpen != nil {
		if _, ok := keys["poolSize"]; ok {
			return conflict(source, "postgres.connection.maxopen", "poolSize")
		}
		cfg.PoolSize = *conn.MaxOpen
		keys["poolSize"] = "postgres.connection.maxopen"
	}
	if setting, msg := db.check(); setting != "" {
		return &Error{Source: source, Field: seedSettingKeys[setting], Msg: msg}
	}
	return nil
}

func conflict(source, seedKey, ours string) error {
	return &Error{Source: source, Field: seedKey,
		Msg: fmt.Sprintf("is the seed's name for %s, which the file sets too; keep only one of them", ours)}
}

// seedSection decodes the mapping raw strictly into v. It reports ok=false with
// the error when it fails; keys of the seed's that the shortener has no
// setting for (unsupported) fail with a message saying so. A missing or empty
// section is fine.
func seedSection(source, prefix string, raw json.RawMessage, v any, known []string, unsupported ...string) (ok bool, err error) {
	if !isSet(raw) {
		return true, nil
	}
	section := strings.TrimSuffix(prefix, ".")
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false, &Error{Source: source, Field: section, Msg: "must be a mapping"}
	}
	for _, k := range unsupported {
		if _, found := m[k]; found {
			return false, &Error{Source: source, Field: prefix + k,
				Msg: "is a setting of the seed application that the shortener does not have; remove it"}
		}
	}
	if err := decodeSection(source, prefix, raw, v, known); err != nil {
		return false, err
	}
	return true, nil
}

// isSet reports whether a raw value is present and not null.
func isSet(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// seedPort accepts a port written as a number (5432) or a string ("5432").
func seedPort(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}
