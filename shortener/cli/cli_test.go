package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/internal/pgtest"
)

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return fmt.Sprint(port)
}

func mapEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestMainExitCodes(t *testing.T) {
	badFile := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(badFile, []byte("poolSize: many\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	closed := map[string]string{"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": closedPort(t)}
	// The seed's config.yaml (shortener/config/testdata/seed-app-config.yaml).
	seedFile := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(seedFile, []byte("level: info"), 0o644); err != nil {
		t.Fatal(err)
	}
	seedClosed := map[string]string{"CONFIG_FILE": seedFile}
	for k, v := range closed {
		seedClosed[k] = v
	}
	typoFile := filepath.Join(t.TempDir(), "typo.yaml")
	if err := os.WriteFile(typoFile, []byte("level: info\nlevle: debug\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout []string
		stderr []string
	}{
		{"unknown flag", []string{"--nope"}, nil, ExitUsage, nil, []string{"error: unknown flag: --nope"}},
		{"unknown command", []string{"serve-me"}, nil, ExitUsage, nil, []string{`error: unknown command "serve-me"`}},
		{"bad listen flag", []string{"--listen", "nowhere"}, nil, ExitUsage, nil, []string{"error: flag --listen"}},
		{"bad config file", nil, map[string]string{"CONFIG_FILE": badFile}, ExitUsage, nil,
			[]string{"error: config file " + badFile + ": field poolSize"}},
		{"bad config file for wait-db", []string{"wait-db"}, map[string]string{"CONFIG_FILE": badFile}, ExitUsage, nil,
			[]string{"field poolSize"}},
		{"seed config file is accepted", []string{"wait-db", "--timeout", "300ms", "--interval", "100ms"}, seedClosed, ExitFailed,
			[]string{"waiting for database: "}, []string{"error: database ", "not ready after 300ms"}},
		{"unknown key next to a seed key", []string{"wait-db"}, map[string]string{"CONFIG_FILE": typoFile}, ExitUsage, nil,
			[]string{"error: config file " + typoFile + ": field levle: unknown field"}},
		{"bad env", nil, map[string]string{"POSTGRES_PORT": "x"}, ExitUsage, nil, []string{"POSTGRES_PORT"}},
		{"wait-db bad interval", []string{"wait-db", "--interval", "0s"}, nil, ExitUsage, nil, []string{"--interval"}},
		{"wait-db bad duration", []string{"wait-db", "--timeout", "soon"}, nil, ExitUsage, nil, []string{"--timeout"}},
		{"wait-db bad attempt timeout", []string{"wait-db", "--attempt-timeout", "0s"}, nil, ExitUsage, nil, []string{"--attempt-timeout must be positive"}},
		{"no database", nil, closed, ExitFailed, nil,
			[]string{`level=FATAL msg="failed to start: failed to open connection to database: `, "connection refused"}},
		{"wait-db times out", []string{"wait-db", "--timeout", "700ms", "--interval", "200ms"}, closed, ExitFailed,
			[]string{"waiting for database: ", "connection refused"}, []string{"error: database ", "not ready after 700ms", "connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), tt.args, IOStreams{Out: &out, ErrOut: &errOut}, mapEnv(tt.env))
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout %q lacks %q", out.String(), s)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(errOut.String(), s) {
					t.Errorf("stderr %q lacks %q", errOut.String(), s)
				}
			}
			if n := strings.Count(strings.TrimSpace(errOut.String()), "\n"); n > 0 {
				t.Errorf("stderr has %d lines, want one:\n%s", n+1, errOut.String())
			}
		})
	}
}

func TestWaitDBSucceeds(t *testing.T) {
	db := pgtest.NewDatabase(t)
	var out bytes.Buffer
	code := Main(context.Background(), []string{"wait-db", "--timeout", "10s"}, IOStreams{Out: &out, ErrOut: &out}, mapEnv(pgtest.Env(db)))
	if code != 0 || !strings.Contains(out.String(), "database is ready") {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	// Wrong password: the port answers (pg_isready would say yes), wait-db must not.
	env := pgtest.Env(db)
	env["POSTGRES_PASSWORD"] = "wrong"
	out.Reset()
	code = Main(context.Background(), []string{"wait-db", "--timeout", "500ms", "--interval", "100ms"}, IOStreams{Out: &out, ErrOut: &out}, mapEnv(env))
	if code != ExitFailed || !strings.Contains(out.String(), "waiting for database: ") || !strings.Contains(out.String(), "password authentication failed") {
		t.Fatalf("wrong password: exit %d: %s", code, out.String())
	}
}

// TestWaitDBAttemptTimeout: a server that accepts connections and never answers
// (a host behind a firewall that drops packets behaves the same for the client)
// costs one --attempt-timeout per try, so several tries fit in --timeout rather
// than the first one hanging until the connection's own connect_timeout.
func TestWaitDBAttemptTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // never read from, never answered
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	env := map[string]string{"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": port}
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"wait-db", "--timeout", "2s", "--interval", "10ms", "--attempt-timeout", "200ms"},
		IOStreams{Out: &out, ErrOut: &errOut}, mapEnv(env))
	if code != ExitFailed {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, ExitFailed, out.String(), errOut.String())
	}
	if n := strings.Count(out.String(), "waiting for database: no answer within 200ms (--attempt-timeout)"); n < 3 {
		t.Errorf("%d tries cut short by --attempt-timeout, want several:\n%s", n, out.String())
	}
}

// TestServeDrainsOnShutdown cancels the serve context (what SIGTERM does) while a
// request is still sending its body: the request must complete and Run return nil.
func TestServeDrainsOnShutdown(t *testing.T) {
	db := pgtest.NewDatabase(t)
	env := pgtest.Env(db)
	env["SHORTENER_LISTEN"] = "127.0.0.1:0"
	var logs bytes.Buffer // written only by the logger until Run returns
	o := NewServeOptions(IOStreams{Out: io.Discard, ErrOut: &logs}, mapEnv(env))
	addr := make(chan net.Addr, 1)
	o.Listening = func(a net.Addr) { addr <- a }
	if err := o.Complete(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	var a net.Addr
	select {
	case a = <-addr:
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	}

	body := `{"url":"https://drain.example/"}`
	conn, err := net.Dial("tcp", a.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/urls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
	time.Sleep(200 * time.Millisecond) // the request is now in flight
	cancel()
	time.Sleep(300 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", a.String(), time.Second); err == nil {
		t.Error("still accepting new connections while draining")
	}
	fmt.Fprint(conn, body[10:])
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := io.ReadAll(conn)
	if err != nil && !strings.Contains(string(resp), "201") {
		t.Fatalf("read response: %v", err)
	}
	if !strings.HasPrefix(string(resp), "HTTP/1.1 201") {
		t.Fatalf("in-flight request got %q, want 201", resp)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v after drain, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after drain")
	}
	if !strings.Contains(logs.String(), "msg=stopped") {
		t.Errorf("no stop line logged:\n%s", logs.String())
	}
}
