package cli

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServeDebug serves the pprof goroutine profile the soak reads, and
// stops listening when stopped.
func TestServeDebug(t *testing.T) {
	stop, addr, err := serveDebug("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "goroutine profile: total ") {
		t.Fatalf("HTTP %d: %.80q", resp.StatusCode, body)
	}
	stop()
	if _, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Fatal("still serving after stop")
	}
	if _, _, err := serveDebug(addr + "0000"); err == nil || !strings.HasPrefix(err.Error(), "--debug-addr: ") {
		t.Fatalf("bad address: err = %v", err)
	}
}
