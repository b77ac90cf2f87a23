# test/cluster/network.sh — host checks, the bridge, sysctls and the egress firewall (sourced).
#
# Network rules (hard): nothing leaves this machine. Pods sit on our bridge ($BRIDGE,
# $POD_CIDR); a DROP rule in the mangle table's FORWARD chain (which runs before any filter
# rule kube-proxy or the CNI plugin add) drops every packet from the pod CIDR that would
# leave through any interface but the bridge — except packets to the Service CIDR. Those go
# on to the filter table, where kube-proxy REJECTs connections to a Service without ready
# endpoints (as on any cluster: refused at once, not a silent connect timeout; pg_isready
# would otherwise spend its 3 s timeout on every try), and a DROP rule appended after
# kube-proxy's jumps catches the rest (an unallocated ClusterIP is routed nowhere but out).
# Both rules carry the comment kubectl-initwait-egress. Components bind to the bridge address or
# loopback only, and containerd's registry client goes through a proxy address that refuses
# (see components.sh), so an image missing locally fails fast instead of being pulled.

# shellcheck shell=bash

EGRESS_COMMENT=kubectl-initwait-egress
EGRESS_RULE=(-s "$POD_CIDR" ! -d "$SERVICE_CIDR" ! -o "$BRIDGE" -m comment --comment "$EGRESS_COMMENT" -j DROP)
SERVICE_EGRESS_RULE=(-s "$POD_CIDR" -d "$SERVICE_CIDR" ! -o "$BRIDGE" -m comment --comment "$EGRESS_COMMENT" -j DROP)

# preflight: root, kernel features, ports; clear messages saying what to do.
preflight() {
  [ "$(id -u)" = 0 ] || die "the local cluster needs root (it runs containerd, kubelet and changes iptables): run as root"
  [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
    die "no cgroup filesystem at /sys/fs/cgroup: the kubelet needs cgroups (v1 or v2) mounted there"
  if [ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
    modprobe br_netfilter 2>/dev/null || true
    [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] ||
      die "kernel feature missing: br_netfilter (needed so Service traffic between pods on the bridge passes iptables); load it with 'modprobe br_netfilter'"
  fi
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
  local port busy=()
  for port in 5000 2379 2380 6443 10248 10249 10250 10256 10257 10259 8181 8182; do
    if ss -Hltn "sport = :$port" | matches .; then busy+=("$port"); fi
  done
  if ss -Hlun "sport = :53" | matches -E "(0\.0\.0\.0|\*|$BRIDGE_IP):53\b"; then busy+=(53/udp); fi
  if ((${#busy[@]})); then
    ss -Hltnp | grep -E ":($(IFS='|'; echo "${busy[*]}"))\b" >&2 || true
    die "ports in use: ${busy[*]} (listed above); stop whatever holds them (an earlier cluster from another checkout: run its test/cluster/cluster.sh down), then re-run up"
  fi
}

# snapshotter: overlayfs when the kernel can mount it on $VARLIB's filesystem, else native.
snapshotter() {
  local d=$VARLIB/.overlay-probe ok=native
  mkdir -p "$d"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null; then
    umount "$d/m"
    ok=overlayfs
  fi
  rm -rf "$d"
  echo "$ok"
}

# sysctls: forwarding and bridge netfilter on; the values before are kept for `down`.
setup_sysctls() {
  mkdir -p "$RUNDIR"
  local k f
  for k in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables; do
    f=/proc/sys/${k//.//}
    [ -e "$f" ] || continue
    grep -q "^$k=" "$RUNDIR/sysctl.orig" 2>/dev/null || echo "$k=$(cat "$f")" >>"$RUNDIR/sysctl.orig"
    echo 1 >"$f"
  done
}

restore_sysctls() {
  [ -f "$RUNDIR/sysctl.orig" ] || return 0
  local line
  while IFS= read -r line; do
    echo "${line#*=}" >"/proc/sys/$(tr . / <<<"${line%%=*}")" 2>/dev/null || true
  done <"$RUNDIR/sysctl.orig"
  rm -f "$RUNDIR/sysctl.orig"
}

setup_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$BRIDGE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # The egress rule goes first in mangle FORWARD, the Service-CIDR one last in filter
  # FORWARD (kube-proxy inserts its jumps at the top); each added once.
  iptables -t mangle -C FORWARD "${EGRESS_RULE[@]}" 2>/dev/null ||
    iptables -t mangle -I FORWARD 1 "${EGRESS_RULE[@]}"
  iptables -t filter -C FORWARD "${SERVICE_EGRESS_RULE[@]}" 2>/dev/null ||
    iptables -t filter -A FORWARD "${SERVICE_EGRESS_RULE[@]}"
}

# delete_egress_rules CMD: every FORWARD rule with our comment, in mangle and filter,
# whatever its other arguments (so rules of an older version of these scripts go too).
delete_egress_rules() {
  local cmd=$1 table rules rule words
  for table in mangle filter; do
    rules=$("$cmd" -t "$table" -S FORWARD 2>/dev/null) || continue
    while IFS= read -r rule; do
      [[ $rule == "-A FORWARD "*"$EGRESS_COMMENT"* ]] || continue
      read -ra words <<<"$rule" # our comment has no spaces, so plain splitting is exact
      "$cmd" -t "$table" -D "${words[@]:1}" 2>/dev/null || true
    done <<<"$rules"
  done
}

# remove_iptables: our egress rules, and every KUBE-* chain and rule that kubelet and
# kube-proxy made (nothing else on these machines makes KUBE-* chains). Each table is
# rewritten atomically without them by iptables-restore; other rules stay as they were.
remove_iptables() {
  local cmd
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    delete_egress_rules "$cmd"
    if "$cmd-save" 2>/dev/null | matches 'KUBE-'; then
      "$cmd-save" | grep -v -- 'KUBE-' | "$cmd-restore" ||
        warn "$cmd-restore failed; check '$cmd-save | grep KUBE-'"
    fi
  done
}

remove_network() {
  local veth
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    for veth in $(ip -o link show master "$BRIDGE" | awk -F': ' '{print $2}' | cut -d@ -f1); do
      ip link del "$veth" 2>/dev/null || true
    done
    ip link del "$BRIDGE" 2>/dev/null || true
  fi
  remove_iptables
  # host-local IPAM's allocations; stale ones would leak addresses across runs.
  rm -rf "$RUNDIR/ipam"
  # libcni's cache of results, named after the network (containerd 1.6 has no setting for it).
  rm -f /var/lib/cni/results/initwait-*
  restore_sysctls
}
