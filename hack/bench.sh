#!/usr/bin/env bash
# hack/bench.sh — `make bench`: the watch's benchmarks on the local cluster,
# each printed as a ratio against an anchor measured in the same run
# (kubectl get pods -w for latency; an empty namespace for memory; the open
# streams for idle requests), and the scan `diagnose -A` over 1,000 pods stuck in Init in 50
# namespaces (bound to a Node object without kubelet, statuses written through the status
# subresource) against k8sgpt's published 30 s for ~30 findings. Brings the cluster up if it is not.
set -euo pipefail
cd "$(dirname "$0")/.."
test/cluster/cluster.sh status >/dev/null 2>&1 || test/cluster/cluster.sh up
test/cluster/cluster.sh images
eval "$(test/cluster/cluster.sh env)"
go test -tags e2e -run '^$' -bench "${BENCH:-.}" -benchtime=1x -timeout 30m ./test/e2e/ | tee .cache/bench.txt
