# test/cluster/components.sh — configuration and start of each daemon (sourced by cluster.sh).
#
# Every daemon runs in the background through `start` (lib.sh): PID in .cluster/pids,
# output in .cluster/logs/NAME.log. Addresses: the registry, etcd, controller-manager,
# scheduler, kube-proxy's and kubelet's health ports on 127.0.0.1; the apiserver, kubelet and the
# cluster DNS on the bridge address $BRIDGE_IP. Nothing listens on other interfaces.

# shellcheck shell=bash

# put FILE: writes stdin to FILE only when it differs, so a re-run of `up` does not touch the
# files of running daemons.
put() {
  local tmp=$1.new
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

# start_registry: the CNCF distribution registry on $REGISTRY (loopback only), storage in
# $REGISTRY_DATA so that pushed images outlive `down` like the build cache. containerd pulls
# every image from it (registry_mirrors); `images` pushes them.
start_registry() {
  mkdir -p "$REGISTRY_DATA"
  [ -s "$STATE/registry-secret" ] || openssl rand -hex 16 >"$STATE/registry-secret"
  put "$STATE/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog: {disabled: false}
storage:
  filesystem: {rootdirectory: $REGISTRY_DATA}
  delete: {enabled: true}
http:
  addr: $REGISTRY
  secret: $(cat "$STATE/registry-secret")
EOF
  start registry "$REGISTRY_BIN" serve "$STATE/registry.yml"
  wait_until 30 "the registry at $REGISTRY" registry curl -fsS "http://$REGISTRY/v2/"
}

# registry_mirrors: containerd's hosts.toml for each upstream registry the demo's images
# name. `server` is the local registry too, so a pull never falls back to the real one.
# A mirror keeps the repository path: docker.io/library/busybox:1.37 is
# http://$REGISTRY/v2/library/busybox/manifests/1.37, registry.k8s.io/pause is .../v2/pause/...
registry_mirrors() {
  local up
  for up in "${MIRRORED[@]}"; do
    mkdir -p "$STATE/certs.d/$up"
    put "$STATE/certs.d/$up/hosts.toml" <<EOF
# $up is served by the local cluster's registry only (test/cluster/components.sh).
server = "http://$REGISTRY"

[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF
  done
}

start_containerd() {
  local snap=$1
  mkdir -p "$VARLIB/containerd" "$RUNDIR/containerd" "$RUNC_ROOT" "$STATE/cni"
  registry_mirrors
  put "$STATE/cni/10-initwait.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "initwait",
  "plugins": [{
    "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
    "ipam": {
      "type": "host-local", "dataDir": "$RUNDIR/ipam",
      "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$BRIDGE_IP"}]],
      "routes": [{"dst": "0.0.0.0/0"}]
    }
  }]
}
EOF
  # restrict_oom_score_adj: this machine's capability set lacks CAP_SYS_RESOURCE, so runc
  # cannot lower oom_score_adj below the current value as the kubelet asks for sandboxes.
  put "$STATE/containerd.toml" <<EOF
version = 2
root = "$VARLIB/containerd"
state = "$RUNDIR/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$VARLIB/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "$snap"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$RUNC_ROOT"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$STATE/certs.d"
EOF
  echo "$snap" >"$STATE/snapshotter"
  # The proxy address refuses connections: an image of a registry that is not mirrored to the
  # local one fails to pull at once (ErrImagePull) rather than reaching out. (Go never sends
  # loopback addresses, such as the local registry's, through a proxy.)
  start containerd env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
    containerd --config "$STATE/containerd.toml"
  wait_until 60 "containerd's socket" containerd ctr --address "$CONTAINERD_SOCK" version
}

start_etcd() {
  mkdir -p "$STATE/etcd"
  chmod 700 "$STATE/etcd"
  start etcd etcd --name initwait --data-dir "$STATE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster initwait=http://127.0.0.1:2380 --logger zap --log-level warn
  wait_until 60 "etcd to answer" etcd curl -fsS http://127.0.0.1:2379/health
}

