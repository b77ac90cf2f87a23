package store

import (
	"crypto/rand"
	"fmt"
)

// CodeLength is the length of generated codes: 62^7 ≈ 3.5e12 possibilities.
const CodeLength = 7

// Alphabet is the base62 alphabet of generated codes.
const Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewCode returns a random base62 code of CodeLength characters from
// crypto/rand, without modulo bias (bytes ≥ 248 are rejected).
func NewCode() (string, error) {
	out := make([]byte, 0, CodeLength)
	var buf [16]byte
	for len(out) < CodeLength {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("read random bytes: %w", err)
		}
		for _, b := range buf {
			if b < 248 && len(out) < CodeLength {
				out = append(out, Alphabet[b%62])
			}
		}
	}
	return string(out), nil
}

// reserved are paths the HTTP API routes itself; no code may take them.
var reserved = map[string]bool{"api": true, "healthz": true, "readyz": true, "livez": true, "metrics": true}

// IsReserved reports whether code is a path of the service itself.
func IsReserved(code string) bool { return reserved[code] }
