package shortener_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/cli"
	"github.com/kubectl-initwait/kubectl-initwait/shortener/internal/pgtest"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ledger records every URL the service acknowledged with 201.
type ledger struct {
	mu   sync.Mutex
	urls map[string]string // code → long URL
}

func (l *ledger) add(code, long string) {
	l.mu.Lock()
	l.urls[code] = long
	l.mu.Unlock()
}

func (l *ledger) random() (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for code := range l.urls { // map order is random enough
		return code, true
	}
	return "", false
}

var client = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func create(base, long string) (code string, status int, err error) {
	resp, err := client.Post(base+"/api/v1/urls", "application/json", strings.NewReader(fmt.Sprintf(`{"url":%q}`, long)))
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var out struct{ Code string }
	if resp.StatusCode == http.StatusCreated {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return "", resp.StatusCode, err
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return out.Code, resp.StatusCode, nil
}

func get(u string) (int, string, error) {
	resp, err := client.Get(u)
	if err != nil {
		return 0, "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

// TestDatabaseOutage stops and restarts a private PostgreSQL under load: the
// service must answer 503 (never crash or hang) while it is down, be ready again
// within a second of it coming back, and lose nothing it acknowledged with 201.
func TestDatabaseOutage(t *testing.T) {
	in := pgtest.StartInstance(t)
	env := pgtest.Env(in.Database())
	env["SHORTENER_LISTEN"] = "127.0.0.1:0"
	env["SHORTENER_CACHE_SIZE"] = "0" // every redirect needs the database
	logs := &syncBuffer{}
	opts := cli.NewServeOptions(cli.IOStreams{Out: io.Discard, ErrOut: logs}, func(k string) string { return env[k] })
	addrCh := make(chan net.Addr, 1)
	opts.Listening = func(a net.Addr) { addrCh <- a }
	if err := opts.Complete(); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- opts.Run(ctx) }()
	var base string
	select {
	case a := <-addrCh:
		base = "http://" + a.String()
	case err := <-served:
		t.Fatalf("serve ended early: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("service did not start")
	}

	led := &ledger{urls: map[string]string{}}
	for i := range 20 {
		long := fmt.Sprintf("https://before.example/%d", i)
		code, status, err := create(base, long)
		if err != nil || status != 201 {
			t.Fatalf("create before outage: %d %v", status, err)
		}
		led.add(code, long)
	}

	// Load: creates and redirects from 4 workers for the whole test.
	var (
		counts   sync.Map // status → *atomic.Int64
		badMu    sync.Mutex
		bad      []string
		loadDone = make(chan struct{})
		wg       sync.WaitGroup
		seq      atomic.Int64
	)
	count := func(status int) {
		v, _ := counts.LoadOrStore(status, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-loadDone:
					return
				default:
				}
				if w%2 == 0 || rand.IntN(4) == 0 {
					long := fmt.Sprintf("https://during.example/%d", seq.Add(1))
					code, status, err := create(base, long)
					switch {
					case err != nil:
						badMu.Lock()
						bad = append(bad, "create: "+err.Error())
						badMu.Unlock()
					case status == 201:
						led.add(code, long)
					case status != 503:
						badMu.Lock()
						bad = append(bad, fmt.Sprintf("create answered %d", status))
						badMu.Unlock()
					}
					count(status)
				} else if code, ok := led.random(); ok {
					status, _, err := get(base + "/" + code)
					if err != nil || (status != 307 && status != 503) {
						badMu.Lock()
						bad = append(bad, fmt.Sprintf("redirect answered %d, %v", status, err))
						badMu.Unlock()
					}
					count(status)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}

	time.Sleep(300 * time.Millisecond)
	if err := in.Stop(); err != nil {
		t.Fatalf("stop PostgreSQL: %v", err)
	}
	waitStatus(t, base+"/readyz", 503, 5*time.Second)
	code, _ := led.random()
	waitStatus(t, base+"/"+code, 503, 5*time.Second)
	if status, _, err := get(base + "/healthz"); err != nil || status != 200 {
		t.Fatalf("/healthz during outage = %d, %v; the process must stay alive", status, err)
	}
	time.Sleep(1500 * time.Millisecond) // let the load hit the outage

	if err := in.Start(); err != nil {
		t.Fatalf("restart PostgreSQL: %v", err)
	}
	back := time.Now()
	waitStatus(t, base+"/readyz", 200, 5*time.Second)
	waitStatus(t, base+"/"+code, 307, 5*time.Second)
	if took := time.Since(back); took > time.Second {
		t.Errorf("service took %s to recover after the database came back, want ≤ 1s", took)
	} else {
		t.Logf("recovered %s after the database came back", took.Round(time.Millisecond))
	}
	okBefore := statusCount(&counts, 201)
	time.Sleep(700 * time.Millisecond)
	close(loadDone)
	wg.Wait()
	if statusCount(&counts, 201) <= okBefore {
		t.Error("no create succeeded after recovery")
	}
	if len(bad) > 0 {
		t.Errorf("%d unexpected answers, e.g. %v", len(bad), bad[:min(len(bad), 5)])
	}
	if statusCount(&counts, 503) == 0 {
		t.Error("the load never saw a 503 during the outage")
	}
	t.Logf("answers under load: 201=%d 307=%d 503=%d", statusCount(&counts, 201), statusCount(&counts, 307), statusCount(&counts, 503))

	// Nothing acknowledged is lost.
	led.mu.Lock()
	defer led.mu.Unlock()
	for code, long := range led.urls {
		status, loc, err := get(base + "/" + code)
		if err != nil || status != 307 || loc != long {
			t.Errorf("acknowledged %s → %s now answers %d %q, %v", code, long, status, loc, err)
		}
	}
	t.Logf("%d acknowledged URLs all resolve", len(led.urls))

	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after shutdown")
	}
	if !strings.Contains(logs.String(), "level=WARN msg=\"database unavailable\"") {
		t.Errorf("no database-unavailable warning logged:\n%s", logs.String())
	}
}

func statusCount(m *sync.Map, status int) int64 {
	if v, ok := m.Load(status); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// waitStatus polls u every 10 ms until it answers want.
func waitStatus(t *testing.T, u string, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var last int
	var lastErr error
	for time.Now().Before(deadline) {
		last, _, lastErr = get(u)
		if lastErr == nil && last == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("GET %s: still %d (%v) after %s, want %d", u, last, lastErr, within, want)
}
