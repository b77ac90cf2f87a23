package cli

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// checkDebugAddr validates --debug-addr: empty (off) or HOST:PORT.
func checkDebugAddr(addr string) error {
	if addr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("invalid --debug-addr %q: want HOST:PORT, e.g. 127.0.0.1:6060", addr)
	}
	return nil
}

// serveDebug serves Go's pprof endpoints (/debug/pprof/, goroutines,
// heap, CPU profile, trace) on addr until the returned stop is called, and
// returns the address it listens on (addr with port 0 picks one). It
// is for measuring the plugin itself (the soak reads the goroutine count
// from it); nothing listens unless --debug-addr is given.
func serveDebug(addr string) (stop func(), bound string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("--debug-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // ends with http.ErrServerClosed when stopped
	}()
	return func() { _ = srv.Close(); <-done }, ln.Addr().String(), nil
}
