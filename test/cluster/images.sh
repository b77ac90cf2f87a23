# test/cluster/images.sh — the demo images, built here and pushed to the cluster's registry
# (sourced by cluster.sh), from which containerd pulls them as any node pulls from a
# registry. No docker engine:
#   registry.k8s.io/pause:3.10.1      a static C pause (images/pause.c), uid 65535
#   docker.io/library/busybox:1.37    upstream BusyBox 1.37.0 built as the official image's
#                                     glibc variant (busybox.sh)
#   docker.io/library/postgres:15     Debian bookworm minbase + postgresql-15 via debootstrap,
#                                     with postgres/docker-entrypoint.sh (official contract)
#   ghcr.io/kubectl-initwait/shortener:v0.1.0   hack/image.sh: linux/amd64 + linux/arm64,
#                                     what the release publishes (a dry run of it)
#   ghcr.io/kubectl-initwait/k8s-wait-for:e2e   busybox + kubectl + a wait_for.sh stand-in
# Each layer tarball is cached in $CACHE/images under a key of its inputs; imagebuild/
# (go-containerregistry) assembles and pushes the image. A push is skipped when the registry
# already holds the digest. The pause image is also imported into containerd: the kubelet
# needs it for every pod sandbox, so `up` makes it present before anything runs and it never
# depends on the registry's state.

# shellcheck shell=bash

IMAGES=$CACHE/images
IMAGEBUILD=$CACHE/bin/imagebuild
IMPORTED=$VARLIB/imported # one file per imported image holding the key that was imported
PUSHED=$IMAGES/pushed     # one file per pushed image: "KEY DIGEST"
PG_MAJOR=15
PG_ENV=(-env "PATH=/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  -env PGDATA=/var/lib/postgresql/data -env "PG_MAJOR=$PG_MAJOR" -env LANG=C.UTF-8)
SHORTENER_TAG=ghcr.io/kubectl-initwait/shortener:v0.1.0

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# image_listed TAG: containerd's k8s.io namespace has an image named TAG. (After an import
# the CRI plugin adds a sha256:<id> name, so the listing has several lines.)
image_listed() { ctr_k8s images ls -q | matches -xF -- "$1"; }

# key WORDS...: a short hash of its arguments (file contents are passed as their hashes).
key() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }
filehash() { sha256sum "$@" | cut -c1-16; }

# tar_dir DIR OUT: a layer tarball of DIR's contents, numeric owners, fixed times.
tar_dir() {
  chmod 755 "$1" # the layer's "./" entry becomes the container's / (mktemp -d makes 0700)
  tar --numeric-owner --sort=name --mtime=@0 -C "$1" -cf "$2.tmp" . && mv "$2.tmp" "$2"
}

build_imagebuild() {
  [ -z "${IMAGEBUILD_DONE:-}" ] || return 0
  IMAGEBUILD_DONE=1
  (cd "$REPO" && GOFLAGS='' CGO_ENABLED=0 go build -o "$IMAGEBUILD" ./test/cluster/imagebuild) ||
    die "building test/cluster/imagebuild failed (see above)"
}

# registry_ref TAG: where TAG lives in the local registry. The mirrors keep the repository
# path and drop the upstream host (components.sh), so docker.io/library/busybox:1.37 is
# $REGISTRY/library/busybox:1.37.
registry_ref() { echo "$REGISTRY/${1#*/}"; }

