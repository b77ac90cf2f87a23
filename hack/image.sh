#!/usr/bin/env bash
# hack/image.sh — `make image`: the shortener's container image for linux/amd64 and
# linux/arm64 as one OCI index, written as an OCI image layout (dist/image/) and, with
# IMAGE_PUSH, pushed to a registry. The release workflow publishes it to
# ghcr.io/kubectl-initwait/shortener:<version> with this script; `test/cluster/cluster.sh
# images` runs the same script against the local cluster's registry.
#
# Each platform's image: /shortener (CGO off, static, -trimpath, no build ID), /etc/passwd,
# /etc/group and /tmp, run as uid/gid 65532 (nonroot), no shell. Reproducible: the same
# commit and Go toolchain give the same index digest (fixed file times and owners, sorted
# entries; imagebuild records no time; see test/cluster/imagebuild).
#
# Environment:
#   VERSION       tag of the image; default as hack/dist.sh (the exact v* tag of HEAD,
#                 else v0.0.0-<commit time>-<commit>[.dirty])
#   IMAGE_TAG     full image name (default ghcr.io/kubectl-initwait/shortener:$VERSION)
#   IMAGE_OUT     OCI layout directory to write (default dist/image; replaced)
#   IMAGE_PUSH    registry reference to push to (e.g. the same as IMAGE_TAG); credentials
#                 from the docker config (docker login), skipped if it has that digest
#   IMAGE_PLATFORMS  space-separated (default "linux/amd64 linux/arm64")
#   IMAGEBUILD    a prebuilt test/cluster/imagebuild binary (default: built here)
# The last line printed ends with the index digest.
#
# Why test/cluster/imagebuild and not ko: the local cluster must also make images that are
# not Go programs (busybox, postgres, pause) from layer tarballs, and the release and the
# local cluster are to publish through the same code; ko would be a second publisher, and
# its default base image lives in a registry this project's machines cannot reach.
set -euo pipefail
cd "$(dirname "$0")/.."

platforms=${IMAGE_PLATFORMS:-linux/amd64 linux/arm64}
if [ -z "${IMAGE_TAG:-}" ]; then
  if [ -z "${VERSION:-}" ]; then
    commit=$(git rev-parse HEAD)
    if tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null); then
      VERSION=$tag
    else
      VERSION=v0.0.0-$(TZ=UTC date -d "$(git log -1 --format=%cI HEAD)" +%Y%m%d%H%M%S)-${commit:0:12}
      if ! git diff --quiet HEAD --; then VERSION+=.dirty; fi
    fi
  fi
  IMAGE_TAG=ghcr.io/kubectl-initwait/shortener:$VERSION
fi
out=${IMAGE_OUT:-dist/image}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=${GOFLAGS:--mod=readonly} CGO_ENABLED=0

imagebuild=${IMAGEBUILD:-}
if [ -z "$imagebuild" ]; then
  imagebuild=$work/imagebuild
  GOOS='' GOARCH='' go build -o "$imagebuild" ./test/cluster/imagebuild
fi

# layer DIR OUT: a tarball of DIR with sorted entries, numeric owner 0 unless set, time 0.
layer() {
  tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 --format=gnu -C "$1" -cf "$2" .
}

# The shared layer: users (root, nobody, nonroot 65532) and a writable /tmp.
mkdir -p "$work/base/etc" "$work/base/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$work/base/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$work/base/etc/group"
chmod 755 "$work/base" "$work/base/etc"
chmod 644 "$work/base/etc/passwd" "$work/base/etc/group"
chmod 1777 "$work/base/tmp"
layer "$work/base" "$work/base.tar"

args=(-tag "$IMAGE_TAG" -layer "$work/base.tar" -entrypoint '["/shortener"]' -user 65532:65532 -oci "$out")
for p in $platforms; do
  os=${p%%/*} arch=${p#*/}
  d=$work/$os-$arch
  mkdir -p "$d"
  GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false -ldflags '-s -w -buildid=' -o "$d/shortener" ./cmd/shortener
  chmod 755 "$d" "$d/shortener"
  layer "$d" "$work/$os-$arch.tar"
  args+=(-platform "$p" -layer "$p=$work/$os-$arch.tar")
done
[ -z "${IMAGE_PUSH:-}" ] || args+=(-push "$IMAGE_PUSH")
mkdir -p "$(dirname "$out")"
"$imagebuild" "${args[@]}"
