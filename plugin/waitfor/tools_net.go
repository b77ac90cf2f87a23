package waitfor

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// The extractors below read network probes: TCP connects, HTTP requests,
// DNS look-ups and the wait helpers built on them.

// hostPort is a dependency on host:port as written.
func hostPort(kind, tool, host, portText string) Dependency {
	return Dependency{Kind: kind, Tool: tool, Host: host, Port: port(portText), PortText: portText}
}

// port parses a port number; anything else (a name, an unresolved variable) is 0.
func port(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 65535 {
		return 0
	}
	return n
}

// splitAddress reads host:port (or [v6]:port); without a port, host alone.
func splitAddress(kind, tool, s string) Dependency {
	if strings.Contains(s, unresolvedMark) {
		if i := strings.LastIndexByte(maskMarkers(s), ':'); i >= 0 {
			return hostPort(kind, tool, s[:i], s[i+1:])
		}
	}
	if h, p, err := net.SplitHostPort(s); err == nil {
		return hostPort(kind, tool, h, p)
	}
	return Dependency{Kind: kind, Tool: tool, Host: s}
}

func ncDeps(c call) []Dependency {
	if c.opts.has("l", "listen") {
		return nil
	}
	pos := c.opts.positional
	switch len(pos) {
	case 0:
		return nil
	case 1:
		return []Dependency{splitAddress(KindTCP, c.tool, pos[0])}
	}
	return []Dependency{hostPort(KindTCP, c.tool, pos[0], pos[1])}
}

func devTCPDeps(c call) []Dependency {
	if len(c.opts.positional) != 2 {
		return nil
	}
	return []Dependency{hostPort(KindTCP, "bash /dev/tcp", c.opts.positional[0], c.opts.positional[1])}
}

func httpDeps(c call) []Dependency {
	urls := append(c.opts.positional, c.opts.all("url")...)
	var deps []Dependency
	for _, u := range urls {
		if d, ok := urlDependency(c.tool, u); ok {
			deps = append(deps, d)
		}
	}
	return deps
}

// urlPassword matches the password of a URL's userinfo, with or without scheme.
var urlPassword = regexp.MustCompile(`^((?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/?#@:]*):[^/?#]*@`)

// RedactURL replaces the password of a URL's userinfo by xxxxx, as
// net/url's Redacted does, keeping the rest as written.
func RedactURL(raw string) string {
	return urlPassword.ReplaceAllString(raw, "${1}:xxxxx@")
}

// urlDependency reads host and port (explicit, else by scheme) from a URL;
// a URL without scheme is http, as curl and wget take it.
func urlDependency(tool, raw string) (Dependency, bool) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return Dependency{}, false
	}
	d := Dependency{Kind: u.Scheme, Tool: tool, Host: u.Hostname(), URL: RedactURL(raw)}
	switch {
	case u.Port() != "":
		d.Port, d.PortText = port(u.Port()), u.Port()
	case u.Scheme == "https":
		d.Port = 443
	case u.Scheme == "http":
		d.Port = 80
	case u.Scheme == "ftp":
		d.Port = 21
	}
	return d, true
}

func dnsDeps(c call) []Dependency {
	var names []string
	for _, w := range c.opts.positional {
		if c.tool != "host" && (strings.HasPrefix(w, "@") || strings.HasPrefix(w, "+") || isRRType(w)) {
			continue
		}
		names = append(names, w)
	}
	if len(names) == 0 {
		return nil
	}
	return []Dependency{{Kind: KindDNS, Tool: c.tool, Host: strings.TrimSuffix(names[0], ".")}}
}

func getentDeps(c call) []Dependency {
	args := c.args
	if len(args) < 2 || !(args[0] == "hosts" || strings.HasPrefix(args[0], "ahosts")) {
		return nil
	}
	return []Dependency{{Kind: KindDNS, Tool: c.tool, Host: strings.TrimSuffix(args[1], ".")}}
}

func isRRType(w string) bool {
	switch strings.ToUpper(w) {
	case "A", "AAAA", "SRV", "CNAME", "MX", "TXT", "NS", "PTR", "SOA", "ANY":
		return w == strings.ToUpper(w)
	}
	return false
}

// waitForItDeps reads wait-for-it (host:port, -h/--host with -p/--port)
// and eficode's wait-for (host:port or an http URL).
func waitForItDeps(c call) []Dependency {
	var deps []Dependency
	if h, ok := c.opts.last("host", "h"); ok {
		p, _ := c.opts.last("port", "p")
		deps = append(deps, hostPort(KindTCP, c.tool, h, p))
	}
	for _, a := range c.opts.positional {
		if strings.HasPrefix(a, "http://") || strings.HasPrefix(a, "https://") {
			if d, ok := urlDependency(c.tool, a); ok {
				deps = append(deps, d)
			}
			continue
		}
		deps = append(deps, splitAddress(KindTCP, c.tool, strings.TrimPrefix(a, "tcp://")))
	}
	return deps
}

// dockerizeDeps reads every -wait URL: tcp://, tcp4://, tcp6://, http(s)://,
// unix:// and file:// (a path to appear).
func dockerizeDeps(c call) []Dependency {
	var deps []Dependency
	for _, w := range c.opts.all("wait") {
		scheme, rest, ok := strings.Cut(w, "://")
		if !ok {
			continue
		}
		switch scheme {
		case "tcp", "tcp4", "tcp6":
			deps = append(deps, splitAddress(KindTCP, c.tool, rest))
		case "http", "https":
			if d, ok := urlDependency(c.tool, w); ok {
				deps = append(deps, d)
			}
		case "unix", "file":
			deps = append(deps, Dependency{Kind: KindFile, Tool: c.tool, Path: rest})
		}
	}
	return deps
}
