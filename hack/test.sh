#!/usr/bin/env bash
# hack/test.sh [all|unit|e2e] — what `make test` runs, and what CI runs through .ci/run.
#
#   unit: go vet, then go test -race ./... with a private PostgreSQL started by
#         hack/with-postgres.sh (installed from Debian's packages if missing).
#   e2e:  brings up the local cluster if it is not up (test/cluster/cluster.sh),
#         builds and imports the images, runs the e2e-tagged tests against it,
#         then stops the cluster again if this script started it.
#   all:  unit, then e2e, then the distribution checks (krew manifest).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
export GOFLAGS=${GOFLAGS:--mod=mod}

step() { printf '\n==> %s\n' "$*"; }

unit() {
  step "go mod tidy -diff"
  # GOFLAGS=-mod=mod lets the go command rewrite go.mod during a run; a stale one must fail
  # here rather than leave the checkout (and the version stamp of the binaries) dirty.
  go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; exit 1; }
  step "go vet"
  go vet ./...
  go vet -tags e2e ./...
  step "gofmt"
  bad=$(gofmt -l $(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go') 2>/dev/null || true)
  if [ -n "$bad" ]; then echo "gofmt would change: $bad" >&2; exit 1; fi
  step "go test -race ./... (private PostgreSQL)"
  INITWAIT_REQUIRE_DB=1 hack/with-postgres.sh go test -race -count=1 ./...
}

e2e() {
  started=
  if ! test/cluster/cluster.sh status >/dev/null 2>&1; then
    started=1
  fi
  # Stop what we started, also on failure (set KEEP_CLUSTER=1 to keep it).
  # When bringing the cluster up or importing images fails, the tails of the cluster's logs
  # go to the console: CI shows nothing else. (A failing e2e test prints its own lines.)
  phase=setup
  cleanup() {
    local rc=$? f
    if [ "$rc" != 0 ] && [ "$phase" = setup ] && [ -d .cluster/logs ]; then
      for f in .cluster/logs/*.log; do
        printf '\n--- last lines of %s\n' "$f" >&2
        tail -n 8 "$f" | cut -c1-300 >&2
      done
    fi
    if [ -n "$started" ] && [ -z "${KEEP_CLUSTER:-}" ]; then test/cluster/cluster.sh down || true; fi
  }
  trap cleanup EXIT
  step "cluster up"
  test/cluster/cluster.sh up
  step "images"
  test/cluster/cluster.sh images
  step "chromium (the chart test opens compare's HTML in it, headless)"
  if ! command -v chromium >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  step "e2e tests"
  phase=tests
  KUBECONFIG=$PWD/.cluster/kubeconfig INITWAIT_REQUIRE_CLUSTER=1 \
    go test -race -count=1 -tags e2e -timeout 45m -v ./test/e2e/... 2>&1 | tee .cache/e2e.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic|\s+\S+_test.go)' || true
  grep -qE '^(FAIL|panic)' .cache/e2e.log && { echo "e2e failed: see .cache/e2e.log" >&2; exit 1; }
  grep -qE '^ok ' .cache/e2e.log || { echo "e2e ran no package: see .cache/e2e.log" >&2; exit 1; }
}

dist() {
  if [ -x hack/krew-check.sh ]; then
    step "krew manifest: validate and install with krew"
    hack/krew-check.sh
  fi
}

mkdir -p .cache
case "$mode" in
  unit) unit ;;
  e2e) e2e ;;
  all) unit; e2e; dist ;;
  *) echo "usage: hack/test.sh [all|unit|e2e]" >&2; exit 2 ;;
esac