# registry_digest REF: the digest the local registry serves for REF (empty when none).
registry_digest() {
  local ref=${1#*/} repo tag
  repo=${ref%:*} tag=${ref##*:}
  curl -fsSI -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY/v2/$repo/manifests/$tag" 2>/dev/null |
    tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}'
}

# forget_stale TAG DIGEST: containerd's own copy of TAG, when it is not DIGEST (imported by
# an older `images`, or pulled before a rebuild), is removed, so that the next pod pulls the
# pushed image. Running containers keep theirs.
forget_stale() {
  local have
  have=$(ctr_k8s images ls | awk -v t="$1" '$1 == t {print $3}') || die "listing containerd's images failed"
  if [ -n "$have" ] && [ "$have" != "$2" ]; then
    ctr_k8s images rm "$1" >/dev/null && say "removed containerd's stale copy of $1 ($have); pods pull $2"
  fi
  rm -f "$IMPORTED/${3:-}"
}

# publish_image NAME KEY TAG IMAGEBUILD-ARGS...: pushes the image to the local registry
# unless this key's digest is there already, then drops containerd's stale copy of TAG.
publish_image() {
  [ -z "${PREPARE_ONLY:-}" ] || return 0
  local name=$1 k=$2 tag=$3; shift 3
  local dest had_key had_digest line digest
  dest=$(registry_ref "$tag")
  mkdir -p "$PUSHED"
  had_key='' had_digest=''
  if [ -s "$PUSHED/$name" ]; then read -r had_key had_digest <"$PUSHED/$name"; fi
  if [ "$had_key" = "$k" ] && [ -n "$had_digest" ] && [ "$(registry_digest "$dest")" = "$had_digest" ]; then
    say "image $tag is current ($had_digest)"
    digest=$had_digest
  else
    build_imagebuild
    line=$("$IMAGEBUILD" -tag "$tag" -push "$dest" "$@") || die "pushing the $name image to $dest failed"
    say "image $tag: $line"
    digest=${line##* }
    echo "$k $digest" >"$PUSHED/$name"
  fi
  [ "$name" = pause ] || forget_stale "$tag" "$digest" "$name"
}

# import_image NAME KEY TAG IMAGEBUILD-ARGS...: writes the image tarball (if its key is new)
# and imports it (if containerd does not hold this key's image yet). Only for pause.
import_image() {
  local name=$1 k=$2 tag=$3; shift 3
  local tarball=$IMAGES/$name-image-$k.tar
  mkdir -p "$IMAGES" "$IMPORTED"
  if [ "$(cat "$IMPORTED/$name" 2>/dev/null)" = "$k" ] && image_listed "$tag"; then
    say "image $tag is current ($k)"
    return 0
  fi
  if [ ! -s "$tarball" ]; then
    build_imagebuild
    "$IMAGEBUILD" -tag "$tag" -out "$tarball" "$@" >/dev/null || die "writing the $name image failed"
  fi
  local snap
  snap=$(cat "$STATE/snapshotter" 2>/dev/null || echo overlayfs)
  LOG=$STATE/logs/images.log progress "importing $tag" \
    ctr_k8s images import --snapshotter "$snap" "$tarball"
  if ! image_listed "$tag"; then
    tail -n 20 "$STATE/logs/images.log" >&2 || true
    printf 'ctr images ls -q:\n%s\n' "$(ctr_k8s images ls -q 2>&1)" >&2
    die "containerd does not list $tag after the import; see .cluster/logs/images.log and .cluster/logs/containerd.log"
  fi
  echo "$k" >"$IMPORTED/$name"
  # Old tarballs of this image are no use any more.
  find "$IMAGES" -maxdepth 1 -name "$name-image-*.tar" ! -name "$name-image-$k.tar" -delete
}

# pause_args: the pause image's layer (compiled once per source change) and config.
pause_layer() {
  local src=$HERE/images/pause.c dir
  mkdir -p "$IMAGES"
  PAUSE_KEY=$(key v1 "$(filehash "$src")")
  if [ ! -s "$IMAGES/pause-layer-$PAUSE_KEY.tar" ]; then
    dir=$(mktemp -d)
    gcc -static -Os -s -o "$dir/pause" "$src" || die "compiling $src failed (is gcc installed?)"
    tar_dir "$dir" "$IMAGES/pause-layer-$PAUSE_KEY.tar"
    rm -rf "$dir"
  fi
  PAUSE_ARGS=(-layer "$IMAGES/pause-layer-$PAUSE_KEY.tar" -entrypoint '["/pause"]' -user 65535:65535)
}

ensure_pause_image() {
  pause_layer
  import_image pause "$PAUSE_KEY" "$PAUSE_IMAGE" "${PAUSE_ARGS[@]}"
}

# base_files DIR: /etc/passwd, /etc/group and /tmp for the small images.
base_files() {
  mkdir -p "$1/etc" "$1/tmp"
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/false\n' >"$1/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$1/etc/group"
}

# apt_mirror: the Debian mirror this machine's apt uses (deb822 or one-line sources).
apt_mirror() {
  local m
  m=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -v security | awk 'NR == 1') || true # no deb822 file, or only security lines
  [ -n "$m" ] || m=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  echo "${m:-http://deb.debian.org/debian}"
}

shortener_image() {
  if [ ! -d "$REPO/cmd/shortener" ]; then
    warn "no ./cmd/shortener in $REPO yet; skipping the shortener image"
    return 0
  fi
  # The release's own publishing step, pointed at the local registry: both platforms, one
  # index, pushed by imagebuild (skipped when the registry has that digest already).
  local line
  line=$(cd "$REPO" && IMAGEBUILD=$IMAGEBUILD IMAGE_TAG=$SHORTENER_TAG IMAGE_OUT=$IMAGES/shortener-oci \
    IMAGE_PUSH=$(registry_ref "$SHORTENER_TAG") hack/image.sh | tail -n 1) ||
    die "hack/image.sh failed (see above)"
  say "image $SHORTENER_TAG: $line"
  forget_stale "$SHORTENER_TAG" "${line##* }" shortener
}

# k8s_wait_for_image: the e2e tests' stand-in for groundnuty/k8s-wait-for (which cannot be
# pulled here), under a name of its own: busybox_image's layer, then the kubectl built for the
# cluster and images/k8s-wait-for/wait_for.sh (this project's script: the CLI subset the tests use).
K8S_WAIT_FOR_IMAGE=ghcr.io/kubectl-initwait/k8s-wait-for:e2e
k8s_wait_for_image() {
  local k dir script=$HERE/images/k8s-wait-for/wait_for.sh
  [ -n "${BUSYBOX_LAYER:-}" ] || busybox_image
  k=$(key v2 "$BUSYBOX_KEY" "$(filehash "$KUBECTL")" "$(filehash "$script")")
  if [ ! -s "$IMAGES/k8s-wait-for-layer-$k.tar" ]; then
    dir=$(mktemp -d)
    install -D -m 0755 "$KUBECTL" "$dir/usr/local/bin/kubectl"
    install -m 0755 "$script" "$dir/usr/local/bin/wait_for.sh"
    tar_dir "$dir" "$IMAGES/k8s-wait-for-layer-$k.tar"
    rm -rf "$dir"
  fi
  publish_image k8s-wait-for "$k" "$K8S_WAIT_FOR_IMAGE" -layer "$BUSYBOX_LAYER" \
    -layer "$IMAGES/k8s-wait-for-layer-$k.tar" -entrypoint '["wait_for.sh"]' \
    -env PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin -env HOME=/root
}

# cmd_prepare: what up and images build that needs no running cluster (Debian packages,
# the registry and CoreDNS binaries, the image layers, the shortener's Go builds), all
# cached, so that make test can run it beside the Kubernetes build (build-kubernetes).
cmd_prepare() {
  [ "$(id -u)" = 0 ] || die "cluster.sh prepare needs root (it installs packages and runs debootstrap)"
  mkdir -p "$STATE/logs"
  install_packages
  build_coredns
  build_registry
  build_imagebuild
  pause_layer
  PREPARE_ONLY=1
  busybox_image
  postgres_image
  PREPARE_ONLY=
  local out
  out=$(mktemp -d)
  (cd "$REPO" && IMAGEBUILD=$IMAGEBUILD IMAGE_TAG=$SHORTENER_TAG IMAGE_OUT=$out/oci hack/image.sh >/dev/null) ||
    die "hack/image.sh failed (see above)"
  rm -rf "$out"
  say "prepared: packages, registry and CoreDNS binaries, image layers"
}

cmd_images() {
  [ "$(id -u)" = 0 ] || die "cluster.sh images needs root (it talks to the cluster's containerd)"
  alive containerd || die "the cluster's containerd is not running: run test/cluster/cluster.sh up first"
  alive registry || die "the cluster's registry is not running: run test/cluster/cluster.sh up first"
  mkdir -p "$STATE/logs"
  build_imagebuild
  ensure_pause_image
  publish_image pause "$PAUSE_KEY" "$PAUSE_IMAGE" "${PAUSE_ARGS[@]}"
  busybox_image
  shortener_image
  k8s_wait_for_image
  postgres_image
  say "images in the registry at $REGISTRY:"
  curl -fsS "http://$REGISTRY/v2/_catalog" | tr -d '{}[]"' | sed 's/^repositories://' | tr ',' '\n' |
    while read -r repo; do
      [ -n "$repo" ] || continue
      curl -fsS "http://$REGISTRY/v2/$repo/tags/list" | sed -n 's/.*"tags":\[\(.*\)\].*/\1/p' | tr -d '"' | tr ',' '\n' |
        sed "s|^|  $repo:|"
    done
}
