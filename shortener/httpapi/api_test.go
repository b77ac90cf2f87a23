package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/httpapi"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/internal/pgtest"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/store"
)

// newServer serves the API over a store on a fresh database.
func newServer(t *testing.T, baseURL string) (*httptest.Server, *store.Store) {
	t.Helper()
	pool, _ := pgtest.NewPool(t)
	if err := store.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	st := store.New(pool, store.Options{CacheSize: 100, ClickFlushInterval: 20 * time.Millisecond})
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(httpapi.New(st, baseURL, log))
	t.Cleanup(srv.Close)
	return srv, st
}

var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, u, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

const formCT = "application/x-www-form-urlencoded"

func TestSeedFormEndpoint(t *testing.T) {
	srv, _ := newServer(t, "")
	r := do(t, "POST", srv.URL+"/", formCT, url.Values{"full_url": {"https://example.com/seed?q=1"}}.Encode())
	if r.status != http.StatusCreated {
		t.Fatalf("POST / = %d %s", r.status, r.body)
	}
	if r.header.Get("Location") != r.body || !strings.HasPrefix(r.body, srv.URL+"/") {
		t.Fatalf("body %q and Location %q must both be the absolute short URL under %s", r.body, r.header.Get("Location"), srv.URL)
	}
	red := do(t, "GET", r.body, "", "")
	if red.status != http.StatusTemporaryRedirect || red.header.Get("Location") != "https://example.com/seed?q=1" {
		t.Fatalf("GET short URL = %d Location %q", red.status, red.header.Get("Location"))
	}

	// multipart works too, as browsers and curl -F send it.
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("full_url", "https://example.com/multi")
	_ = mw.Close()
	if r := do(t, "POST", srv.URL+"/", mw.FormDataContentType(), buf.String()); r.status != http.StatusCreated {
		t.Fatalf("multipart POST / = %d %s", r.status, r.body)
	}
}

