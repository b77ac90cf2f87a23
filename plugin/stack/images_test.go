package stack

import (
	"strings"
	"testing"
)

func TestParseImage(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0f", 32)
	tests := []struct {
		ref     string
		want    ImageRef
		wantErr string
	}{
		{ref: "postgres", want: ImageRef{Name: "postgres", Tag: "latest"}},
		{ref: "postgres:15", want: ImageRef{Name: "postgres", Tag: "15"}},
		{ref: "docker.io/library/postgres:15", want: ImageRef{Name: "docker.io/library/postgres", Tag: "15"}},
		{ref: "localhost:5000/x/y", want: ImageRef{Name: "localhost:5000/x/y", Tag: "latest"}},
		{ref: "My.Registry:443/a_b/c-d:v1.2", want: ImageRef{Name: "My.Registry:443/a_b/c-d", Tag: "v1.2"}},
		{ref: "x@" + digest, want: ImageRef{Name: "x", Digest: digest}},
		{ref: "x:1@" + digest, want: ImageRef{Name: "x", Tag: "1", Digest: digest}},
		{ref: "", wantErr: "empty"},
		{ref: "Postgres", wantErr: "lower-case"},
		{ref: "postgres:", wantErr: "bad tag"},
		{ref: "postgres:a b", wantErr: "bad tag"},
		{ref: "post gres", wantErr: "lower-case"},
		{ref: "x@sha256:xyz", wantErr: "digest"},
		{ref: "reg.io:port/x", wantErr: "registry host"},
		{ref: "/x", wantErr: "lower-case"},
		{ref: "x//y", wantErr: "lower-case"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := ParseImage(tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseImage(%q) = %v, %v; want error containing %q", tt.ref, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseImage(%q) = %+v, %v; want %+v", tt.ref, got, err, tt.want)
			}
		})
	}
}
