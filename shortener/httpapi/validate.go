package httpapi

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/store"
)

// Limits on what clients may send.
const (
	MaxURLBytes   = 2048
	MaxBodyBytes  = 8 << 10
	MinAliasChars = 3
	MaxAliasChars = 64
)

// ValidateURL accepts only absolute http or https URLs with a host, at most
// MaxURLBytes long, valid UTF-8 without spaces or control characters and
// without user info (a classic way to disguise the real host).
func ValidateURL(raw string) error {
	switch {
	case raw == "":
		return errors.New("url is required")
	case len(raw) > MaxURLBytes:
		return fmt.Errorf("url is longer than %d bytes", MaxURLBytes)
	case !utf8.ValidString(raw):
		return errors.New("url is not valid UTF-8")
	}
	for _, r := range raw {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return errors.New("url contains spaces or control characters")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("url is not a valid URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("url must be an absolute http or https URL")
	case u.Opaque != "" || u.Hostname() == "":
		return errors.New("url must have a host")
	case u.User != nil:
		return errors.New("url must not contain user info")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errors.New("url has an invalid port")
		}
	}
	return nil
}

// ParseAlias checks a requested alias: 3 to 64 characters from [A-Za-z0-9_-],
// and not a path of the service itself.
func ParseAlias(alias string) (string, error) {
	if len(alias) < MinAliasChars || len(alias) > MaxAliasChars {
		return "", fmt.Errorf("alias must be %d to %d characters long", MinAliasChars, MaxAliasChars)
	}
	if !isCode(alias) {
		return "", errors.New("alias may contain only letters, digits, '-' and '_'")
	}
	if store.IsReserved(strings.ToLower(alias)) {
		return "", fmt.Errorf("alias %q is reserved", alias)
	}
	return alias, nil
}

// isCode reports whether s could be a code or alias: 1 to MaxAliasChars
// characters from [A-Za-z0-9_-].
func isCode(s string) bool {
	if s == "" || len(s) > MaxAliasChars {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
