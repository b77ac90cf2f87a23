package main

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no tag", []string{"-out", "x.tar", "-layer", "l.tar"}, "-tag is required"},
		{"no output", []string{"-tag", "example.com/a/b:c", "-layer", "l.tar"}, "nothing to write"},
		{"bad tag", []string{"-tag", "busybox:1.37", "-out", "x", "-layer", "l"}, "-tag:"},
		{"bad push", []string{"-tag", "example.com/a/b:c", "-push", "UPPER/x:1", "-layer", "l"}, "-push:"},
		{"no layer", []string{"-tag", "example.com/a/b:c", "-out", "x"}, "no -layer for platform linux/"},
		{"bad platform", []string{"-tag", "example.com/a/b:c", "-oci", "x", "-platform", "linux", "-layer", "l"}, `-platform "linux"`},
		{"platform twice", []string{"-tag", "example.com/a/b:c", "-oci", "x", "-platform", "linux/arm64", "-platform", "linux/arm64", "-layer", "l"}, "given twice"},
		{"archive of two", []string{"-tag", "example.com/a/b:c", "-out", "x", "-platform", "linux/amd64", "-platform", "linux/arm64", "-layer", "l"}, "one platform"},
		{"layer for other platform", []string{"-tag", "example.com/a/b:c", "-oci", "x", "-platform", "linux/amd64", "-layer", "linux/arm64=l"}, "is not one of the -platform values"},
		{"platform without layer", []string{"-tag", "example.com/a/b:c", "-oci", "x", "-platform", "linux/amd64", "-platform", "linux/arm64", "-layer", "linux/amd64=l"}, "no -layer for platform linux/arm64"},
		{"bad entrypoint", []string{"-tag", "example.com/a/b:c", "-out", "x", "-layer", "l", "-entrypoint", "/pause"}, "-entrypoint: want a JSON array"},
		{"bad cmd", []string{"-tag", "example.com/a/b:c", "-out", "x", "-layer", "l", "-cmd", `["a",1]`}, "-cmd: want a JSON array"},
		{"bad env", []string{"-tag", "example.com/a/b:c", "-out", "x", "-layer", "l", "-env", "PATH"}, `-env "PATH"`},
		{"extra arg", []string{"-tag", "example.com/a/b:c", "-out", "x", "-layer", "l", "more"}, `unexpected argument "more"`},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseArgs(tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parseArgs(%q) error = %v, want it to contain %q", tt.args, err, tt.want)
			}
		})
	}
}

// TestBuildRoundTrip writes an image and reads it back the way an importer would.
func TestBuildRoundTrip(t *testing.T) {
	dir := t.TempDir()
	layer := filepath.Join(dir, "layer.tar")
	writeTar(t, layer, map[string]string{"pause": "binary", "etc/passwd": "root:x:0:0::/:/bin/sh\n"})
	out := filepath.Join(dir, "img.tar")
	o, err := parseArgs([]string{
		"-tag", "registry.k8s.io/pause:3.10.1", "-out", out, "-layer", layer,
		"-entrypoint", `["/pause"]`, "-env", "PATH=/bin", "-user", "65535:65535",
		"-stop-signal", "SIGINT", "-expose", "5432/tcp",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.run(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("registry.k8s.io/pause:3.10.1")
	img, err := tarball.ImageFromPath(out, &tag)
	if err != nil {
		t.Fatalf("reading the tarball back: %v", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Config.Entrypoint; !reflect.DeepEqual(got, []string{"/pause"}) {
		t.Errorf("entrypoint = %q", got)
	}
	if cfg.Config.User != "65535:65535" || cfg.Config.StopSignal != "SIGINT" || cfg.OS != "linux" {
		t.Errorf("config = %+v", cfg.Config)
	}
	if _, ok := cfg.Config.ExposedPorts["5432/tcp"]; !ok {
		t.Errorf("exposed ports = %v", cfg.Config.ExposedPorts)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers = %d, %v", len(layers), err)
	}
	files := imageFiles(t, img)
	if files["pause"] != "binary" || !strings.HasPrefix(files["etc/passwd"], "root:") {
		t.Errorf("layer files = %v", files)
	}
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}
}

func TestBuildMissingLayer(t *testing.T) {
	dir := t.TempDir()
	o, err := parseArgs([]string{"-tag", "example.com/a/b:c", "-out", filepath.Join(dir, "x.tar"), "-layer", filepath.Join(dir, "none.tar")})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.run(context.Background(), io.Discard); err == nil || !strings.Contains(err.Error(), "none.tar") {
		t.Fatalf("run() error = %v, want one naming the missing layer", err)
	}
}

func writeTar(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for n, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o755, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
