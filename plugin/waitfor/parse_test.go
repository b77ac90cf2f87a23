package waitfor

import (
	"strings"
	"testing"
)

func sh(script string) []string { return []string{"sh", "-c", script} }

// depString is a compact dependency: "kind tool address [unresolved]".
func depString(d Dependency) string {
	s := d.Kind + " " + d.Tool + " "
	switch d.Kind {
	case KindFile:
		s += d.Path
		if d.Volume != nil {
			s += " on " + d.Volume.Kind + " " + d.Volume.Name
		}
	case KindObject:
		o := d.Object
		s += o.Kind + "/" + o.Name
		if o.Selector != "" {
			s += " -l " + o.Selector
		}
		if o.Namespace != "" {
			s += " -n " + o.Namespace
		}
		if o.Condition != "" {
			s += " for " + o.Condition
		}
	default:
		s += d.Address()
	}
	if len(d.Unresolved) > 0 {
		s += " [" + strings.Join(d.Unresolved, "; ") + "]"
	}
	return s
}

func depStrings(r Result) []string {
	var got []string
	for _, d := range r.Dependencies {
		got = append(got, depString(d))
	}
	return got
}

// TestParse is the regression suite carried over from diagnose's own parser.
func TestParse(t *testing.T) {
	env := Env{
		"DB_HOST":       {Value: "postgres.demo.svc.cluster.local", Resolved: true},
		"DB_PORT":       {Value: "6543", Resolved: true},
		"POSTGRES_HOST": {Value: "postgres", Resolved: true},
		"SECRET_HOST":   {Source: `Secret "db" key "host"`},
		"EMPTY":         {Value: "", Resolved: true},
		"API":           {Value: "http://api:8080/healthz", Resolved: true},
	}
	tests := []struct {
		name string
		argv []string
		env  Env
		want []string
	}{
		{"pg_isready until loop", sh("until pg_isready -h postgres -p 5432; do echo waiting for database; sleep 2; done"), nil,
			[]string{"postgres pg_isready postgres:5432"}},
		{"pg_isready attached values", []string{"pg_isready", "-hpostgres", "-p5433"}, nil,
			[]string{"postgres pg_isready postgres:5433"}},
		{"pg_isready long options", []string{"pg_isready", "--host=db.demo", "--port", "5432", "-U", "app", "-q"}, nil,
			[]string{"postgres pg_isready db.demo:5432"}},
		{"pg_isready default port", []string{"/usr/bin/pg_isready", "-h", "pg"}, nil,
			[]string{"postgres pg_isready pg:5432"}},
		{"pg_isready conninfo", []string{"pg_isready", "-d", "host=pg-primary port=6000 dbname=app"}, nil,
			[]string{"postgres pg_isready pg-primary:6000"}},
		{"pg_isready URI", []string{"pg_isready", "-d", "postgresql://app:pw@pg.db.svc:5433/app"}, nil,
			[]string{"postgres pg_isready pg.db.svc:5433"}},
		{"pg_isready local socket", []string{"pg_isready"}, nil,
			[]string{"postgres pg_isready local socket:5432"}},
		{"pg_isready PGHOST env", []string{"pg_isready"}, Env{"PGHOST": {Value: "pg", Resolved: true}, "PGPORT": {Value: "5444", Resolved: true}},
			[]string{"postgres pg_isready pg:5444"}},
		{"kubernetes $(VAR) expansion", []string{"sh", "-c", "until pg_isready -h $(DB_HOST) -p $(DB_PORT); do sleep 1; done"}, nil,
			[]string{"postgres pg_isready postgres.demo.svc.cluster.local:6543"}},
		{"shell $VAR and ${VAR}", sh(`while ! pg_isready -h "$DB_HOST" -p ${DB_PORT}; do sleep 1; done`), nil,
			[]string{"postgres pg_isready postgres.demo.svc.cluster.local:6543"}},
		{"default for unset var", sh(`until nc -z ${REDIS_HOST:-redis} ${REDIS_PORT:-6379}; do sleep 1; done`), nil,
			[]string{"tcp nc redis:6379"}},
		{"default for empty var", sh(`nc -z ${EMPTY:-fallback} 80`), nil, []string{"tcp nc fallback:80"}},
		{"unresolved secret var", sh(`until pg_isready -h $SECRET_HOST; do sleep 2; done`), nil,
			[]string{`postgres pg_isready $SECRET_HOST:5432 [SECRET_HOST from Secret "db" key "host" (not readable)]`}},
		{"unresolved kubernetes var", []string{"pg_isready", "-h", "$(SECRET_HOST)"}, nil,
			[]string{`postgres pg_isready $SECRET_HOST:5432 [SECRET_HOST from Secret "db" key "host" (not readable)]`}},
		{"unset var", sh(`nc -z $NOPE 5432`), nil,
			[]string{`tcp nc $NOPE:5432 [NOPE is not set in the pod spec (maybe in the image)]`}},
		{"undefined kubernetes var kept", []string{"nc", "-z", "$(NOPE)", "80"}, nil,
			[]string{`tcp nc $(NOPE):80`}},
		{"escaped kubernetes dollar", []string{"sh", "-c", "nc -z $$(echo db) 80"}, nil, []string{`tcp nc $(…):80`}},
		{"nc -z", sh("until nc -z mysql 3306; do echo waiting for mysql; sleep 2; done;"), nil, []string{"tcp nc mysql:3306"}},
		{"nc -zv -w", []string{"nc", "-zv", "-w", "1", "rabbitmq.queue.svc", "5672"}, nil, []string{"tcp nc rabbitmq.queue.svc:5672"}},
		{"nc -w1 attached", sh("until nc -z -w1 kafka 9092 </dev/null; do sleep 1; done"), nil, []string{"tcp nc kafka:9092"}},
		{"busybox nc without -z", sh("until echo | nc postgres 5432; do sleep 2; done"), nil, []string{"tcp nc postgres:5432"}},
		{"nc listen ignored", []string{"nc", "-l", "-p", "8080"}, nil, nil},
		{"ncat", []string{"ncat", "--wait", "2", "-z", "es", "9200"}, nil, []string{"tcp ncat es:9200"}},
		{"telnet", sh("until telnet db 5432; do sleep 1; done"), nil, []string{"tcp telnet db:5432"}},
		{"bash /dev/tcp", []string{"bash", "-c", "until (echo > /dev/tcp/postgres/5432) >/dev/null 2>&1; do sleep 1; done"}, nil,
			[]string{"tcp bash /dev/tcp postgres:5432"}},
		{"bash /dev/tcp with vars", []string{"/bin/bash", "-ec", "until </dev/tcp/$DB_HOST/$DB_PORT; do sleep 1; done"}, nil,
			[]string{"tcp bash /dev/tcp postgres.demo.svc.cluster.local:6543"}},
		{"wget spider", sh("until wget -q --spider http://api.demo.svc:8080/healthz; do sleep 2; done"), nil,
			[]string{"http wget api.demo.svc:8080"}},
		{"wget -O- with timeout", []string{"wget", "-T", "2", "-O", "/dev/null", "http://backend/ready"}, nil, []string{"http wget backend:80"}},
		{"wget no scheme", []string{"wget", "-qO-", "config-server:8888/actuator/health"}, nil, []string{"http wget config-server:8888"}},
		{"curl https default port", sh("until curl -fsS https://vault.vault.svc/v1/sys/health; do sleep 5; done"), nil,
			[]string{"https curl vault.vault.svc:443"}},
		{"curl with options", []string{"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", "http://keycloak:8080/realms/master"}, nil,
			[]string{"http curl keycloak:8080"}},
		{"curl --url and header", []string{"curl", "-H", "Accept: application/json", "--url", "http://minio:9000/minio/health/live"}, nil,
			[]string{"http curl minio:9000"}},
		{"curl from env", sh(`until curl -sf "$API"; do sleep 1; done`), nil, []string{"http curl api:8080"}},
		{"curl ipv6", []string{"curl", "http://[fd00::1]:8080/"}, nil, []string{"http curl [fd00::1]:8080"}},
		{"nslookup", sh("until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done"), nil,
			[]string{"dns nslookup myservice.$(…).svc.cluster.local"}},
		{"nslookup plain", []string{"nslookup", "mydb"}, nil, []string{"dns nslookup mydb"}},
		{"nslookup with server", []string{"nslookup", "-type=A", "kube-dns.kube-system", "10.96.0.10"}, nil, []string{"dns nslookup kube-dns.kube-system"}},
		{"getent hosts", sh("until getent hosts redis-master; do sleep 1; done"), nil, []string{"dns getent redis-master"}},
		{"getent ahostsv4", []string{"getent", "ahostsv4", "db"}, nil, []string{"dns getent db"}},
		{"host", []string{"host", "-t", "A", "cache.demo.svc.cluster.local."}, nil, []string{"dns host cache.demo.svc.cluster.local"}},
		{"dig +short", sh("until dig +short @10.96.0.10 A etcd-0.etcd; do sleep 1; done"), nil, []string{"dns dig etcd-0.etcd"}},
		{"and chain", sh("nc -z db 5432 && nc -z cache 6379"), nil, []string{"tcp nc db:5432", "tcp nc cache:6379"}},
		{"semicolon and or chain", sh("pg_isready -h a; pg_isready -h b || exit 1"), nil,
			[]string{"postgres pg_isready a:5432", "postgres pg_isready b:5432"}},
		{"for loop over services", sh("for s in a b; do until nc -z db 1; do sleep 1; done; done"), nil, []string{"tcp nc db:1"}},
		{"for loop variable", sh("for svc in postgres:5432 redis:6379; do until nc -z ${svc%:*} ${svc#*:}; do sleep 1; done; done"), nil,
			[]string{"tcp nc postgres:5432", "tcp nc redis:6379"}},
		{"for loop hosts", sh(`for h in db cache; do until getent hosts "$h"; do sleep 1; done; done`), nil,
			[]string{"dns getent db", "dns getent cache"}},
		{"timeout wrapper", []string{"timeout", "60", "sh", "-c", "until pg_isready -h pg; do sleep 1; done"}, nil,
			[]string{"postgres pg_isready pg:5432"}},
		{"timeout with signal", sh("timeout -s KILL 5 nc -z db 5432"), nil, []string{"tcp nc db:5432"}},
		{"busybox timeout -t", sh("timeout -t 5 nc db 5432"), nil, []string{"tcp nc db:5432"}},
		{"env wrapper assigns", []string{"env", "PGHOST=pgx", "pg_isready"}, nil, []string{"postgres pg_isready pgx:5432"}},
		{"prefix assignment", sh("PGHOST=pgy pg_isready -p 5"), nil, []string{"postgres pg_isready pgy:5"}},
		{"script variable", sh("HOST=db-rw\nexport PORT=5432\nuntil nc -z $HOST $PORT; do sleep 1; done"), nil,
			[]string{"tcp nc db-rw:5432"}},
		{"busybox applet", []string{"/bin/busybox", "nc", "db", "5432"}, nil, []string{"tcp nc db:5432"}},
		{"exec", sh("exec pg_isready -h pg -t 3"), nil, []string{"postgres pg_isready pg:5432"}},
		{"nested sh -c", []string{"sh", "-c", `sh -c "until nc -z inner 81; do sleep 1; done"`}, nil, []string{"tcp nc inner:81"}},
		{"negated while", sh("while ! nc -z db 5432; do sleep 1; done"), nil, []string{"tcp nc db:5432"}},
		{"if condition", sh("if ! nc -z db 5432; then exit 1; fi"), nil, []string{"tcp nc db:5432"}},
		{"command substitution", sh(`until [ "$(curl -s -o /dev/null -w '%{http_code}' http://api:80/)" = 200 ]; do sleep 1; done`), nil,
			[]string{"http curl api:80"}},
		{"sh -ec", []string{"/bin/sh", "-ec", "pg_isready -h pg"}, nil, []string{"postgres pg_isready pg:5432"}},
		{"sh script file is unknown", []string{"sh", "/scripts/wait.sh"}, nil, nil},
		{"psql", sh(`until psql -h pg -U postgres -c '\q'; do sleep 1; done`), nil, []string{"postgres psql pg:5432"}},
		{"psql URI positional", []string{"psql", "postgres://u@pghost:5555/db", "-c", "select 1"}, nil, []string{"postgres psql pghost:5555"}},
		{"mysqladmin", sh("until mysqladmin ping -h mysql -P 3307 -uroot -psecret --silent; do sleep 2; done"), nil,
			[]string{"mysql mysqladmin mysql:3307"}},
		{"mysql default port", []string{"mysql", "--host=mariadb", "-e", "select 1"}, nil, []string{"mysql mysql mariadb:3306"}},
		{"redis-cli", sh("until redis-cli -h redis -p 6380 ping; do sleep 1; done"), nil, []string{"redis redis-cli redis:6380"}},
		{"shortener wait-db", []string{"/shortener", "wait-db", "--interval", "200ms"}, Env{"POSTGRES_HOST": {Value: "postgres", Resolved: true}, "POSTGRES_PORT": {Value: "5432", Resolved: true}},
			[]string{"postgres shortener wait-db postgres:5432"}},
		{"shortener wait-db from secret", []string{"/shortener", "wait-db"}, Env{"POSTGRES_HOST": {Source: `Secret "db" key "host"`}},
			[]string{`postgres shortener wait-db $POSTGRES_HOST:5432 [POSTGRES_HOST from Secret "db" key "host" (not readable)]`}},
		{"shortener serve", []string{"/shortener", "--listen", ":8080"}, Env{"POSTGRES_HOST": {Value: "db", Resolved: true}},
			[]string{"postgres shortener (serve) db:5432"}},
		{"shortener defaults", []string{"shortener"}, Env{}, []string{"postgres shortener (serve) localhost:5432"}},
		{"shortener other subcommand", []string{"shortener", "version"}, nil, nil},
		{"duplicates merged", sh("nc -z db 5432; nc -z db 5432"), nil, []string{"tcp nc db:5432"}},
		{"non-numeric port", []string{"nc", "-z", "db", "postgresql"}, nil, []string{`tcp nc db [port "postgresql" is not a number]`}},
		{"unrelated command", sh("echo hello; sleep 10"), nil, nil},
		{"syntax error", sh("until nc -z db 5432; do"), nil, nil},
		{"empty", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env
			if tt.env != nil {
				e = tt.env
			}
			got := depStrings(Parse(Input{Command: tt.argv, Env: e}))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Parse(%q)\n got %q\nwant %q", tt.argv, got, tt.want)
			}
		})
	}
}
