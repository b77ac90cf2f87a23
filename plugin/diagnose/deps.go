package diagnose

import (
	"fmt"
	"net"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Dependency is something an init (or app) container waits for, read from
// its command, args and env.
type Dependency struct {
	// Kind is postgres, mysql, redis, tcp, http, https, dns (the protocol probed).
	Kind string `json:"kind"`
	// Tool is the command that probes it: pg_isready, nc, wget, ...
	Tool string `json:"tool"`
	// Host as the container resolves it: a Service name, FQDN, IP, or
	// "$VAR" when it comes from a variable that could not be read.
	Host string `json:"host"`
	// Port probed; 0 for DNS look-ups or when it could not be read.
	Port int `json:"port,omitempty"`
	// URL for http(s) probes.
	URL string `json:"url,omitempty"`
	// Unresolved names the variables that could not be read, with their source,
	// e.g. `DB_HOST from Secret "db" key "host"`.
	Unresolved []string `json:"unresolved,omitempty"`

	portRaw string // the port as written, to name an unreadable variable
	// missing is true when an unresolved variable's Secret, ConfigMap or key
	// does not exist, false when it only could not be read.
	missing bool
}

// Address is host:port, or host alone for a DNS dependency.
func (d Dependency) Address() string {
	if d.Port == 0 {
		return d.Host
	}
	return net.JoinHostPort(d.Host, strconv.Itoa(d.Port))
}

// ParseDependencies returns what argv (a container's command followed by its
// args, as written in the pod spec) waits for. env is the container's
// environment; $(VAR) is expanded as Kubernetes does, then shell scripts run
// with sh -c are parsed and their $VAR/${VAR} expanded.
func ParseDependencies(argv []string, env Env) []Dependency {
	expanded := make([]string, len(argv))
	for i, a := range argv {
		expanded[i] = ExpandKubernetes(a, env)
	}
	var deps []Dependency
	seen := map[string]bool{}
	for _, cmd := range simpleCommands(expanded, env) {
		for _, d := range commandDependencies(cmd.argv, cmd.env) {
			d = resolveMarkers(d, cmd.env)
			key := d.Tool + " " + d.Kind + " " + d.Address()
			if d.Host == "" || seen[key] {
				continue
			}
			seen[key] = true
			deps = append(deps, d)
		}
	}
	return deps
}

// ContainerArgv is what a container runs as far as the pod spec tells:
// command then args. With no command the image's entrypoint runs, which the
// pod spec does not show: for the shortener image it is /shortener, and
// otherwise args are taken as the command, as entrypoints such as
// docker-entrypoint.sh exec them.
func ContainerArgv(image string, command, args []string) []string {
	argv := append(append([]string{}, command...), args...)
	if len(command) == 0 && strings.Contains(path.Base(image), "shortener") {
		argv = append([]string{"/shortener"}, args...)
	}
	return argv
}

// commandDependencies recognises one simple command.
func commandDependencies(argv []string, env Env) []Dependency {
	base := path.Base(argv[0])
	args := argv[1:]
	switch base {
	case "pg_isready", "psql", "pg_dump":
		return postgresDeps(base, args, env)
	case "nc", "ncat", "netcat", "telnet":
		return ncDeps(base, args)
	case "/dev/tcp", "tcp":
		if argv[0] == "/dev/tcp" && len(args) == 2 {
			return []Dependency{{Kind: "tcp", Tool: "bash /dev/tcp", Host: args[0], Port: port(args[1]), portRaw: args[1]}}
		}
	case "wget", "curl":
		return httpDeps(base, args)
	case "nslookup", "host", "getent", "dig", "drill":
		return dnsDeps(base, args)
	case "mysqladmin", "mysql", "mariadb-admin", "mariadb":
		return mysqlDeps(base, args)
	case "redis-cli":
		return redisDeps(args)
	case "shortener":
		tool := "shortener wait-db"
		if len(args) == 0 || args[0] == "serve" || strings.HasPrefix(args[0], "-") {
			tool = "shortener (serve)" // it dies when the database is not there
		}
		if len(args) == 0 || args[0] == "wait-db" || tool != "shortener wait-db" {
			return []Dependency{{Kind: "postgres", Tool: tool,
				Host: envOr(env, "POSTGRES_HOST", "localhost"), Port: port(envOr(env, "POSTGRES_PORT", "5432")), portRaw: envOr(env, "POSTGRES_PORT", "5432")}}
		}
	}
	return nil
}

// port parses a port number; anything else (a name, an unresolved variable) is 0.
func port(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 65535 {
		return 0
	}
	return n
}

func envOr(env Env, name, def string) string {
	v, ok := env[name]
	switch {
	case !ok:
		return def
	case !v.Resolved:
		return markUnresolved(name)
	}
	return v.Value
}

// resolveMarkers turns the markers of unreadable variables back into $NAME
// and lists where each one's value lives.
func resolveMarkers(d Dependency, env Env) Dependency {
	names := map[string]bool{}
	d.Host = replaceMarkers(d.Host, names)
	d.URL = replaceMarkers(d.URL, names)
	d.portRaw = replaceMarkers(d.portRaw, names)
	if d.Port == 0 && d.portRaw != "" && d.Kind != "dns" && !strings.Contains(d.portRaw, "$") {
		d.Unresolved = append(d.Unresolved, fmt.Sprintf("port %q is not a number", d.portRaw))
	}
	for name := range names {
		d.Unresolved = append(d.Unresolved, describeUnresolved(name, env))
		if env[name].Missing {
			d.missing = true
		}
	}
	sort.Strings(d.Unresolved)
	return d
}

func replaceMarkers(s string, names map[string]bool) string {
	for {
		i := strings.Index(s, unresolvedMark)
		if i < 0 {
			return s
		}
		end := strings.Index(s[i+len(unresolvedMark):], "@@")
		if end < 0 {
			return s
		}
		name := s[i+len(unresolvedMark) : i+len(unresolvedMark)+end]
		names[name] = true
		s = s[:i] + "$" + name + s[i+len(unresolvedMark)+end+2:]
	}
}

func describeUnresolved(name string, env Env) string {
	v, ok := env[name]
	switch {
	case !ok:
		return fmt.Sprintf("%s is not set in the pod spec (maybe in the image)", name)
	case v.Missing:
		return fmt.Sprintf("%s from %s (%s)", name, v.Source, v.Why)
	case v.Source != "" && v.Why != "":
		return fmt.Sprintf("%s from %s (not readable: %s)", name, v.Source, v.Why)
	case v.Source != "":
		return fmt.Sprintf("%s from %s (not readable)", name, v.Source)
	}
	return name + " could not be read"
}
