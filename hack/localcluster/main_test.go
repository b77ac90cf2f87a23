package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// kubeconfig writes a kubeconfig whose current context is named context
// and whose server is a loopback port nothing listens on, so that the
// nodes cannot be listed and the context's name is all there is.
func kubeconfig(t *testing.T, context string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: x}
contexts:
- name: ` + context + `
  context: {cluster: c, user: u}
current-context: ` + context + "\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
}

func TestRun(t *testing.T) {
	tests := []struct {
		context string
		args    []string
		code    int
		out     string
	}{
		{"kind-dev", []string{"detect"}, 0, "kind dev -\n"},
		{"kind-dev", []string{"load-command", "dist/shortener.tar"}, 0, "kind load image-archive dist/shortener.tar --name dev\n"},
		{"k3d-k3s-default", []string{"load-command", "s.tar"}, 0, "k3d image import s.tar\n"},
		{"minikube", []string{"load-command", "s.tar"}, 0, "minikube image load s.tar\n"},
		{"admin@prod", []string{"detect"}, 0, "unknown - -\n"},
		{"admin@prod", []string{"load-command", "s.tar"}, 3, ""},
		{"kind-dev", nil, 2, ""},
		{"kind-dev", []string{"load-command"}, 2, ""},
		{"kind-dev", []string{"detect", "extra"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.context+" "+filepath.Join(tt.args...), func(t *testing.T) {
			kubeconfig(t, tt.context)
			var out, errOut bytes.Buffer
			if code := run(tt.args, &out, &errOut); code != tt.code || out.String() != tt.out {
				t.Errorf("run = %d, %q (stderr %q), want %d, %q", code, out.String(), errOut.String(), tt.code, tt.out)
			}
			if tt.code != 0 && errOut.Len() == 0 {
				t.Error("a failure without a word on stderr")
			}
		})
	}
}
