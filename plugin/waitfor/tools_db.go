package waitfor

import (
	"net"
	"net/url"
	"strings"
)

// The extractors below read one database client's command line into the
// server it connects to, with the client's defaults.

func postgresDeps(c call) []Dependency {
	host, hasHost := c.opts.last("host", "h")
	portText, hasPort := c.opts.last("port", "p")
	conn, hasConn := c.opts.last("dbname", "d")
	if !hasConn && len(c.opts.positional) > 0 && c.tool != "pg_isready" {
		conn, hasConn = c.opts.positional[0], true
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
		host = c.env.valueOr("PGHOST", "")
	}
	if !hasPort {
		portText = c.env.valueOr("PGPORT", "5432")
	}
	if host == "" || strings.HasPrefix(host, "/") {
		host = "local socket"
	}
	var deps []Dependency
	for _, h := range strings.Split(host, ",") {
		deps = append(deps, hostPort(KindPostgres, c.tool, h, portText))
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

// dropPasswords removes mysql's -pPASSWORD and --password[=x], whose value
// is attached or absent (never the next word).
func dropPasswords(args []string) []string {
	var kept []string
	for _, a := range args {
		if (strings.HasPrefix(a, "-p") && a != "-P") || strings.HasPrefix(a, "--password") {
			continue
		}
		kept = append(kept, a)
	}
	return kept
}

func mysqlDeps(c call) []Dependency {
	host, ok := c.opts.last("host", "h")
	if !ok {
		host = c.env.valueOr("MYSQL_HOST", "localhost")
	}
	p, ok := c.opts.last("port", "P")
	if !ok {
		p = c.env.valueOr("MYSQL_TCP_PORT", "3306")
	}
	return []Dependency{hostPort(KindMySQL, c.tool, host, p)}
}

func redisDeps(c call) []Dependency {
	if u, ok := c.opts.last("u"); ok {
		if d, ok := urlDependency(c.tool, u); ok {
			d.Kind = KindRedis
			if d.Port == 0 && d.PortText == "" {
				d.Port, d.PortText = 6379, "6379"
			}
			return []Dependency{d}
		}
	}
	host, ok := c.opts.last("h")
	if !ok {
		host = "127.0.0.1"
	}
	p, ok := c.opts.last("p")
	if !ok {
		p = "6379"
	}
	return []Dependency{hostPort(KindRedis, c.tool, host, p)}
}

// mongoDeps reads --host (host, host:port or replicaSet/h1:p1,h2:p2),
// --port, or a mongodb:// URI given as the first positional word.
func mongoDeps(c call) []Dependency {
	hosts, _ := c.opts.last("host")
	portText, hasPort := c.opts.last("port")
	if hosts == "" {
		for _, p := range c.opts.positional {
			if rest, ok := cutScheme(p, "mongodb://", "mongodb+srv://"); ok {
				if at := strings.LastIndexByte(rest, '@'); at >= 0 {
					rest = rest[at+1:]
				}
				hosts, _, _ = strings.Cut(rest, "/")
				hosts, _, _ = strings.Cut(hosts, "?")
				break
			}
		}
	}
	if _, set, ok := strings.Cut(hosts, "/"); ok {
		hosts = set // replicaSet/h1,h2
	}
	if hosts == "" {
		hosts = "localhost"
	}
	if !hasPort {
		portText = "27017"
	}
	var deps []Dependency
	for _, h := range strings.Split(hosts, ",") {
		host, p := h, portText
		if hh, pp, err := net.SplitHostPort(h); err == nil {
			host, p = hh, pp
		}
		deps = append(deps, hostPort(KindMongoDB, c.tool, host, p))
	}
	return deps
}

func cutScheme(s string, schemes ...string) (string, bool) {
	for _, sc := range schemes {
		if rest, ok := strings.CutPrefix(s, sc); ok {
			return rest, true
		}
	}
	return "", false
}

// rabbitDeps reads the node a RabbitMQ CLI tool talks to (-n rabbit@HOST,
// else the local node): the CLI tools connect to its Erlang distribution
// port, 25672.
func rabbitDeps(c call) []Dependency {
	node, ok := c.opts.last("node", "n")
	if !ok {
		node = c.env.valueOr("RABBITMQ_NODENAME", "rabbit@localhost")
	}
	host := node
	if i := strings.IndexByte(maskMarkers(node), '@'); i >= 0 {
		host = node[i+1:]
	}
	return []Dependency{hostPort(KindRabbitMQ, c.tool, host, "25672")}
}

// shortenerDeps reads the demo's shortener: `wait-db` waits for its
// database, and serving needs it too.
func shortenerDeps(c call) []Dependency {
	args := c.args
	tool := "shortener wait-db"
	if len(args) == 0 || args[0] == "serve" || strings.HasPrefix(args[0], "-") {
		tool = "shortener (serve)" // it dies when the database is not there
	} else if args[0] != "wait-db" {
		return nil
	}
	return []Dependency{hostPort(KindPostgres, tool, c.env.valueOr("POSTGRES_HOST", "localhost"),
		c.env.valueOr("POSTGRES_PORT", "5432"))}
}

// valueOr is the variable's value for a tool that reads it from its
// environment: def when unset, the marker when unreadable.
func (e *shellEnv) valueOr(name, def string) string {
	v, ok := e.vars[name]
	switch {
	case !ok:
		return def
	case !v.Resolved:
		return markUnresolved(name)
	}
	return v.Value
}

// maskMarkers hides the markers of s behind as many '#', so that a
// separator search does not find the marker's own characters.
func maskMarkers(s string) string {
	b := []byte(s)
	for i := 0; ; {
		j := strings.Index(s[i:], unresolvedMark)
		if j < 0 {
			return string(b)
		}
		start := i + j
		end := strings.Index(s[start+len(unresolvedMark):], "@@")
		if end < 0 {
			return string(b)
		}
		stop := start + len(unresolvedMark) + end + 2
		for k := start; k < stop; k++ {
			b[k] = '#'
		}
		i = stop
	}
}
