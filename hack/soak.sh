#!/usr/bin/env bash
# hack/soak.sh — `make soak`: a long watch of a churning namespace on the local cluster
# (hack/soak/main.go): 20 pods whose init containers exit 1 every 10 s plus a Deployment
# rolled every minute, watched with -l for SOAK_DURATION (default 30m). Prints the plugin's
# RSS and goroutine count each minute, their slopes, and checks every line was printed once.
#
# Environment: SOAK_DURATION (a Go duration, default 30m), SOAK_PODS (default 20),
# KUBECONFIG (default: the local cluster's .cluster/kubeconfig). Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--mod=mod}
if [ -z "${KUBECONFIG:-}" ]; then
  owner=$(cat /run/kubectl-initwait/owner 2>/dev/null || echo "$PWD/.cluster")
  export KUBECONFIG=$owner/kubeconfig
fi
[ -s "$KUBECONFIG" ] || { echo "error: soak: no cluster ($KUBECONFIG missing): run make cluster-up" >&2; exit 1; }
${MAKE:-make} --no-print-directory build >/dev/null
go run ./hack/soak -duration "${SOAK_DURATION:-30m}" -pods "${SOAK_PODS:-20}" -plugin bin/kubectl-initwait
