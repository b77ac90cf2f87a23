//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// chromiumFlags keep a headless Chromium from sending anything anywhere:
// no sync, no component or extension updates, no metrics upload, no QUIC,
// no first-run or default-browser checks; the profile is a fresh folder.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
	"--disable-extensions", "--metrics-recording-only", "--no-default-browser-check"}

// devtools is a page of a headless Chromium driven over the DevTools
// protocol: JSON messages on a websocket, answers matched by id, events kept.
type devtools struct {
	ws     *websocket.Conn
	mu     sync.Mutex
	nextID int
	wait   map[int]chan cdpMessage
	events []cdpMessage
	closed chan struct{}
}

type cdpMessage struct {
	ID     int             `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// startChromium starts Debian's chromium headless on an empty page with
// DevTools on a free loopback port, and connects to the page. The browser
// and its profile are gone when the test ends.
func startChromium(t *testing.T) *devtools {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (hack/test.sh installs Debian's chromium package): %v", err)
	}
	profile := t.TempDir()
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+profile,
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		// x/net/websocket always sends an Origin header, which DevTools refuses unless allowed.
		"--remote-allow-origins=http://127.0.0.1", "--window-size=1280,800", "about:blank")
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its renderer and helpers go with it
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	// Chromium writes the port it got, and the browser's path, to DevToolsActivePort.
	var port string
	deadline := time.Now().Add(30 * time.Second)
	for port == "" {
		if b, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort")); err == nil {
			if lines := strings.Split(string(b), "\n"); len(lines) >= 2 && lines[0] != "" {
				port = lines[0]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium did not open its DevTools port in 30s:\n%s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	ws := pageSocket(t, port)
	conn, err := websocket.Dial(ws, "", "http://127.0.0.1")
	if err != nil {
		t.Fatalf("connecting to the page's DevTools socket %s: %v", ws, err)
	}
	conn.MaxPayloadBytes = 64 << 20 // screenshots come back base64 in one message
	d := &devtools{ws: conn, wait: map[int]chan cdpMessage{}, closed: make(chan struct{})}
	go d.read()
	t.Cleanup(func() { _ = conn.Close() })
	return d
}

// pageSocket is the DevTools websocket of the browser's one page.
func pageSocket(t *testing.T, port string) string {
	t.Helper()
	resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var targets []struct {
		Type                 string `json:"type"`
		WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if tg.Type == "page" {
			return tg.WebSocketDebuggerURL
		}
	}
	t.Fatalf("no page among the DevTools targets %+v", targets)
	return ""
}

func (d *devtools) read() {
	defer close(d.closed)
	for {
		var m cdpMessage
		if err := websocket.JSON.Receive(d.ws, &m); err != nil {
			return
		}
		d.mu.Lock()
		if m.ID != 0 {
			if ch := d.wait[m.ID]; ch != nil {
				ch <- m
				delete(d.wait, m.ID)
			}
		} else {
			d.events = append(d.events, m)
		}
		d.mu.Unlock()
	}
}

// call sends a command and decodes its result into out (if not nil).
func (d *devtools) call(method string, params any, out any) error {
	d.mu.Lock()
	d.nextID++
	id := d.nextID
	ch := make(chan cdpMessage, 1)
	d.wait[id] = ch
	d.mu.Unlock()
	if params == nil {
		params = struct{}{}
	}
	if err := websocket.JSON.Send(d.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-d.closed:
		return fmt.Errorf("%s: the DevTools connection closed", method)
	case <-time.After(60 * time.Second):
		return fmt.Errorf("%s: no answer in 60s", method)
	}
}

// waitEvent waits until an event named method has been received.
func (d *devtools) waitEvent(method string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if len(d.eventsNamed(method)) > 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("no " + method + " in " + timeout.String())
}

// eventsNamed returns the events received so far whose method is one of methods.
func (d *devtools) eventsNamed(methods ...string) []cdpMessage {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []cdpMessage
	for _, e := range d.events {
		for _, m := range methods {
			if e.Method == m {
				out = append(out, e)
			}
		}
	}
	return out
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func (d *devtools) eval(expr string, out any) error {
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := d.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res); err != nil {
		return err
	}
	if res.ExceptionDetails != nil {
		return fmt.Errorf("evaluating %q: %s", expr, res.ExceptionDetails.Text)
	}
	return json.Unmarshal(res.Result.Value, out)
}
