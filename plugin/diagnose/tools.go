package diagnose

import (
	"net"
	"net/url"
	"regexp"
	"strings"
)

// The recognisers below read one probing tool's command line (without the
// tool's name) into the dependencies it probes.

func postgresDeps(tool string, args []string, env Env) []Dependency {
	opts, positional, _ := getopt(args, "hpdUtcfvoLTFRPS", false,
		"host", "port", "dbname", "username", "timeout", "command", "file", "variable", "set", "output", "log-file")
	host, hasHost := firstOpt(opts, "host", "h")
	portText, hasPort := firstOpt(opts, "port", "p")
	conn, hasConn := firstOpt(opts, "dbname", "d")
	if !hasConn && len(positional) > 0 && tool != "pg_isready" {
		conn, hasConn = positional[0], true
	}
	if hasConn {
		h, p := parseConninfo(conn)
		if !hasHost && h != "" {
			host, hasHost = h, true
		}
		if !hasPort && p != "" {
			portText, hasPort = p, true
		}
	}
	if !hasHost {
		host = envOr(env, "PGHOST", "")
	}
	if !hasPort {
		portText = envOr(env, "PGPORT", "5432")
	}
	if host == "" || strings.HasPrefix(host, "/") {
		host = "local socket"
	}
	var deps []Dependency
	for _, h := range strings.Split(host, ",") {
		deps = append(deps, Dependency{Kind: "postgres", Tool: tool, Host: h, Port: port(portText), portRaw: portText})
	}
	return deps
}

// parseConninfo reads host and port from a libpq connection string, either
// a URI (postgresql://user@host:5432/db) or key=value pairs.
func parseConninfo(s string) (host, portText string) {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", ""
		}
		if h := u.Query().Get("host"); h != "" && u.Hostname() == "" {
			return h, u.Query().Get("port")
		}
		return u.Hostname(), u.Port()
	}
	for _, field := range strings.Fields(s) {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `'`)
		switch k {
		case "host", "hostaddr":
			if host == "" || k == "host" {
				host = v
			}
		case "port":
			portText = v
		}
	}
	return host, portText
}

func ncDeps(tool string, args []string) []Dependency {
	opts, positional, _ := getopt(args, "wiqspxXWOITeVMmc", false,
		"wait", "source", "source-port", "proxy", "proxy-type", "exec", "sh-exec", "idle-timeout")
	if _, listen := firstOpt(opts, "l", "listen"); listen {
		return nil
	}
	switch len(positional) {
	case 0:
		return nil
	case 1:
		h, p, err := net.SplitHostPort(positional[0])
		if err != nil {
			return []Dependency{{Kind: "tcp", Tool: tool, Host: positional[0]}}
		}
		return []Dependency{{Kind: "tcp", Tool: tool, Host: h, Port: port(p), portRaw: p}}
	}
	return []Dependency{{Kind: "tcp", Tool: tool, Host: positional[0], Port: port(positional[1]), portRaw: positional[1]}}
}

func httpDeps(tool string, args []string) []Dependency {
	var opts map[string]string
	var positional []string
	if tool == "curl" {
		opts, positional, _ = getopt(args, "oXHduAemwxTFbcEKryYzCDQtPa", false,
			"output", "request", "header", "data", "data-raw", "data-binary", "data-urlencode", "user",
			"user-agent", "max-time", "connect-timeout", "retry", "retry-delay", "retry-max-time", "write-out",
			"proxy", "cacert", "cert", "key", "form", "cookie", "referer", "resolve", "url", "connect-to",
			"interface", "unix-socket", "output-dir", "config", "dump-header", "upload-file", "range")
		if u, ok := opts["url"]; ok {
			positional = append(positional, u)
		}
	} else {
		opts, positional, _ = getopt(args, "OoTtwYeUPaiBl", false,
			"output-document", "output-file", "tries", "timeout", "wait", "user", "password", "header",
			"user-agent", "post-data", "method", "directory-prefix", "input-file", "append-output")
		_ = opts
	}
	var deps []Dependency
	for _, p := range positional {
		if d, ok := urlDependency(tool, p); ok {
			deps = append(deps, d)
		}
	}
	return deps
}

// urlPassword matches the password of a URL's userinfo, with or without scheme.
var urlPassword = regexp.MustCompile(`^((?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/?#@:]*):[^/?#]*@`)

// redactURL replaces the password of a URL's userinfo by xxxxx, as
// net/url's Redacted does, keeping the rest as written.
func redactURL(raw string) string {
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
	d := Dependency{Kind: u.Scheme, Tool: tool, Host: u.Hostname(), URL: redactURL(raw)}
	switch {
	case u.Port() != "":
		d.Port, d.portRaw = port(u.Port()), u.Port()
	case u.Scheme == "https":
		d.Port = 443
	case u.Scheme == "http":
		d.Port = 80
	case u.Scheme == "ftp":
		d.Port = 21
	}
	return d, true
}

func dnsDeps(tool string, args []string) []Dependency {
	var positional []string
	switch tool {
	case "getent":
		if len(args) >= 2 && strings.HasPrefix(args[0], "ahosts") || len(args) >= 2 && args[0] == "hosts" {
			positional = args[1:2]
		}
	case "host":
		_, positional, _ = getopt(args, "tcWRmN", false)
	default: // nslookup, dig, drill
		_, p, _ := getopt(args, "tcpbfkqyx", false)
		for _, w := range p {
			if strings.HasPrefix(w, "@") || strings.HasPrefix(w, "+") || isRRType(w) {
				continue
			}
			positional = append(positional, w)
		}
	}
	if len(positional) == 0 {
		return nil
	}
	return []Dependency{{Kind: "dns", Tool: tool, Host: strings.TrimSuffix(positional[0], ".")}}
}

func isRRType(w string) bool {
	switch strings.ToUpper(w) {
	case "A", "AAAA", "SRV", "CNAME", "MX", "TXT", "NS", "PTR", "SOA", "ANY":
		return w == strings.ToUpper(w)
	}
	return false
}

func mysqlDeps(tool string, args []string) []Dependency {
	var kept []string
	for _, a := range args {
		if (strings.HasPrefix(a, "-p") && a != "-P") || strings.HasPrefix(a, "--password") {
			continue
		}
		kept = append(kept, a)
	}
	opts, _, _ := getopt(kept, "hPuDeS", false, "host", "port", "user", "database", "execute", "socket")
	host, ok := firstOpt(opts, "host", "h")
	if !ok {
		host = "localhost"
	}
	p, ok := firstOpt(opts, "port", "P")
	if !ok {
		p = "3306"
	}
	return []Dependency{{Kind: "mysql", Tool: tool, Host: host, Port: port(p), portRaw: p}}
}

func redisDeps(args []string) []Dependency {
	opts, _, _ := getopt(args, "hpsaunrid", false, "user", "pass")
	if u, ok := opts["u"]; ok {
		if d, ok := urlDependency("redis-cli", u); ok && d.Port == 0 {
			d.Port = 6379
			d.Kind = "redis"
			return []Dependency{d}
		} else if ok {
			d.Kind = "redis"
			return []Dependency{d}
		}
	}
	host, ok := opts["h"]
	if !ok {
		host = "127.0.0.1"
	}
	p, ok := opts["p"]
	if !ok {
		p = "6379"
	}
	return []Dependency{{Kind: "redis", Tool: "redis-cli", Host: host, Port: port(p), portRaw: p}}
}
