package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, p, content string, mode os.FileMode, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func digest(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestReproducible builds the same archive from copies that differ in file
// times, permissions beyond the exec bit and argument order.
func TestReproducible(t *testing.T) {
	dir := t.TempDir()
	mtime := "2025-11-27T12:43:00+01:00"
	var outs []string
	for i, variant := range []struct {
		bin, lic os.FileMode
		when     time.Time
		reverse  bool
	}{
		{0o755, 0o644, time.Unix(1, 0), false},
		{0o700, 0o600, time.Unix(1e9, 0), true},
	} {
		d := filepath.Join(dir, string(rune('a'+i)))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(d, "bin"), "binary", variant.bin, variant.when)
		writeFile(t, filepath.Join(d, "LICENSE"), "license", variant.lic, variant.when)
		args := []string{"kubectl-x=" + filepath.Join(d, "bin"), "LICENSE=" + filepath.Join(d, "LICENSE")}
		if variant.reverse {
			args[0], args[1] = args[1], args[0]
		}
		out := filepath.Join(d, "out.tar.gz")
		if err := run(out, mtime, args); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	if digest(t, outs[0]) != digest(t, outs[1]) {
		t.Fatalf("archives differ: %s vs %s", outs[0], outs[1])
	}

	f, err := os.Open(outs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, time %v; want neither", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	want := []struct {
		name string
		mode int64
		body string
	}{{"LICENSE", 0o644, "license"}, {"kubectl-x", 0o755, "binary"}}
	wantTime, _ := time.Parse(time.RFC3339, mtime)
	for _, w := range want {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("entry %s: %v", w.name, err)
		}
		body, _ := io.ReadAll(tr)
		if h.Name != w.name || h.Mode != w.mode || string(body) != w.body || h.Uid != 0 || h.Gid != 0 ||
			h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(wantTime) {
			t.Errorf("entry = %s %o %q uid %d gid %d %q/%q %v; want %s %o %q 0 0 \"\"/\"\" %v",
				h.Name, h.Mode, body, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime, w.name, w.mode, w.body, wantTime)
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("extra entry after %d: %v", len(want), err)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	writeFile(t, file, "x", 0o644, time.Unix(1, 0))
	out := filepath.Join(dir, "out.tar.gz")
	for _, tc := range []struct {
		name, out, mtime string
		args             []string
		want             string
	}{
		{"no output", "", "2025-01-01T00:00:00Z", []string{"f=" + file}, "-o is required"},
		{"bad time", out, "yesterday", []string{"f=" + file}, "-mtime"},
		{"no files", out, "2025-01-01T00:00:00Z", nil, "no files given"},
		{"no path", out, "2025-01-01T00:00:00Z", []string{"f"}, "want NAME=PATH"},
		{"escape", out, "2025-01-01T00:00:00Z", []string{"../f=" + file}, "clean relative path"},
		{"absolute", out, "2025-01-01T00:00:00Z", []string{"/f=" + file}, "clean relative path"},
		{"twice", out, "2025-01-01T00:00:00Z", []string{"f=" + file, "f=" + file}, "given twice"},
		{"missing", out, "2025-01-01T00:00:00Z", []string{"f=" + file + ".nope"}, "no such file"},
		{"directory", out, "2025-01-01T00:00:00Z", []string{"d=" + dir}, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(tc.out, tc.mtime, tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run() = %v; want an error containing %q", err, tc.want)
			}
			if _, statErr := os.Stat(out); statErr == nil {
				t.Errorf("%s left behind after an error", out)
			}
		})
	}
}
