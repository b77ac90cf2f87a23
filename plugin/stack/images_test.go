package stack

import (
	"strings"
	"testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/buildinfo"
)

func TestParseImage(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0f", 32)
	digest512 := "sha512:" + strings.Repeat("ab", 64)
	tests := []struct {
		ref     string
		want    ImageRef
		wantErr string
	}{
		{ref: "postgres", want: ImageRef{Name: "postgres", Tag: "latest"}},
		{ref: "postgres:15", want: ImageRef{Name: "postgres", Tag: "15"}},
		{ref: "docker.io/library/postgres:15", want: ImageRef{Name: "docker.io/library/postgres", Tag: "15"}},
		{ref: "localhost:5000/x/y", want: ImageRef{Name: "localhost:5000/x/y", Tag: "latest"}},
		{ref: "localhost:5000/x/y:v1", want: ImageRef{Name: "localhost:5000/x/y", Tag: "v1"}},
		{ref: "My.Registry:443/a_b/c-d:v1.2", want: ImageRef{Name: "My.Registry:443/a_b/c-d", Tag: "v1.2"}},
		{ref: "ghcr.io/kubectl-initwait/shortener:V0.1.0_rc-1", want: ImageRef{Name: "ghcr.io/kubectl-initwait/shortener", Tag: "V0.1.0_rc-1"}},
		{ref: "x@" + digest, want: ImageRef{Name: "x", Digest: digest}},
		{ref: "x@" + digest512, want: ImageRef{Name: "x", Digest: digest512}},
		{ref: "x:1@" + digest, want: ImageRef{Name: "x", Tag: "1", Digest: digest}},
		{ref: "reg.io:5000/x:1@" + digest, want: ImageRef{Name: "reg.io:5000/x", Tag: "1", Digest: digest}},
		{ref: "", wantErr: "empty"},
		{ref: "Postgres", wantErr: "repository can only contain"},
		{ref: "library/Postgres:15", wantErr: "repository can only contain"},
		{ref: "post gres", wantErr: "repository can only contain"},
		{ref: " postgres", wantErr: "repository can only contain"},
		{ref: "postgres:a b", wantErr: "tag can only contain"},
		{ref: "postgres:", wantErr: "must specify a tag"},
		{ref: "a:b:c", wantErr: "repository can only contain"},
		{ref: "postgres:" + strings.Repeat("t", 129), wantErr: "tag must be between 1 and 128"},
		{ref: "x@sha256:xyz", wantErr: "digest"},
		{ref: "x@sha256:" + strings.Repeat("0f", 31), wantErr: "digest"},
		{ref: "x@md5:" + strings.Repeat("0f", 16), wantErr: "digest"},
		{ref: "x@", wantErr: "digest"},
		{ref: "x@" + digest + "@" + digest, wantErr: "exactly one '@'"},
		{ref: "reg.io:port/x", wantErr: "RFC 3986"},
		{ref: "/x", wantErr: "empty path component"},
		{ref: "x//y", wantErr: "empty path component"},
		{ref: "x/", wantErr: "empty path component"},
		{ref: "https://reg.io/x", wantErr: "empty path component"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := ParseImage(tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseImage(%q) = %v, %v; want error containing %q", tt.ref, got, err, tt.wantErr)
				}
				if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "invalid image reference ") {
					t.Fatalf("error %q: want one line starting with \"invalid image reference\"", msg)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseImage(%q) = %+v, %v; want %+v", tt.ref, got, err, tt.want)
			}
			if again, err := ParseImage(got.String()); err != nil || again != got {
				t.Fatalf("ParseImage(%q) (String of the result) = %+v, %v; want %+v", got.String(), again, err, got)
			}
		})
	}
}

func TestDefaultImageFor(t *testing.T) {
	tests := []struct{ version, want string }{
		{"v0.2.0", "ghcr.io/kubectl-initwait/shortener:v0.2.0"},
		{"v1.0.0-rc.1", "ghcr.io/kubectl-initwait/shortener:v1.0.0-rc.1"},
		{"dev", DefaultImage},
		{"v0.0.0-20261202145659-744a0f55f0da.dirty", DefaultImage},
		{"v0.2.0-4-g744a0f5", DefaultImage},
	}
	for _, tt := range tests {
		got := DefaultImageFor(buildinfo.Info{Version: tt.version})
		if got != tt.want {
			t.Errorf("DefaultImageFor(version %q) = %q, want %q", tt.version, got, tt.want)
		}
		if _, err := ParseImage(got); err != nil {
			t.Errorf("DefaultImageFor(version %q) = %q is not a valid reference: %v", tt.version, got, err)
		}
	}
}
