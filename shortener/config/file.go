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

// parseFile decodes YAML strictly (unknown or duplicate fields are errors) into
// cfg and validates each field the file set.
func parseFile(path string, data []byte, cfg *Config) error {
	source := "config file " + path
	jsonData, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return &Error{Source: source, Msg: oneline.Flatten(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))}
	}
	if bytes.Equal(bytes.TrimSpace(jsonData), []byte("null")) {
		return nil // empty file: defaults
	}
	var set map[string]json.RawMessage
	if err := json.Unmarshal(jsonData, &set); err != nil {
		return &Error{Source: source, Msg: "top level must be a mapping of settings"}
	}
	dec := json.NewDecoder(bytes.NewReader(jsonData))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return decodeError(source, err)
	}
	for _, f := range fileFields {
		if _, ok := set[f]; !ok {
			continue
		}
		if msg := validateField(f, cfg); msg != "" {
			return &Error{Source: source, Field: f, Msg: msg}
		}
	}
	return nil
}

// decodeError turns encoding/json's errors into ones naming the field.
func decodeError(source string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &Error{Source: source, Field: te.Field, Msg: fmt.Sprintf("cannot use a %s as %s", te.Value, te.Type)}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &Error{Source: source, Field: strings.Trim(name, `"`), Msg: "unknown field (known: " + strings.Join(fileFields, ", ") + ")"}
	}
	return &Error{Source: source, Msg: oneline.Flatten(err.Error())}
}