# --watch-cache=false: with Debian's etcd 3.4.23, whose progress notifications the apiserver
# cannot rely on, the watch cache lags behind etcd and watches that start "now" fail with
# "Too large resource version" (504) until the next write; without the cache, watches and
# lists go to etcd directly, which is plenty for one node.
start_apiserver() {
  local p=$STATE/pki
  start kube-apiserver "$K8S_BIN/kube-apiserver" \
    --advertise-address="$BRIDGE_IP" --bind-address="$BRIDGE_IP" --secure-port=6443 \
    --etcd-servers=http://127.0.0.1:2379 \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --client-ca-file="$p/ca.crt" --tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" \
    --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
    --kubelet-client-certificate="$p/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$p/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$p/ca.crt" \
    --kubelet-preferred-address-types=InternalIP \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true --profiling=false --v=1 \
    --watch-cache=false
  wait_until 120 "kube-apiserver /readyz" kube-apiserver kc get --raw /readyz
}

start_controller_manager() {
  local p=$STATE/pki k=$STATE/controller-manager.kubeconfig
  start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig="$k" --authentication-kubeconfig="$k" --authorization-kubeconfig="$k" \
    --bind-address=127.0.0.1 --secure-port=10257 --leader-elect=false \
    --use-service-account-credentials=true --service-account-private-key-file="$p/sa.key" \
    --root-ca-file="$p/ca.crt" --cluster-signing-cert-file="$p/ca.crt" --cluster-signing-key-file="$p/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --cluster-name=initwait --profiling=false --v=1
}

start_scheduler() {
  local k=$STATE/scheduler.kubeconfig
  start kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig="$k" --authentication-kubeconfig="$k" --authorization-kubeconfig="$k" \
    --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --profiling=false --v=1
}

start_kubelet() {
  mkdir -p "$VARLIB/kubelet" "$VARLIB/pod-logs"
  # Pods' resolv.conf gets only the cluster DNS: the file the kubelet would copy upstream
  # servers from names none.
  echo "# no upstream resolver: pods use only the cluster DNS ($DNS_IP)" | put "$STATE/resolv.conf"
  put "$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: $BRIDGE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
clusterDNS: [$DNS_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: $STATE/resolv.conf
podLogsDir: $VARLIB/pod-logs
volumePluginDir: $VARLIB/volume-plugins
tlsCertFile: $STATE/pki/kubelet.crt
tlsPrivateKeyFile: $STATE/pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $STATE/pki/ca.crt}
authorization: {mode: Webhook}
failSwapOn: false
# Imported images cannot be pulled again: never garbage-collect them, never evict for disk.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%}
serializeImagePulls: false
EOF
  start kubelet "$K8S_BIN/kubelet" --config="$STATE/kubelet.yaml" \
    --kubeconfig="$STATE/kubelet.kubeconfig" --root-dir="$VARLIB/kubelet" \
    --hostname-override="$NODE_NAME" --node-ip="$BRIDGE_IP" --v=1
}

start_kube_proxy() {
  local before
  before=$(cat "$STATE/kube-proxy.yaml" 2>/dev/null || true)
  put "$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $STATE/kube-proxy.kubeconfig}
mode: iptables
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
bindAddress: $BRIDGE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$BRIDGE_IP/32"]
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  # A running kube-proxy keeps the configuration it started with: restart it on a change.
  if [ -n "$before" ] && [ "$before" != "$(cat "$STATE/kube-proxy.yaml")" ] && alive kube-proxy; then
    say "kube-proxy's configuration changed; restarting it"
    stop kube-proxy
  fi
  start kube-proxy "$K8S_BIN/kube-proxy" --config="$STATE/kube-proxy.yaml" --v=1
}

# start_coredns: the cluster DNS as a host process on $BRIDGE_IP:53, reached through the
# kube-system/kube-dns Service at $DNS_IP (addons.yaml routes it here). cluster.local is
# served from the API; every other name is NXDOMAIN (no forwarder, nothing leaves).
start_coredns() {
  put "$STATE/Corefile" <<EOF
$CLUSTER_DOMAIN:53 in-addr.arpa:53 ip6.arpa:53 {
    bind $BRIDGE_IP
    errors
    ready 127.0.0.1:8181
    kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
        kubeconfig $STATE/coredns.kubeconfig initwait
        pods insecure
        ttl 5
        fallthrough in-addr.arpa ip6.arpa
    }
    template ANY ANY in-addr.arpa ip6.arpa {
        rcode NXDOMAIN
    }
}
.:53 {
    bind $BRIDGE_IP
    errors
    template ANY ANY {
        rcode NXDOMAIN
    }
}
EOF
  start coredns "$COREDNS_BIN" -conf "$STATE/Corefile"
}
