package httpapi

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateURL(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://example.com", true},
		{"http://example.com/a/b?c=d#e", true},
		{"HTTPS://EXAMPLE.COM/", true},
		{"http://127.0.0.1:8080/x", true},
		{"http://[::1]:80/", true},
		{"https://bücher.example/straße", true},
		{"https://example.com/" + strings.Repeat("a", MaxURLBytes-len("https://example.com/")), true},
		{"https://example.com/" + strings.Repeat("a", MaxURLBytes), false},
		{"", false},
		{"example.com", false},
		{"/relative/path", false},
		{"//example.com/x", false},
		{"ftp://example.com/", false},
		{"javascript:alert(1)", false},
		{"mailto:a@example.com", false},
		{"http://", false},
		{"http:///path", false},
		{"http:example.com", false},
		{"https://user:pw@example.com/", false},
		{"https://example.com/a b", false},
		{"https://example.com/\r\nSet-Cookie: x=y", false},
		{"https://example.com/\x00", false},
		{"https://example.com:99999/", false},
		{"https://exa mple.com/", false},
		{"https://example.com/\xff", false},
	}
	for _, tt := range tests {
		err := ValidateURL(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateURL(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "url ") {
			t.Errorf("ValidateURL(%q) error %q does not start with \"url \"", tt.in, err)
		}
	}
}

func TestParseAlias(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"abc", true},
		{"my-alias_2", true},
		{strings.Repeat("x", MaxAliasChars), true},
		{"ab", false},
		{strings.Repeat("x", MaxAliasChars+1), false},
		{"has space", false},
		{"slash/inside", false},
		{"dot.dot", false},
		{"ünï", false},
		{"healthz", false},
		{"ReadyZ", false},
		{"api", false},
		{"'; DROP TABLE urls; --", false},
	}
	for _, tt := range tests {
		_, err := ParseAlias(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseAlias(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{"https://example.com/x", "http://a", "ftp://x", "http://u@h/", "https://[::1]:0/",
		"http://%41/", "https:/x", "\x00", "http://example.com/\u2028", "http://h/?q=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateURL(s) != nil {
			return
		}
		// Whatever is accepted must be what the API promises to store.
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("accepted %q but url.Parse fails: %v", s, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
			t.Fatalf("accepted %q: scheme %q host %q user %v", s, u.Scheme, u.Hostname(), u.User)
		}
		if len(s) > MaxURLBytes || !utf8.ValidString(s) || strings.ContainsAny(s, " \r\n\t\x00") {
			t.Fatalf("accepted %q: too long, invalid UTF-8 or with control characters", s)
		}
	})
}

func FuzzParseAlias(f *testing.F) {
	for _, s := range []string{"abc", "my-alias", "healthz", "a/b", "", "x y", "ÄÖÜ", "../../etc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseAlias(s)
		if err != nil {
			return
		}
		if got != s || len(s) < MinAliasChars || len(s) > MaxAliasChars || !isCode(s) {
			t.Fatalf("accepted alias %q (returned %q)", s, got)
		}
		if strings.ContainsAny(s, "/?#%.") {
			t.Fatalf("accepted alias %q with path characters", s)
		}
	})
}
