package waitfor

import (
	"strings"
	"testing"
)

// corpusEntry is an init container's command as found in a public chart,
// script or document; Helm placeholders are rendered with sample values
// (release "demo", namespace "demo").
type corpusEntry struct {
	name    string
	in      Input
	scripts map[string]string
	volumes []Volume
	want    []string
	tools   []string // when set, the tools the command runs
}

func podNS(in Input) Input { in.Namespace = "demo"; return in }

var corpus = []corpusEntry{
	// kubernetes.io docs, concepts/workloads/pods/init-containers (kubernetes/website, content/en/docs/concepts/workloads/pods/init-containers.md).
	{name: "kubernetes docs nslookup", in: podNS(Input{Image: "busybox:1.28", Command: sh("until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done")}),
		want: []string{"dns nslookup myservice.demo.svc.cluster.local"}, tools: []string{"sh", "nslookup", "cat", "sleep"}},
	// kwkaiser/homelab-application, templates/helpers.tpl ("waitFor").
	{name: "homelab nslookup", in: Input{Image: "busybox", Command: sh("until nslookup redis.default.svc.cluster.local; do echo waiting for redis; sleep 5; done;")},
		want: []string{"dns nslookup redis.default.svc.cluster.local"}},
	// google/osdfir-infrastructure, charts/osdfir-infrastructure/charts/openrelik/templates/_initContainer.tpl.
	{name: "openrelik two lookups", in: Input{Command: []string{"sh", "-c"}, Args: []string{"# Wait for Postgres\nuntil nslookup demo-openrelik-postgres; do echo waiting for Postgres; sleep 30; done\necho \"Postgres service is discoverable.\"\n\n# Wait for Redis\nuntil nslookup demo-openrelik-redis; do echo waiting for Redis; sleep 30; done\necho \"Redis service is discoverable.\"\n"}},
		want: []string{"dns nslookup demo-openrelik-postgres", "dns nslookup demo-openrelik-redis"}},
	// renzoqamao/training-k8s, initContainers/initContainers.md (host and port from env).
	{name: "training nc with env", in: Input{Image: "busybox:1.36", Command: []string{"sh", "-c"}, Args: []string{"set -eu; echo \"Esperando DB $DB_HOST:$DB_PORT...\"; until nc -z \"$DB_HOST\" \"$DB_PORT\"; do echo \"aún no disponible...\"; sleep 2; done; echo \"DB lista Ok\";\n"},
		Env: Env{"DB_HOST": {Value: "dev-psql-hl-svc.ns-postgresql.svc.cluster.local", Resolved: true}, "DB_PORT": {Value: "5432", Resolved: true}}},
		want: []string{"tcp nc dev-psql-hl-svc.ns-postgresql.svc.cluster.local:5432"}},
	// PostHog/charts-clickhouse, charts/posthog/templates/_snippet-initContainers-wait-for-service-dependencies.tpl (nc version).
	{name: "posthog nc in subshells", in: podNS(Input{Image: "busybox:1.34", Command: []string{"/bin/sh", "-c", "until (nc -vz \"posthog-clickhouse.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local\" 8123);\ndo\n    echo \"waiting for ClickHouse\"; sleep 1;\ndone\n\nuntil (nc -vz \"posthog-pgbouncer.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local\" 6543);\ndo\n    echo \"waiting for PgBouncer\"; sleep 1;\ndone\n"}}),
		want: []string{"tcp nc posthog-clickhouse.demo.svc.cluster.local:8123", "tcp nc posthog-pgbouncer.demo.svc.cluster.local:6543"}},
	// PostHog/charts-clickhouse, same file (wget version, credentials from a Secret).
	{name: "posthog wget with credentials", in: podNS(Input{Command: []string{"/bin/sh", "-c", "until (\n    wget -qO- \\\n        \"http://$CLICKHOUSE_USER:$CLICKHOUSE_PASSWORD@posthog-clickhouse.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local:8123\" \\\n        --post-data \"SELECT count() FROM clusterAllReplicas('posthog', system, one)\"\n);\ndo\n    echo \"waiting for ClickHouse cluster to become available\"; sleep 1;\ndone\n"},
		Env: Env{"CLICKHOUSE_USER": {Value: "admin", Resolved: true}, "CLICKHOUSE_PASSWORD": {Source: `Secret "demo-posthog" key "clickhouse-password"`}}}),
		want: []string{"http wget posthog-clickhouse.demo.svc.cluster.local:8123"}},
	// IBM/charts, components/ug/charts/gov-user-prefs-service-chart/templates/_wait-services.tpl ("wait-services"; the volume kind is an example).
	{name: "ibm file wait with sh -c --", in: Input{Command: []string{"sh", "-c", "--"}, Args: []string{"sleep 60; while [ ! -f /tmp/jwtkey.cer ]; do sleep 2; done;"}},
		volumes: []Volume{{Name: "secrets-pv-volume", Kind: "persistentVolumeClaim", MountPath: "/tmp"}},
		want:    []string{"file [ -f ] /tmp/jwtkey.cer on persistentVolumeClaim secrets-pv-volume"}},
	// IBM/charts, same file ("wait-xmeta": nc in backticks).
	{name: "ibm nc in backticks", in: Input{Command: []string{"sh", "-c", "--"}, Args: []string{"xmeta_status=1;\n while [ $xmeta_status != 0  ];\n do sleep 2;\n xmeta_status=`nc is-xmetadocker 50000 < /dev/null; echo $?`;\n done;"}},
		want: []string{"tcp nc is-xmetadocker:50000"}},
	// selton-caylent-greenphire/cc-copy, charts/clincard/subcharts/taxablereport/templates/_deployment_initcontainers.yaml.tpl.
	{name: "clincard curl --fail", in: Input{Image: "alpine/curl", Command: sh("until curl --fail --connect-timeout 5 http://configsvc.demo:8080/swagger.json; do sleep 2; done")},
		want: []string{"http curl configsvc.demo:8080"}},
	// elixierco/elixier, helm/elixier-old/templates/_helpers/wait-createdb.tpl (kubectl image, args only).
	{name: "elixier kubectl wait job", in: Input{Image: "bitnami/kubectl:1.29", Args: []string{"wait", "job/demo-elixier-pgsql-createdb", "--for=condition=complete", "--timeout=300s"}},
		want: []string{"k8s kubectl wait job/demo-elixier-pgsql-createdb for condition=complete"}},
	// elixierco/elixier, helm/elixier/templates/_helpers/minio-wait.tpl.
	{name: "elixier kubectl wait pod", in: Input{Image: "bitnami/kubectl:1.29", Args: []string{"wait", "pod", "demo-elixier-minio-0", "--for=condition=containersready", "--timeout=300s"}},
		want: []string{"k8s kubectl wait pod/demo-elixier-minio-0 for condition=containersready"}},
	// groundnuty/k8s-wait-for, README.md (example StatefulSet).
	{name: "k8s-wait-for job", in: Input{Image: "groundnuty/k8s-wait-for:v1.3", Args: []string{"job", "develop-onezone-ready-check"}},
		want: []string{"k8s k8s-wait-for job/develop-onezone-ready-check for complete"}, tools: []string{"wait_for.sh"}},
	// groundnuty/k8s-wait-for, README.md (example StatefulSet).
	{name: "k8s-wait-for pods by label", in: Input{Image: "groundnuty/k8s-wait-for:v1.3", Args: []string{"pod", "-lapp=develop-volume-ceph-krakow"}},
		want: []string{"k8s k8s-wait-for pod/ -l app=develop-volume-ceph-krakow for ready"}},
	// groundnuty/k8s-wait-for, README.md (wait_for.sh -h).
	{name: "k8s-wait-for job-wr", in: Input{Command: []string{"wait_for.sh", "job-wr", "develop-volume-s3-krakow-init"}},
		want: []string{"k8s k8s-wait-for job/develop-volume-s3-krakow-init for one pod succeeded"}},
	// EraYaN/k8s-wait-for-multi, README.md (argument formats).
	{name: "k8s-wait-for-multi", in: Input{Image: "erayan/k8s-wait-for-multi:v1", Args: []string{"default,job,migrate", "service,api", "web-0"}},
		want: []string{"k8s k8s-wait-for-multi job/migrate -n default for complete", "k8s k8s-wait-for-multi service/api for ready", "k8s k8s-wait-for-multi pod/web-0 for ready"}},
	// jwilder/dockerize, README.md ("Waiting for other dependencies", "Timeout").
	{name: "dockerize two waits", in: Input{Command: []string{"dockerize", "-wait", "tcp://db:5432", "-wait", "http://web:80", "-timeout", "10s"}},
		want: []string{"tcp dockerize db:5432", "http dockerize web:80"}},
	// jwilder/dockerize, README.md (nginx example: the command run after the wait).
	{name: "dockerize then nginx", in: Input{Command: strings.Fields("dockerize -template /etc/nginx/nginx.tmpl:/etc/nginx/nginx.conf -stdout /var/log/nginx/access.log -stderr /var/log/nginx/error.log -wait tcp://web:8000 nginx")},
		want: []string{"tcp dockerize web:8000"}, tools: []string{"dockerize", "nginx"}},
	// Dagasma/In-Book, keycloak/entrypoint.sh.
	{name: "wait-for-it then keycloak", in: Input{Command: []string{"/usr/bin/env", "bash", "-c", "/wait-for-it.sh vault:8200 -t 0 -- /opt/keycloak/bin/kc.sh start --optimized --import-realm"}},
		want: []string{"tcp wait-for-it.sh vault:8200"}, tools: []string{"/usr/bin/env", "bash", "/wait-for-it.sh", "/opt/keycloak/bin/kc.sh"}},
	// uselagoon/lagoon, services/keycloak/wait-for-mariadb.sh (mounted from a ConfigMap here).
	{name: "lagoon nc in a command substitution", in: Input{Command: []string{"/scripts/wait-for-mariadb.sh"}},
		scripts: map[string]string{"/scripts/wait-for-mariadb.sh": "#!/bin/sh\n\nset -eo pipefail\n\necho \"Waiting until mariadb is ready \"\nuntil $(nc -zv keycloak-db 3306); do\n    printf '.'\n    sleep 1\ndone\n"},
		want:    []string{"tcp nc keycloak-db:3306"}},
	// niiicolai/ai-editor, docs_service/wait_for_dependencies.sh (defaults for unset variables).
	{name: "mongosh with defaults", in: Input{Command: []string{"sh", "/app/wait_for_dependencies.sh"}},
		scripts: map[string]string{"/app/wait_for_dependencies.sh": "#!/bin/sh\n\nMONGO_HOST=${MONGO_HOST:-\"mongodb\"}\nMONGO_PORT=${MONGO_PORT:-\"27017\"}\n\nuntil mongosh --host \"$MONGO_HOST\" --port \"$MONGO_PORT\" --eval \"db.adminCommand('ping')\" >/dev/null 2>&1; do\n    echo \"Waiting for MongoDB to be ready...\"\n    sleep 2\ndone\necho \"MongoDB is ready!\"\n"},
		want:    []string{"mongodb mongosh mongodb:27017"}},
	// ericminio/learning-nosql, MongoDB/wait/wait.sh (the mongosh command it runs).
	{name: "mongosh ping", in: Input{Command: sh(`until mongosh --host mongodb --eval "db.runCommand({ping:1})" | grep "ok"; do sleep 1; done`)},
		want: []string{"mongodb mongosh mongodb:27017"}},
	// CatalystCode/faceanalysis, app/wait-for-dependencies.sh (then exec "$@").
	{name: "mysqladmin then exec args", in: Input{Command: []string{"/app/wait-for-dependencies.sh", "python", "app.py"}, Env: Env{"MYSQL_HOST": {Value: "mysql", Resolved: true}}},
		scripts: map[string]string{"/app/wait-for-dependencies.sh": "#!/usr/bin/env bash\n\nwhile ! mysqladmin ping -h\"$MYSQL_HOST\" --silent; do\n  sleep 1\ndone\n\nexec \"$@\"\n"},
		want:    []string{"mysql mysqladmin mysql:3306"}, tools: []string{"/app/wait-for-dependencies.sh", "mysqladmin", "sleep", "python"}},
	// getCompass/onpremise, php_monolith/src/Compass/Userbot/wait-services.sh.
	{name: "mariadb-admin ping", in: Input{Command: sh("iteration_count=0\ntimeout=100\n\nwhile ! mariadb-admin ping -h \"${MYSQL_HOST}\" -P \"${MYSQL_PORT}\" --silent --skip-ssl; do\n    sleep 1\n    iteration_count=$((iteration_count+1))\n    if [ $iteration_count -gt $timeout ]; then\n      exit 1\n    fi\ndone\n"),
		Env: Env{"MYSQL_HOST": {Value: "mysql", Resolved: true}, "MYSQL_PORT": {Value: "3306", Resolved: true}}},
		want: []string{"mysql mariadb-admin mysql:3306"}},
	// OurRootsOrg/cms-server, rabbitmq/wait-for-rabbitmq.sh (port from $1, bash /dev/tcp under timeout).
	{name: "rabbitmq /dev/tcp with $1", in: Input{Command: []string{"bash", "/scripts/wait-for-rabbitmq.sh", "5673"}},
		scripts: map[string]string{"/scripts/wait-for-rabbitmq.sh": "#!/bin/bash\n# Use this script to wait for rabbitmq to really be ready\nport=${1:-5672} # can override port from command line\nset -e\nuntil timeout 1 bash -c \"cat < /dev/null > /dev/tcp/localhost/${port}\"; do\n  >&2 echo \"Rabbit MQ not up yet on localhost:${port}\"\n  sleep 1\ndone\n\necho \"Rabbit MQ is up\"\n"},
		want:    []string{"tcp bash /dev/tcp localhost:5673"}},
	// panubo/bash-container, functions/wait_rabbitmq.sh (a function with local defaults; the call is ours).
	{name: "function with local defaults", in: Input{Command: []string{"bash", "-c", "source /functions/wait_rabbitmq.sh; wait_rabbitmq rabbitmq"}},
		scripts: map[string]string{"/functions/wait_rabbitmq.sh": "\nfunction wait_rabbitmq {\n    local host=${1:-'localhost'}\n    local port=${2:-'5672'}\n    local timeout=${3:-30}\n    echo -n \"Connecting to RabbitMQ at ${host}:${port}...\"\n    for (( i=0;; i++ )); do\n        if [ ${i} -eq ${timeout} ]; then\n            exit 99\n        fi\n        sleep 1\n        (exec 3<>/dev/tcp/${host}/${port}) &>/dev/null && break\n        echo -n \".\"\n    done\n}\n"},
		want:    []string{"tcp bash /dev/tcp rabbitmq:5672"}},
	// minixxie/k8s-services, scripts/k8s-wait-deployment.sh.
	{name: "kubectl rollout status and wait -l", in: Input{Command: []string{"bash", "/scripts/k8s-wait-deployment.sh"}, Env: Env{"NS": {Value: "apps", Resolved: true}, "DEPLOYMENT": {Value: "api", Resolved: true}}},
		scripts: map[string]string{"/scripts/k8s-wait-deployment.sh": "#!/bin/bash\n\nset +e;\nwhile : ; do \\\n\tsleep 1; \\\n\tkubectl -n $NS get deployment \"$DEPLOYMENT\" > /dev/null; \\\n\t[[ $? -ne 0 ]] || break; \\\ndone; \\\nkubectl -n $NS rollout status --watch --timeout=10m deployment \"$DEPLOYMENT\"\n\nlabels=$(kubectl -n $NS describe deployment $DEPLOYMENT | grep Selector: | awk '{print $NF}')\nkubectl -n $NS wait --for condition=ready --timeout=10m pod -l \"$labels\"\n"},
		want:    []string{"k8s kubectl get deployment/api -n apps for exists", "k8s kubectl rollout status deployment/api -n apps for rollout", "k8s kubectl wait pod/ -l $(…) -n apps for condition=ready"}},
	// TIC3001-AY2425S2/peerprep-g01, matching-service/wait-for-rabbitmq.sh.
	{name: "while ! nc", in: Input{Command: []string{"/wait-for-rabbitmq.sh", "node", "index.js"}},
		scripts: map[string]string{"/wait-for-rabbitmq.sh": "#!/bin/sh\nwhile ! nc -z rabbitmq 5672; do\n  echo \"Waiting for RabbitMQ to be ready...\"\n  sleep 1\ndone\necho \"RabbitMQ is ready!\"\nexec \"$@\" "},
		want:    []string{"tcp nc rabbitmq:5672"}},
	// phpguru/dockerfiles-1, artisan-schedule/entrypoint.sh (file test inside a while true loop).
	{name: "file flag in a loop", in: Input{Command: []string{"/entrypoint.sh"}, Env: Env{"CONFIGURE_KUBERNETES": {Value: "1", Resolved: true}}},
		scripts: map[string]string{"/entrypoint.sh": "#!/bin/sh\nset -e\n\nif [ ! -z \"$CONFIGURE_KUBERNETES\" ]; then\n  while true; do\n    if [ -f \"/app/.initialized\" ]; then\n      touch /app/.kubernetes-configured\n      break;\n    fi\n\n    sleep 1;\n  done\nfi\n\nexec \"$@\"\n"},
		volumes: []Volume{{Name: "app", Kind: "emptyDir", MountPath: "/app"}},
		want:    []string{"file [ -f ] /app/.initialized on emptyDir app"}},
	// vishaltak/gitlab-compose-kit, dockerfiles/scripts/entrypoint/gitlab-rails-exec.sh (for i in $(seq ..) and [[ -f ]]).
	{name: "seq loop with [[ -f ]]", in: Input{Command: []string{"bash", "-c", "echo -n \"Waiting for gitlab-rails env\"\n\nfor i in $(seq 1 1000); do\n  if [[ -f /tmp/gitlab-rails-env-started ]]; then\n    break\n  fi\n\n  echo -n \".\"\n  sleep 1s\ndone\necho \" Done\"\n"}},
		want: []string{"file [[ -f ]] /tmp/gitlab-rails-env-started"}},
	// truecharts/public, charts/library/common/templates/lib/dependencies/_postgresInit.tpl.
	{name: "truecharts pg_isready", in: Input{Command: []string{"sh", "-c", "until pg_isready -U postgres -h demo-postgresql; do sleep 2 ; done"}},
		want: []string{"postgres pg_isready demo-postgresql:5432"}},
}

// TestCorpus: commands of public charts and scripts give the dependencies a
// reader of the chart would name.
func TestCorpus(t *testing.T) {
	if len(corpus) < 25 {
		t.Fatalf("the corpus has %d entries, want at least 25", len(corpus))
	}
	for _, tt := range corpus {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if tt.scripts != nil || tt.volumes != nil {
				in.Files = fakeFiles{scripts: tt.scripts, volumes: tt.volumes}
			}
			r := Parse(in)
			if got := depStrings(r); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("dependencies\n got %q\nwant %q\nnotes %q", got, tt.want, r.Notes)
			}
			if tt.tools != nil && strings.Join(r.Tools, " ") != strings.Join(tt.tools, " ") {
				t.Errorf("tools %q, want %q", r.Tools, tt.tools)
			}
		})
	}
}
