#!/usr/bin/env bash
# hack/bench.sh — `make bench`: the watch's benchmarks on the local cluster,
# each printed as a ratio against an anchor measured in the same run
# (kubectl get pods -w for latency; an empty namespace for memory; the open
# streams for idle requests). Brings the cluster up if it is not.
set -euo pipefail
cd "$(dirname "$0")/.."
test/cluster/cluster.sh status >/dev/null 2>&1 || test/cluster/cluster.sh up
test/cluster/cluster.sh images
eval "$(test/cluster/cluster.sh env)"
go test -tags e2e -run '^$' -bench "${BENCH:-.}" -benchtime=1x -timeout 30m ./test/e2e/ | tee .cache/bench.txt
