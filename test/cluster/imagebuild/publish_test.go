package main

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// twoPlatformArgs is the shape of hack/image.sh's call: a shared base layer and one binary
// layer per platform.
func twoPlatformArgs(t *testing.T, dir string, platforms ...string) []string {
	t.Helper()
	writeTar(t, filepath.Join(dir, "base.tar"), map[string]string{"etc/passwd": "nonroot:x:65532:65532::/:/bin/false\n"})
	writeTar(t, filepath.Join(dir, "amd64.tar"), map[string]string{"shortener": "amd64 binary"})
	writeTar(t, filepath.Join(dir, "arm64.tar"), map[string]string{"shortener": "arm64 binary"})
	args := []string{"-tag", "ghcr.io/kubectl-initwait/shortener:v9.9.9", "-layer", filepath.Join(dir, "base.tar"),
		"-entrypoint", `["/shortener"]`, "-user", "65532:65532"}
	for _, p := range platforms {
		args = append(args, "-platform", p, "-layer", p+"="+filepath.Join(dir, strings.TrimPrefix(p, "linux/")+".tar"))
	}
	return args
}

func runArgs(t *testing.T, args ...string) string {
	t.Helper()
	o, err := parseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := o.run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// lastWord is the digest an output line ends with.
func lastWord(line string) string {
	f := strings.Fields(line)
	return f[len(f)-1]
}

// TestLayoutTwoPlatforms writes the OCI layout `make image` writes and reads it back as a
// runtime would: one index, an image per platform with its own binary and config.
func TestLayoutTwoPlatforms(t *testing.T) {
	dir := t.TempDir()
	oci := filepath.Join(dir, "image")
	out := runArgs(t, append(twoPlatformArgs(t, dir, "linux/arm64", "linux/amd64"), "-oci", oci)...)
	p, err := layout.FromPath(oci)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	topM, err := top.IndexManifest()
	if err != nil || len(topM.Manifests) != 1 {
		t.Fatalf("index.json manifests = %+v, %v; want one entry", topM, err)
	}
	entry := topM.Manifests[0]
	if entry.MediaType != types.OCIImageIndex || entry.Annotations[refNameAnnotation] != "ghcr.io/kubectl-initwait/shortener:v9.9.9" {
		t.Errorf("index.json entry = %+v", entry)
	}
	if got := lastWord(out); got != entry.Digest.String() {
		t.Errorf("printed digest %s, layout holds %s", got, entry.Digest)
	}
	idx, err := top.ImageIndex(entry.Digest)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range m.Manifests {
		got = append(got, d.Platform.String())
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.OS+"/"+cfg.Architecture != d.Platform.String() || cfg.Config.User != "65532:65532" {
			t.Errorf("%s: config %s/%s user %q", d.Platform, cfg.OS, cfg.Architecture, cfg.Config.User)
		}
		files := imageFiles(t, img)
		if want := d.Platform.Architecture + " binary"; files["shortener"] != want || files["etc/passwd"] == "" {
			t.Errorf("%s: files = %v, want shortener %q and etc/passwd", d.Platform, files, want)
		}
		if mt, _ := img.MediaType(); mt != types.OCIManifestSchema1 {
			t.Errorf("%s: media type %s", d.Platform, mt)
		}
	}
	if strings.Join(got, " ") != "linux/amd64 linux/arm64" {
		t.Errorf("index platforms = %v, want linux/amd64 linux/arm64 (sorted)", got)
	}
}

// TestReproducible: two builds, the second with the platforms in the other order, give the
// same digest (what `make image` promises and hack/image.sh checks on the real binaries).
func TestReproducible(t *testing.T) {
	dir := t.TempDir()
	a := runArgs(t, append(twoPlatformArgs(t, dir, "linux/amd64", "linux/arm64"), "-oci", filepath.Join(dir, "a"))...)
	b := runArgs(t, append(twoPlatformArgs(t, dir, "linux/arm64", "linux/amd64"), "-oci", filepath.Join(dir, "b"))...)
	if lastWord(a) != lastWord(b) {
		t.Fatalf("digests differ between two runs: %s vs %s", lastWord(a), lastWord(b))
	}
}

// TestPush pushes to a registry (go-containerregistry's in-memory one), then again: the
// second run finds the digest there and sends nothing; a pull gives the same index.
func TestPush(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	dir := t.TempDir()
	ref := host + "/kubectl-initwait/shortener:v9.9.9"
	args := append(twoPlatformArgs(t, dir, "linux/amd64", "linux/arm64"), "-push", ref, "-oci", filepath.Join(dir, "oci"))
	first := runArgs(t, args...)
	if !strings.Contains(first, "pushed "+ref+" sha256:") {
		t.Fatalf("first run printed %q, want a pushed line", first)
	}
	second := runArgs(t, args...)
	if !strings.Contains(second, "present "+ref+" ") || lastWord(second) != lastWord(first) {
		t.Fatalf("second run printed %q, want present with digest %s", second, lastWord(first))
	}
	r, _ := name.ParseReference(ref)
	idx, err := remote.Index(r)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := idx.Digest(); d.String() != lastWord(first) {
		t.Errorf("registry holds %s, pushed %s", d, lastWord(first))
	}
	// One platform pushes a plain image, which containerd pulls like any single-arch image.
	single := runArgs(t, append(twoPlatformArgs(t, dir, "linux/amd64"), "-push", host+"/library/one:1")...)
	r1, _ := name.ParseReference(host + "/library/one:1")
	desc, err := remote.Get(r1)
	if err != nil {
		t.Fatal(err)
	}
	if desc.MediaType != types.OCIManifestSchema1 || desc.Digest.String() != lastWord(single) {
		t.Errorf("single-platform push: %s %s, printed %q", desc.MediaType, desc.Digest, single)
	}
}

// TestPushError: an unreachable registry is one error naming the reference.
func TestPushError(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	dir := t.TempDir()
	o, err := parseArgs(append(twoPlatformArgs(t, dir, "linux/amd64"), "-push", host+"/x/y:1"))
	if err != nil {
		t.Fatal(err)
	}
	err = o.run(context.Background(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "pushing "+host+"/x/y:1") {
		t.Fatalf("run() error = %v, want one naming the push", err)
	}
}

// imageFiles flattens an image's layers into path → content.
func imageFiles(t *testing.T, img v1.Image) map[string]string {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(tr)
			files[h.Name] = string(b)
		}
		rc.Close()
	}
	return files
}
