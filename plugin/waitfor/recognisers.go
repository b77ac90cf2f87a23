package waitfor

import "strings"

// call is one simple command as a recogniser sees it.
type call struct {
	// tool is the command's name without its directory (pg_isready).
	tool string
	// args are the arguments as given (after prepare).
	args []string
	opts options
	env  *shellEnv
}

// recogniser reads the dependencies of the tools it names.
type recogniser struct {
	tools []string
	flags flagSpec
	// prepare, when set, rewrites the arguments before parsing (to drop
	// options getopt cannot read, such as mysql's -pPASSWORD).
	prepare func(args []string) []string
	// extract reads the dependencies from the parsed command line.
	extract func(c call) []Dependency
	// runs is true for wait helpers that run the command after "--" (or
	// their first positional word, with flags.stop) once the wait is over.
	runs bool
}

// recognisers is the table of tools: name → how options are parsed → how
// the dependency is read.
var recognisers = []recogniser{
	{tools: []string{"pg_isready", "psql", "pg_dump"},
		flags: flagSpec{short: "hpdUtcfvoLTFRPS", long: []string{"host", "port", "dbname", "username", "timeout",
			"command", "file", "variable", "set", "output", "log-file"}},
		extract: postgresDeps},
	{tools: []string{"nc", "ncat", "netcat", "telnet"},
		flags: flagSpec{short: "wiqspxXWOITeVMmc", long: []string{"wait", "source", "source-port", "proxy",
			"proxy-type", "exec", "sh-exec", "idle-timeout"}},
		extract: ncDeps},
	{tools: []string{"curl"},
		flags: flagSpec{short: "oXHduAemwxTFbcEKryYzCDQtPa", long: []string{"output", "request", "header", "data",
			"data-raw", "data-binary", "data-urlencode", "user", "user-agent", "max-time", "connect-timeout", "retry",
			"retry-delay", "retry-max-time", "write-out", "proxy", "cacert", "cert", "key", "form", "cookie", "referer",
			"resolve", "url", "connect-to", "interface", "unix-socket", "output-dir", "config", "dump-header",
			"upload-file", "range"}},
		extract: httpDeps},
	{tools: []string{"wget"},
		flags: flagSpec{short: "OoTtwYeUPaiBl", long: []string{"output-document", "output-file", "tries", "timeout",
			"wait", "user", "password", "header", "user-agent", "post-data", "method", "directory-prefix",
			"input-file", "append-output"}},
		extract: httpDeps},
	{tools: []string{"nslookup", "dig", "drill"}, flags: flagSpec{short: "tcpbfkqyx"}, extract: dnsDeps},
	{tools: []string{"host"}, flags: flagSpec{short: "tcWRmN"}, extract: dnsDeps},
	{tools: []string{"getent"}, extract: getentDeps},
	{tools: []string{"mysqladmin", "mysql", "mariadb-admin", "mariadb"},
		flags:   flagSpec{short: "hPuDeS", long: []string{"host", "port", "user", "database", "execute", "socket", "connect-timeout"}},
		prepare: dropPasswords, extract: mysqlDeps},
	{tools: []string{"redis-cli"}, flags: flagSpec{short: "hpsaunrid", long: []string{"user", "pass"}}, extract: redisDeps},
	{tools: []string{"mongosh", "mongo"},
		flags: flagSpec{short: "upf", long: []string{"host", "port", "eval", "username", "password",
			"authenticationDatabase", "authenticationMechanism", "file", "tlsCAFile", "tlsCertificateKeyFile"}},
		extract: mongoDeps},
	{tools: []string{"rabbitmq-diagnostics", "rabbitmqctl", "rabbitmq-queues", "rabbitmq-upgrade"},
		flags: flagSpec{short: "nlt", long: []string{"node", "longnames", "timeout", "erlang-cookie"}}, extract: rabbitDeps},
	{tools: []string{"wait-for-it", "wait-for-it.sh", "wait-for", "wait-for.sh"},
		flags: flagSpec{short: "hpt", long: []string{"host", "port", "timeout"}}, extract: waitForItDeps, runs: true},
	{tools: []string{"dockerize"},
		flags: flagSpec{single: true, stop: true, long: []string{"wait", "timeout", "template", "stdout", "stderr",
			"delims", "wait-http-header", "wait-retry-interval", "env", "env-section", "poll"}},
		extract: dockerizeDeps, runs: true},
	{tools: []string{"wait_for.sh", "k8s-wait-for"}, flags: flagSpec{short: "ln"}, extract: k8sWaitForDeps},
	{tools: []string{"k8s-wait-for-multi", "k8s-wait-for-multi.exe"}, flags: flagSpec{short: "n", long: []string{"namespace"}},
		extract: k8sWaitForMultiDeps},
	{tools: []string{"kubectl", "oc"},
		flags: flagSpec{short: "nlfosc", long: []string{"namespace", "selector", "for", "timeout", "context",
			"kubeconfig", "output", "filename", "revision", "server", "cluster", "user", "token", "field-selector",
			"template", "as", "request-timeout"}},
		extract: kubectlDeps},
	{tools: []string{"shortener"}, extract: shortenerDeps},
	{tools: []string{"/dev/tcp"}, extract: devTCPDeps},
}

var byTool = func() map[string]*recogniser {
	m := map[string]*recogniser{}
	for i := range recognisers {
		for _, t := range recognisers[i].tools {
			m[t] = &recognisers[i]
		}
	}
	return m
}()

// recognise reads one simple command (wrappers already removed). next is the
// command a wait helper runs after its wait, if any.
func recognise(argv []string, env *shellEnv) (deps []Dependency, next []string) {
	tool := argv[0]
	if tool != "/dev/tcp" {
		tool = tool[strings.LastIndexByte(tool, '/')+1:]
	}
	r, ok := byTool[tool]
	if !ok {
		return nil, nil
	}
	args := argv[1:]
	if r.prepare != nil {
		args = r.prepare(args)
	}
	c := call{tool: tool, args: args, opts: r.flags.parse(args), env: env}
	deps = r.extract(c)
	if r.runs {
		next = c.opts.rest
	}
	return deps, next
}
