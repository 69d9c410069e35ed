# shellcheck shell=bash
# Sourced by cluster/up.sh and cluster/user.sh: the cluster's certificates and kubeconfigs, made offline
# with openssl. One CA signs everything; client certificates carry the user (CN) and groups (O).

# pki_ca DIR: a CA key and certificate, made once per cluster state.
pki_ca() {
  local dir=$1
  [[ -f "$dir/ca.crt" ]] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=flink-profiling-local-ca" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
}

# pki_cert DIR NAME SUBJECT [SAN] [USAGE]: NAME.key and NAME.crt signed by the CA.
# USAGE is clientAuth (default) or serverAuth.
pki_cert() {
  local dir=$1 name=$2 subject=$3 san=${4:-} usage=${5:-clientAuth}
  [[ -f "$dir/$name.crt" ]] && return 0
  local ext
  ext=$(mktemp)
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$ext"
  openssl req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 3650 -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$ext" "$dir/$name.csr"
  chmod 0600 "$dir/$name.key"
}

# pki_kubeconfig DIR NAME USER: NAME.kubeconfig for the client certificate NAME, talking to the API server.
pki_kubeconfig() {
  local dir=$1 name=$2 user=$3
  cat >"$dir/$name.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: flink-profiling-local
  cluster:
    server: https://$FP_NODE_IP:$FP_API_PORT
    certificate-authority: $dir/ca.crt
users:
- name: $user
  user:
    client-certificate: $dir/$name.crt
    client-key: $dir/$name.key
contexts:
- name: $user@flink-profiling-local
  context:
    cluster: flink-profiling-local
    user: $user
current-context: $user@flink-profiling-local
KC
  chmod 0600 "$dir/$name.kubeconfig"
}

# pki_user DIR NAME USER [GROUP...]: a client certificate and kubeconfig for a user and its groups.
pki_user() {
  local dir=$1 name=$2 user=$3
  shift 3
  local subject="/CN=$user" group
  for group in "$@"; do subject+="/O=$group"; done
  pki_cert "$dir" "$name" "$subject"
  pki_kubeconfig "$dir" "$name" "$user"
}

# pki_cluster DIR: everything the control plane, the node and the admin need.
pki_cluster() {
  local dir=$1
  mkdir -p "$dir"
  chmod 0700 "$dir"
  pki_ca "$dir"
  local api_san="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  api_san+=",DNS:kubernetes.default.svc.$FP_DNS_DOMAIN,DNS:localhost,IP:127.0.0.1,IP:$FP_NODE_IP,IP:$FP_API_SERVICE_IP"
  pki_cert "$dir" apiserver "/CN=kube-apiserver" "$api_san" serverAuth
  pki_cert "$dir" kubelet-serving "/CN=system:node:$FP_NODE_NAME/O=system:nodes" \
    "DNS:$FP_NODE_NAME,IP:$FP_NODE_IP" serverAuth
  pki_cert "$dir" apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client/O=system:masters"
  [[ -f "$dir/sa.key" ]] || {
    openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
    openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  }
  pki_user "$dir" admin kubernetes-admin system:masters
  pki_user "$dir" controller-manager system:kube-controller-manager
  pki_user "$dir" scheduler system:kube-scheduler
  pki_user "$dir" kubelet "system:node:$FP_NODE_NAME" system:nodes
  pki_user "$dir" kube-proxy system:kube-proxy
  pki_user "$dir" coredns system:coredns
}
