package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/internal/oneline"
)

// fileSettings is what a config file may hold: our keys, and the seed
// application's keys as aliases (seed.go). Nil means "not in the file".
type fileSettings struct {
	LogLevel  *string `json:"logLevel"`
	Listen    *string `json:"listen"`
	BaseURL   *string `json:"baseURL"`
	PoolSize  *int32  `json:"poolSize"`
	CacheSize *int    `json:"cacheSize"`

	Level    *string         `json:"level"`    // the seed's logLevel
	Postgres json.RawMessage `json:"postgres"` // the seed's database section
}

// fileKeys are the top-level keys of fileSettings, for error messages.
var fileKeys = append(append([]string{}, fileFields...), "level", "postgres")

// parseFile decodes YAML strictly (unknown or duplicate fields are errors) into
// cfg and validates each setting the file set; errors name the key as written.
func parseFile(path string, data []byte, cfg *Config) error {
	source := "config file " + path
	jsonData, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return &Error{Source: source, Msg: oneline.Flatten(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))}
	}
	if bytes.Equal(bytes.TrimSpace(jsonData), []byte("null")) {
		return nil // empty file: defaults
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(jsonData, &top); err != nil {
		return &Error{Source: source, Msg: "top level must be a mapping of settings"}
	}
	var fs fileSettings
	if err := decodeSection(source, "", jsonData, &fs, fileKeys); err != nil {
		return err
	}
	// keys maps each of our settings the file set to the key it used.
	keys := map[string]string{}
	set := func(field string, ok bool, apply func()) {
		if ok {
			apply()
			keys[field] = field
		}
	}
	set("logLevel", fs.LogLevel != nil, func() { cfg.LogLevel = *fs.LogLevel })
	set("listen", fs.Listen != nil, func() { cfg.Listen = *fs.Listen })
	set("baseURL", fs.BaseURL != nil, func() { cfg.BaseURL = *fs.BaseURL })
	set("poolSize", fs.PoolSize != nil, func() { cfg.PoolSize = *fs.PoolSize })
	set("cacheSize", fs.CacheSize != nil, func() { cfg.CacheSize = *fs.CacheSize })
	if err := applySeedKeys(source, &fs, cfg, keys); err != nil {
		return err
	}
	for _, f := range fileFields {
		key, ok := keys[f]
		if !ok {
			continue
		}
		if msg := validateField(f, cfg); msg != "" {
			return &Error{Source: source, Field: key, Msg: msg}
		}
	}
	return nil
}

// decodeSection decodes the JSON object data strictly into v. prefix names the
// section in errors ("" for the top level, "postgres." ...); known lists its
// keys for the unknown-field message.
func decodeSection(source, prefix string, data []byte, v any, known []string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := prefix + te.Field
		if te.Field == "" {
			field = strings.TrimSuffix(prefix, ".")
		}
		article := "a"
		if strings.ContainsRune("aeiou", rune(te.Value[0])) {
			article = "an"
		}
		return &Error{Source: source, Field: field, Msg: fmt.Sprintf("cannot use %s %s as %s", article, te.Value, te.Type)}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &Error{Source: source, Field: prefix + strings.Trim(name, `"`),
			Msg: "unknown field (known: " + strings.Join(known, ", ") + ")"}
	}
	return &Error{Source: source, Msg: oneline.Flatten(err.Error())}
}
