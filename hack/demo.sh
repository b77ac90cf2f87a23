#!/usr/bin/env bash
# hack/demo.sh — what `make demo` runs (after `make build`): deploy the demo stack
# with both webapps and the database 30 s late, and stream the timeline, so that
# webapp (init container: Init:0/1, no restarts) and webapp-naive (Error,
# CrashLoopBackOff, restarts) are seen side by side until both turn Running.
#
# Cluster: the one KUBECONFIG (or ~/.kube/config) points at, if it answers within
# a few seconds; otherwise the project's local cluster (test/cluster/cluster.sh up),
# whose images are then built and imported (test/cluster/cluster.sh images).
#
#   DEMO_NAMESPACE  namespace (default initwait-demo)
#   DEMO_ARGS       extra arguments for `kubectl initwait up` (e.g. "--db-delay 60s")
set -euo pipefail
cd "$(dirname "$0")/.."
ns=${DEMO_NAMESPACE:-initwait-demo}
plugin=bin/kubectl-initwait
say() { printf '==> %s\n' "$*" >&2; }

[ -x "$plugin" ] || { say "building the plugin"; make --no-print-directory build; }

# find_kubectl: KUBECTL, else kubectl on PATH, else the local cluster's own build.
find_kubectl() {
  if [ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ]; then echo "$KUBECTL"; return; fi
  if command -v kubectl >/dev/null 2>&1; then command -v kubectl; return; fi
  eval "$(test/cluster/cluster.sh env)"
  [ -x "$KUBECTL" ] && echo "$KUBECTL"
}

# answers: the cluster of the current KUBECONFIG replies to /readyz within 5 s.
answers() {
  local k
  k=$(find_kubectl) || return 1
  "$k" --request-timeout=5s get --raw /readyz >/dev/null 2>&1
}

local_cluster=
if [ -z "${KUBECONFIG:-}" ] && [ -s "$HOME/.kube/config" ]; then export KUBECONFIG=$HOME/.kube/config; fi
if [ -n "${KUBECONFIG:-}" ] && answers; then
  say "using the cluster in KUBECONFIG=$KUBECONFIG ($("$(find_kubectl)" config current-context 2>/dev/null || echo '?'))"
  case ":$KUBECONFIG:" in *":$PWD/.cluster/kubeconfig:"*) local_cluster=1 ;; esac
else
  [ -n "${KUBECONFIG:-}" ] && say "no answer from the cluster in KUBECONFIG=$KUBECONFIG"
  say "bringing up the local cluster (test/cluster/cluster.sh up)"
  test/cluster/cluster.sh up
  export KUBECONFIG=$PWD/.cluster/kubeconfig
  local_cluster=1
fi

if [ -n "$local_cluster" ]; then
  say "building and importing the demo images (test/cluster/cluster.sh images)"
  test/cluster/cluster.sh images
else
  say "note: that cluster must be able to pull ghcr.io/kubectl-initwait/shortener:v0.1.0 and docker.io/library/postgres:15"
fi

say "starting afresh: removing an earlier demo stack from namespace $ns, if any"
"$plugin" down -n "$ns" >/dev/null

say "kubectl initwait up --variant both --db later -n $ns ${DEMO_ARGS:-}"
say "(webapp waits in Init:0/1, webapp-naive crash-loops, until the database arrives after --db-delay, 30s by default)"
# shellcheck disable=SC2086 # DEMO_ARGS is a list of words
"$plugin" up --variant both --db later -n "$ns" ${DEMO_ARGS:-}
say "done. Explore: $plugin watch webapp -n $ns, $plugin diagnose webapp -n $ns"
say "clean up:  $plugin down -n $ns --delete-namespace"
