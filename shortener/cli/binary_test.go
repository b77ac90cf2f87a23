package cli

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/internal/pgtest"
)

// buildBinary builds the real shortener binary (cmd/shortener).
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "shortener")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/shortener")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is the environment without any setting the shortener reads.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "POSTGRES_") || strings.HasPrefix(kv, "SHORTENER_") || strings.HasPrefix(kv, "CONFIG_FILE=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func TestBinary(t *testing.T) {
	bin := buildBinary(t)

	t.Run("exits 1 with the fatal line when the database port is closed", func(t *testing.T) {
		cmd := exec.Command(bin)
		cmd.Env = cleanEnv("POSTGRES_HOST=127.0.0.1", "POSTGRES_PORT="+closedPort(t))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("exit = %v, want 1; stderr: %s", err, stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		want := `level=FATAL msg="failed to start: failed to open connection to database: `
		if len(lines) != 1 || !strings.Contains(lines[0], want) || !strings.Contains(lines[0], "connection refused") {
			t.Fatalf("stderr = %q, want one line containing %q", stderr.String(), want)
		}
	})

	t.Run("exits 2 naming the file and field of a bad config", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(file, []byte("listen: :8080\nlogLevel: chatty\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin)
		cmd.Env = cleanEnv("CONFIG_FILE=" + file)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Fatalf("exit = %v, want 2; output: %s", err, out)
		}
		if !strings.Contains(string(out), file) || !strings.Contains(string(out), "field logLevel") {
			t.Fatalf("output %q does not name %s and logLevel", out, file)
		}
	})

	t.Run("serves with the seed's config file and exits 0 on SIGTERM", func(t *testing.T) {
		db := pgtest.NewDatabase(t)
		var env []string
		for k, v := range pgtest.Env(db) {
			env = append(env, k+"="+v)
		}
		// The seed's ConfigMap config.yaml (see shortener/config/testdata).
		seedFile := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(seedFile, []byte("level: info"), 0o644); err != nil {
			t.Fatal(err)
		}
		port := closedPort(t)
		cmd := exec.Command(bin, "--listen", "127.0.0.1:"+port)
		cmd.Env = cleanEnv(append(env, "CONFIG_FILE="+seedFile)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill() }()
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get("http://127.0.0.1:" + port + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("not ready within 20s: %v\n%s", err, stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("exit after SIGTERM = %v, want 0\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "msg=stopped") {
			t.Fatalf("no stop line:\n%s", stderr.String())
		}
	})
}