func TestJSONAPI(t *testing.T) {
	srv, _ := newServer(t, "https://sho.rt/")
	r := do(t, "POST", srv.URL+"/api/v1/urls", "application/json", `{"url":"https://example.com/j","alias":"my-link"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create = %d %s", r.status, r.body)
	}
	var created map[string]any
	if err := json.Unmarshal([]byte(r.body), &created); err != nil {
		t.Fatal(err)
	}
	if created["code"] != "my-link" || created["short_url"] != "https://sho.rt/my-link" || created["url"] != "https://example.com/j" {
		t.Fatalf("created = %v", created)
	}
	if _, err := time.Parse(time.RFC3339Nano, created["created_at"].(string)); err != nil {
		t.Fatalf("created_at: %v", err)
	}
	if r := do(t, "POST", srv.URL+"/api/v1/urls", "application/json", `{"url":"https://other.example/","alias":"my-link"}`); r.status != http.StatusConflict || !strings.Contains(r.body, `"error"`) {
		t.Fatalf("taken alias = %d %s, want 409 JSON", r.status, r.body)
	}
	for range 3 {
		if r := do(t, "GET", srv.URL+"/my-link", "", ""); r.status != http.StatusTemporaryRedirect {
			t.Fatalf("redirect = %d", r.status)
		}
	}
	r = do(t, "GET", srv.URL+"/api/v1/urls/my-link", "", "")
	var got struct {
		Code   string `json:"code"`
		URL    string `json:"url"`
		Clicks int64  `json:"clicks"`
	}
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.status != 200 {
		t.Fatalf("get = %d %s (%v)", r.status, r.body, err)
	}
	if got.Code != "my-link" || got.URL != "https://example.com/j" || got.Clicks != 3 {
		t.Fatalf("get = %+v, want 3 clicks", got)
	}
	// A generated code: 7 base62 characters.
	r = do(t, "POST", srv.URL+"/api/v1/urls", "", `{"url":"https://example.com/gen"}`)
	if err := json.Unmarshal([]byte(r.body), &created); err != nil || r.status != 201 || len(created["code"].(string)) != store.CodeLength {
		t.Fatalf("generated = %d %s", r.status, r.body)
	}
}

func TestBadRequests(t *testing.T) {
	srv, _ := newServer(t, "")
	big := `{"url":"https://example.com/` + strings.Repeat("a", httpapi.MaxBodyBytes) + `"}`
	tests := []struct {
		name, method, path, ct, body string
		status                       int
	}{
		{"malformed JSON", "POST", "/api/v1/urls", "application/json", `{"url":`, 400},
		{"not JSON", "POST", "/api/v1/urls", "application/json", `url=x`, 400},
		{"empty body", "POST", "/api/v1/urls", "application/json", ``, 400},
		{"unknown field", "POST", "/api/v1/urls", "application/json", `{"url":"https://e.x/","extra":1}`, 400},
		{"trailing data", "POST", "/api/v1/urls", "application/json", `{"url":"https://e.x/"} {}`, 400},
		{"wrong type", "POST", "/api/v1/urls", "application/json", `{"url":42}`, 400},
		{"missing url", "POST", "/api/v1/urls", "application/json", `{}`, 400},
		{"relative url", "POST", "/api/v1/urls", "application/json", `{"url":"/x"}`, 400},
		{"javascript url", "POST", "/api/v1/urls", "application/json", `{"url":"javascript:alert(1)"}`, 400},
		{"bad alias", "POST", "/api/v1/urls", "application/json", `{"url":"https://e.x/","alias":"a/b"}`, 400},
		{"reserved alias", "POST", "/api/v1/urls", "application/json", `{"url":"https://e.x/","alias":"healthz"}`, 400},
		{"sql in alias", "POST", "/api/v1/urls", "application/json", `{"url":"https://e.x/","alias":"x'; DROP TABLE urls;--"}`, 400},
		{"body too large", "POST", "/api/v1/urls", "application/json", big, 413},
		{"form too large", "POST", "/", formCT, "full_url=" + strings.Repeat("a", httpapi.MaxBodyBytes), 413},
		{"wrong content type", "POST", "/api/v1/urls", "text/plain", `{"url":"https://e.x/"}`, 415},
		{"form without url", "POST", "/", formCT, "other=1", 400},
		{"form bad url", "POST", "/", formCT, "full_url=ftp%3A%2F%2Fx", 400},
		{"form url too long", "POST", "/", formCT, "full_url=https%3A%2F%2Fe.x%2F" + strings.Repeat("a", 2100), 400},
		{"unknown code", "GET", "/zzzzzzz", "", "", 404},
		{"invalid code", "GET", "/a.b", "", "", 404},
		{"unknown code stats", "GET", "/api/v1/urls/zzzzzzz", "", "", 404},
		{"wrong method on code", "DELETE", "/abc1234", "", "", 405},
		{"wrong method on api", "GET", "/api/v1/urls", "", "", 405},
		{"wrong method on healthz", "POST", "/healthz", "", "", 405},
		{"put on root", "PUT", "/", "", "", 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, srv.URL+tt.path, tt.ct, tt.body)
			if r.status != tt.status {
				t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.path, r.status, r.body, tt.status)
			}
			if r.status != 405 {
				var e struct{ Error string }
				if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Error == "" {
					t.Fatalf("body %q is not a JSON error", r.body)
				}
			}
		})
	}
	// The table must still be there and working after all that.
	if r := do(t, "POST", srv.URL+"/api/v1/urls", "", `{"url":"https://e.x/after"}`); r.status != 201 {
		t.Fatalf("create after bad requests = %d %s", r.status, r.body)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	srv, _ := newServer(t, "")
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := do(t, "GET", srv.URL+p, "", ""); r.status != 200 {
			t.Fatalf("%s = %d %s", p, r.status, r.body)
		}
	}
}
