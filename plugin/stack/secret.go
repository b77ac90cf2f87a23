package stack

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// PasswordKey is the Secret key holding the database password.
const PasswordKey = "password"

// passwordAlphabet keeps generated passwords safe in URLs, DSNs and shells.
const passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// GeneratePassword returns n characters drawn uniformly from crypto/rand.
func GeneratePassword(n int) (string, error) {
	out := make([]byte, n)
	max := big.NewInt(int64(len(passwordAlphabet)))
	for i := range out {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("generating the database password: %w", err)
		}
		out[i] = passwordAlphabet[k.Int64()]
	}
	return string(out), nil
}

// ResolveSecretData decides what the database Secret holds. An existing
// Secret's values are never replaced: they are kept as they are, and only
// keys it lacks (or an empty password) are filled, from rendered and from a
// password made by generate. generated tells whether a password was made.
func ResolveSecretData(rendered, existing map[string][]byte, generate func() (string, error)) (data map[string][]byte, generated bool, err error) {
	data = make(map[string][]byte, len(rendered))
	for k, v := range rendered {
		if k != PasswordKey {
			data[k] = v
		}
	}
	for k, v := range existing {
		data[k] = v
	}
	if len(data[PasswordKey]) == 0 {
		pw, err := generate()
		if err != nil {
			return nil, false, err
		}
		data[PasswordKey] = []byte(pw)
		generated = true
	}
	return data, generated, nil
}

// HoldsManifestPassword reports whether the existing Secret's password is
// the fixed one the rendered manifests carry (and `kubectl apply -k` installs).
func HoldsManifestPassword(rendered, existing map[string][]byte) bool {
	pw := rendered[PasswordKey]
	return len(pw) > 0 && bytes.Equal(existing[PasswordKey], pw)
}

// SecretData returns the decoded `data` of a rendered or fetched Secret.
func SecretData(obj *unstructured.Unstructured) (map[string][]byte, error) {
	raw, _, err := unstructured.NestedStringMap(obj.Object, "data")
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", obj.GetName(), err)
	}
	out := make(map[string][]byte, len(raw))
	for k, v := range raw {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("secret %s: key %s is not base64: %w", obj.GetName(), k, err)
		}
		out[k] = b
	}
	return out, nil
}

// SetSecretData replaces the `data` of the Secret obj.
func SetSecretData(obj *unstructured.Unstructured, data map[string][]byte) error {
	enc := make(map[string]any, len(data))
	for k, v := range data {
		enc[k] = base64.StdEncoding.EncodeToString(v)
	}
	return unstructured.SetNestedField(obj.Object, enc, "data")
}

// FindSecret returns the database Secret among objs, or nil.
func FindSecret(objs []*unstructured.Unstructured) *unstructured.Unstructured {
	for _, obj := range objs {
		if obj.GetKind() == "Secret" && obj.GetName() == SecretName {
			return obj
		}
	}
	return nil
}

// RedactPassword removes the password from the database Secret among objs,
// so that a printed stack never shows one. It reports whether it removed it.
func RedactPassword(objs []*unstructured.Unstructured) bool {
	s := FindSecret(objs)
	if s == nil {
		return false
	}
	_, found, _ := unstructured.NestedFieldNoCopy(s.Object, "data", PasswordKey)
	unstructured.RemoveNestedField(s.Object, "data", PasswordKey)
	return found
}

// normalizeSecret turns a rendered Secret's stringData into data, so that
// every apply sends the same fields.
func normalizeSecret(obj *unstructured.Unstructured) error {
	sd, _, err := unstructured.NestedStringMap(obj.Object, "stringData")
	if err != nil {
		return fmt.Errorf("secret %s: %w", obj.GetName(), err)
	}
	if len(sd) == 0 {
		return nil
	}
	data, err := SecretData(obj)
	if err != nil {
		return err
	}
	for k, v := range sd {
		data[k] = []byte(v)
	}
	unstructured.RemoveNestedField(obj.Object, "stringData")
	return SetSecretData(obj, data)
}
