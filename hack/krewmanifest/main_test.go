package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var platforms = []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64"}

// checksums writes a checksums file for the given platforms of version v,
// with a digest of one repeated hex letter per platform.
func checksums(t *testing.T, v string, plats ...string) (string, map[string]string) {
	t.Helper()
	var b strings.Builder
	want := map[string]string{}
	for i, p := range plats {
		sum := strings.Repeat(fmt.Sprintf("%x", i+10), 64) // a..e: all-digit digests would read as numbers
		name := fmt.Sprintf("kubectl-initwait_%s_%s.tar.gz", v, p)
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
		want[name] = sum
	}
	f := filepath.Join(t.TempDir(), "checksums.txt")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f, want
}

type manifest struct {
	Metadata struct{ Name string }
	Spec     struct {
		Version   string
		Platforms []struct {
			URI    string `yaml:"uri"`
			Sha256 string `yaml:"sha256"`
			Bin    string `yaml:"bin"`
		}
	}
}

func TestRenderRepoManifest(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plats []string
	}{
		{"all platforms", platforms},
		{"DIST_PLATFORMS=linux/amd64", platforms[:1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sumsFile, want := checksums(t, "v1.2.3", tc.plats...)
			out := filepath.Join(t.TempDir(), "initwait.yaml")
			var notes bytes.Buffer
			err := run("v1.2.3", sumsFile, "../../.krew.yaml", out, []string{"../../krew.yaml"}, &notes)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(out)
			var m manifest
			if err := yaml.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m.Metadata.Name != "initwait" || m.Spec.Version != "v1.2.3" || len(m.Spec.Platforms) != len(tc.plats) {
				t.Fatalf("got name %q version %q %d platforms; want initwait v1.2.3 %d", m.Metadata.Name,
					m.Spec.Version, len(m.Spec.Platforms), len(tc.plats))
			}
			for _, p := range m.Spec.Platforms {
				name := filepath.Base(p.URI)
				if want[name] != p.Sha256 || !strings.HasPrefix(p.URI,
					"https://github.com/kubectl-initwait/kubectl-initwait/releases/download/v1.2.3/") {
					t.Errorf("platform %s: sha256 %s; want %s", p.URI, p.Sha256, want[name])
				}
				if strings.Contains(name, "windows") != strings.HasSuffix(p.Bin, ".exe") {
					t.Errorf("platform %s has bin %s", name, p.Bin)
				}
			}
			if got := strings.Count(notes.String(), "left out"); got != len(platforms)-len(tc.plats) {
				t.Errorf("%d notes of left-out platforms; want %d:\n%s", got, len(platforms)-len(tc.plats), notes.String())
			}
		})
	}
}

func TestRenderRejects(t *testing.T) {
	src, err := os.ReadFile("../../krew.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bot, err := os.ReadFile("../../.krew.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sumsFile, _ := checksums(t, "v1.2.3", platforms...)
	for _, tc := range []struct {
		name, src, bot, sums, want string
	}{
		{"version edited", strings.Replace(string(src), "version: v0.0.0", "version: v0.1.0", 1), string(bot), sumsFile, "keep the placeholder"},
		{"sha edited", strings.Replace(string(src), placeholderSHA, strings.Repeat("a", 64), 1), string(bot), sumsFile, "keep the placeholders"},
		{"bot disagrees", string(src), strings.Replace(string(bot), "bin: kubectl-initwait\n", "bin: kubectl-iw\n", 1), sumsFile, "disagree"},
		{"bot broken", string(src), string(bot) + "{{ .Nope", sumsFile, "disagree"},
		{"no archives", string(src), string(bot), "", "no platform has an archive"},
		{"bad checksums", string(src), string(bot), "bad", "want \"SHA256  NAME\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, body string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			}
			sums := tc.sums
			switch sums {
			case "":
				sums = write("empty.txt", "")
			case "bad":
				sums = write("bad.txt", "not a checksum line\n")
			}
			out := filepath.Join(dir, "initwait.yaml")
			err := run("v1.2.3", sums, write(".krew.yaml", tc.bot), out, []string{write("krew.yaml", tc.src)}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run() = %v; want an error containing %q", err, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s written despite the error", out)
			}
		})
	}
}

// TestRenderHeader checks that the manifest starts with the generated-file
// line only: the source's header, which calls it the source and its values
// placeholders, must not be carried over, wherever yaml.v3 keeps it.
func TestRenderHeader(t *testing.T) {
	src, err := os.ReadFile("../../krew.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, sums := checksums(t, "v1.2.3", platforms...)
	body := string(src)[strings.Index(string(src), "apiVersion:"):]
	for name, in := range map[string]string{
		"krew.yaml":                      string(src),
		"header apart from the document": "# the source\n# placeholders\n\n" + body,
		"no header":                      body,
	} {
		t.Run(name, func(t *testing.T) {
			out, _, err := render([]byte(in), "v1.2.3", sums)
			if err != nil {
				t.Fatal(err)
			}
			var comments []string
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "#") {
					comments = append(comments, line)
				}
			}
			want := "# Generated by hack/dist.sh from krew.yaml for v1.2.3: do not edit."
			if len(comments) != 1 || comments[0] != want || !strings.HasPrefix(string(out), want+"\n") {
				t.Errorf("comments of the rendered manifest: %q; want only %q, first", comments, want)
			}
		})
	}
}
