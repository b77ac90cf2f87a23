# kubectl-initwait. The README's two commands are `make demo` and `make test`;
# everything else here is a step of those or a developer convenience.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
PKG     := github.com/kubectl-initwait/kubectl-initwait/plugin/buildinfo
LDFLAGS := -s -w -X $(PKG).version=$(VERSION) -X $(PKG).commit=$(COMMIT) -X $(PKG).date=$(DATE)

.PHONY: all build test test-unit test-e2e demo bench bench-shortener soak cluster-up cluster-down \
        cluster-status images image dist fmt vet clean help

all: build

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## Build bin/kubectl-initwait and bin/shortener.
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/kubectl-initwait ./cmd/kubectl-initwait
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/shortener ./cmd/shortener

test: ## Everything CI runs: deps, vet, unit tests on real PostgreSQL, e2e on the local cluster.
	hack/test.sh

test-unit: ## vet + go test -race ./... against a private PostgreSQL (no cluster).
	hack/test.sh unit

test-e2e: ## End-to-end tests on the local cluster (brings it up if needed).
	hack/test.sh e2e

demo: build ## Deploy the demo stack and stream its timeline.
	hack/demo.sh

bench: ## Plugin benchmarks on the real cluster, as ratios against kubectl.
	hack/bench.sh

bench-shortener: ## Shortener redirects/s and latency against pgbench -S.
	hack/bench-shortener.sh

soak: ## 30-minute watch of crash-looping pods: RSS and goroutine slopes, every line once (SOAK_DURATION=4m for short).
	hack/soak.sh

cluster-up: ## Bring up the local single-node cluster (.cluster/kubeconfig).
	test/cluster/cluster.sh up

cluster-down: ## Stop the local cluster and remove all it created.
	test/cluster/cluster.sh down

cluster-status: ## Show the local cluster's components.
	test/cluster/cluster.sh status

images: ## Build the demo images and push them to the local cluster's registry.
	test/cluster/cluster.sh images

image: ## The shortener image (linux/amd64 + linux/arm64) as an OCI layout in dist/image/.
	hack/image.sh

dist: ## Release archives and dist/krew/initwait.yaml.
	hack/dist.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./... && $(GO) vet -tags e2e ./...

clean:
	rm -rf bin dist
