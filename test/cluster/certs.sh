# test/cluster/certs.sh — the cluster's PKI and kubeconfigs, made with openssl (sourced).
#
# One CA signs every certificate: the apiserver's and kubelet's serving certificates and a
# client certificate per component, whose CN/O are the user/groups Kubernetes' RBAC knows
# (system:kube-controller-manager, system:node:NAME in system:nodes, ...). ECDSA P-256 keys
# keep generation instant. Everything lands in $STATE/pki; existing files are kept, so a
# re-run of `up` reuses them.

# shellcheck shell=bash

PKI=$STATE/pki

# cert NAME CN O [SAN]: key + certificate signed by the cluster CA (kept if present).
cert() {
  local name=$1 cn=$2 org=$3 san=${4:-} subj ext
  [ -s "$PKI/$name.crt" ] && return 0
  subj="/CN=$cn"
  [ -n "$org" ] && subj="/O=$org$subj"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key" 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=${san:+serverAuth,}clientAuth"
  [ -n "$san" ] && ext+=$'\n'"subjectAltName=$san"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile <(echo "$ext") -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr"
}

# kubeconfig NAME USERCERT: a kubeconfig for the apiserver on the bridge, with embedded certs.
kubeconfig() {
  local name=$1 user=$2
  put "$STATE/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: initwait
  cluster:
    server: https://$BRIDGE_IP:6443
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$PKI/$user.crt")
    client-key-data: $(base64 -w0 <"$PKI/$user.key")
contexts:
- name: initwait
  context: {cluster: initwait, user: $user}
current-context: initwait
EOF
}

make_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  if [ ! -s "$PKI/ca.crt" ]; then
    openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=kubectl-initwait-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.crt" 2>/dev/null
  fi
  # The key the apiserver signs ServiceAccount tokens with (controller-manager too).
  [ -s "$PKI/sa.key" ] || {
    openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key" 2>/dev/null
    openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  }
  local svc=kubernetes.default.svc
  cert apiserver kube-apiserver "" \
    "IP:$BRIDGE_IP,IP:$KUBERNETES_SVC_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:$svc,DNS:$svc.$CLUSTER_DOMAIN,DNS:localhost"
  # The apiserver's client certificate towards kubelets (logs, exec, port-forward).
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert kubelet "system:node:$NODE_NAME" system:nodes "IP:$BRIDGE_IP,DNS:$NODE_NAME"
  cert admin kubernetes-admin system:masters
  cert controller-manager system:kube-controller-manager ""
  cert scheduler system:kube-scheduler ""
  cert kube-proxy system:kube-proxy ""
  cert coredns system:coredns ""
  kubeconfig admin admin
  kubeconfig controller-manager controller-manager
  kubeconfig scheduler scheduler
  kubeconfig kubelet kubelet
  kubeconfig kube-proxy kube-proxy
  kubeconfig coredns coredns
}
