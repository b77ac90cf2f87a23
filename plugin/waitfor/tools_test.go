package waitfor

import (
	"strings"
	"testing"
)

// TestRecognisers covers each recogniser of the table and the ways
// positional parameters reach a script.
func TestRecognisers(t *testing.T) {
	env := Env{"PG": {Value: "pg.db", Resolved: true}, "NODE": {Source: `ConfigMap "mq" key "node"`, Missing: true, Why: `ConfigMap "mq" does not exist`}}
	tests := []struct {
		name string
		argv []string
		want []string
	}{
		{"sh -c SCRIPT -- ARG", []string{"sh", "-c", `until pg_isready -h "$1"; do sleep 1; done`, "--", "postgres"}, []string{"postgres pg_isready postgres:5432"}},
		{"sh -c SCRIPT NAME ARGS with $@", []string{"sh", "-c", `for h in "$@"; do until nc -z $h 80; do sleep 1; done; done`, "wait", "a", "b"},
			[]string{"tcp nc a:80", "tcp nc b:80"}},
		{"for without in", []string{"sh", "-c", `for h; do getent hosts $h; done`, "sh", "x"}, []string{"dns getent x"}},
		{"$1 not given", sh(`until nc -z "$1" 80; do sleep 1; done`), []string{"tcp nc $1:80 [$1 is not set: the script is run without argument 1]"}},
		{"shift", []string{"sh", "-c", `shift; nc -z $1 80`, "sh", "a", "b"}, []string{"tcp nc b:80"}},
		{"set --", sh(`set -- db 5432; nc -z $1 $2`), []string{"tcp nc db:5432"}},
		{"kubernetes $(VAR) in args", []string{"pg_isready", "-h", "$(PG)"}, []string{"postgres pg_isready pg.db:5432"}},
		{"bash -euo pipefail -c", []string{"bash", "-euo", "pipefail", "-c", "nc -z db 1"}, []string{"tcp nc db:1"}},
		{"redis-cli -u", []string{"redis-cli", "-u", "redis://:pw@cache:6380/0", "ping"}, []string{"redis redis-cli cache:6380"}},
		{"redis-cli ping", sh("until redis-cli -h redis-master ping | grep PONG; do sleep 1; done"), []string{"redis redis-cli redis-master:6379"}},
		{"mongosh URI", []string{"mongosh", "mongodb://u:p@mongo-0.mongo:27018,mongo-1.mongo/admin?replicaSet=rs0", "--eval", "db.runCommand({ping:1})"},
			[]string{"mongodb mongosh mongo-0.mongo:27018", "mongodb mongosh mongo-1.mongo:27017"}},
		{"mongo --host replica set", []string{"mongo", "--host", "rs0/m1:27017,m2:27017", "--eval", "1"}, []string{"mongodb mongo m1:27017", "mongodb mongo m2:27017"}},
		{"rabbitmq-diagnostics -n", []string{"rabbitmq-diagnostics", "-q", "-n", "rabbit@rabbitmq-0.rabbitmq-headless", "check_port_connectivity"},
			[]string{"rabbitmq rabbitmq-diagnostics rabbitmq-0.rabbitmq-headless:25672"}},
		{"rabbitmq-diagnostics local node", []string{"rabbitmq-diagnostics", "check_port_connectivity"}, []string{"rabbitmq rabbitmq-diagnostics localhost:25672"}},
		{"rabbitmq node from missing ConfigMap", []string{"rabbitmq-diagnostics", "-n", "$(NODE)", "ping"},
			[]string{`rabbitmq rabbitmq-diagnostics $NODE:25672 [NODE from ConfigMap "mq" key "node" (ConfigMap "mq" does not exist)]`}},
		{"wait-for-it -h -p", []string{"wait-for-it", "-h", "db", "-p", "5432", "-t", "60", "--strict", "--", "echo", "up"}, []string{"tcp wait-for-it db:5432"}},
		{"wait-for-it from variables", sh("wait-for-it $H:$P"), []string{"tcp wait-for-it $H [H is not set in the pod spec (maybe in the image); P is not set in the pod spec (maybe in the image)]"}},
		{"wait-for http", []string{"wait-for", "http://api:8080/health", "--timeout=5"}, []string{"http wait-for api:8080"}},
		{"dockerize file and unix", []string{"dockerize", "-wait", "file:///run/ready", "-wait=unix:///var/run/docker.sock"},
			[]string{"file dockerize /run/ready", "file dockerize /var/run/docker.sock"}},
		{"kubectl wait selector", []string{"kubectl", "wait", "--for=condition=Ready", "pod", "-l", "app=db", "-n", "data", "--timeout=5m"},
			[]string{"k8s kubectl wait pod/ -l app=db -n data for condition=Ready"}},
		{"kubectl wait several", []string{"kubectl", "wait", "--for=condition=complete", "job/a", "job/b"},
			[]string{"k8s kubectl wait job/a for condition=complete", "k8s kubectl wait job/b for condition=complete"}},
		{"kubectl rollout status", []string{"kubectl", "rollout", "status", "deploy", "api", "--timeout=120s"}, []string{"k8s kubectl rollout status deployment/api for rollout"}},
		{"kubectl other subcommand", []string{"kubectl", "get", "pods"}, nil},
		{"kubectl get in a loop", sh("until kubectl get job migrate -n data -o jsonpath='{.status.succeeded}' | grep -q 1; do sleep 2; done"),
			[]string{"k8s kubectl get job/migrate -n data"}},
		{"kubectl get -w in a loop", sh("while ! kubectl get svc/db -w --request-timeout=5s; do sleep 1; done"), []string{"k8s kubectl get service/db for exists"}},
		{"k8s-wait-for service -n", []string{"wait_for.sh", "service", "cluedin-gql", "-n", "cluedin"}, []string{"k8s k8s-wait-for service/cluedin-gql -n cluedin for ready"}},
		{"curl -f", sh("until curl -f http://keycloak:8080/health/ready; do sleep 5; done"), []string{"http curl keycloak:8080"}},
		{"timeout wrapping a loop", []string{"timeout", "300", "sh", "-c", "until nc -z db 5432; do sleep 1; done"}, []string{"tcp nc db:5432"}},
		{"test -e outside a loop is no wait", sh("[ -e /etc/config ] && . /etc/config; nc -z db 1"), []string{"tcp nc db:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := depStrings(Parse(Input{Command: tt.argv, Env: env}))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Parse(%q)\n got %q\nwant %q", tt.argv, got, tt.want)
			}
		})
	}
}

// TestURLPasswordRedacted: a password never reaches a dependency, even when
// the user name comes from a variable.
func TestURLPasswordRedacted(t *testing.T) {
	env := Env{"U": {Source: `Secret "s" key "u"`}, "P": {Value: "s3cret", Resolved: true}}
	for _, script := range []string{"wget -q http://$U:$P@api:8080/ready", "curl http://user:$P@api/", "dockerize -wait http://u:$P@api:80/"} {
		for _, d := range Parse(Input{Command: sh(script), Env: env}).Dependencies {
			if strings.Contains(d.URL, "s3cret") || !strings.Contains(d.URL, ":xxxxx@") {
				t.Errorf("%s: URL %q", script, d.URL)
			}
		}
	}
}
