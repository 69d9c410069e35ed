#!/usr/bin/env bash
# Starts the local real single-node Kubernetes of the end-to-end tier: etcd, kube-apiserver (PodSecurity,
# ValidatingAdmissionPolicy), kube-controller-manager, kube-scheduler, containerd, CNI, kubelet, kube-proxy
# and CoreDNS, from binaries built by cluster/build.sh. Always a fresh cluster: whatever a previous run
# left (even a crashed one) is removed first. Prints `export KUBECONFIG=…` for the admin on stdout.
#
# usage: cluster/up.sh            (as root; cluster/down.sh stops it and removes what it made)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib/common.sh"
source "$here/lib/pki.sh"
source "$here/lib/config.sh"
source "$here/lib/processes.sh"
source "$here/lib/network.sh"
source "$here/lib/cgroups.sh"
source "$here/lib/containers.sh"

[[ $EUID -eq 0 ]] || die "run as root: the kubelet, containerd and the bridges need it"
for tool in containerd runc iptables conntrack openssl dig; do
  command -v "$tool" >/dev/null || die "'$tool' is missing; run: bash cluster/install-packages.sh"
done
[[ -d /proc/sys/net/bridge ]] || die "br_netfilter is not available in this kernel; kube-proxy needs it"
started=$SECONDS

bash "$here/build.sh" all
K=$(fp_go_bin kubernetes)
ETCD=$(fp_go_bin etcd)/etcd
COREDNS=$(fp_go_bin coredns)/coredns
P=$FP_STATE/pki

bash "$here/down.sh" --quiet
trap 'progress "cluster/up.sh failed; logs are in $FP_STATE/logs (cluster/down.sh cleans up)"' ERR
mkdir -p "$FP_STATE"/{run,logs,cni,kubelet,pod-logs,etcd}
chmod 0700 "$FP_STATE"

progress "certificates and configuration"
pki_cluster "$P"
config_containerd >"$FP_STATE/containerd.toml"
config_cni >"$FP_STATE/cni/10-flink-profiling.conflist"
config_kubelet >"$FP_STATE/kubelet.yaml"
config_kube_proxy >"$FP_STATE/kube-proxy.yaml"
config_corefile >"$FP_STATE/Corefile"
net_up
cgroups_up

kubectl_admin() { "$K/kubectl" --kubeconfig "$P/admin.kubeconfig" "$@"; }

progress "etcd"
daemon_start etcd "$ETCD" --name fp --data-dir "$FP_STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$FP_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$FP_ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$((FP_ETCD_PORT + 1))" \
  --initial-advertise-peer-urls "http://127.0.0.1:$((FP_ETCD_PORT + 1))" \
  --initial-cluster "fp=http://127.0.0.1:$((FP_ETCD_PORT + 1))" --listen-metrics-urls "http://127.0.0.1:$((FP_ETCD_PORT + 2))"

progress "kube-apiserver"
daemon_start kube-apiserver "$K/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$FP_ETCD_PORT" \
  --advertise-address "$FP_NODE_IP" --bind-address "$FP_NODE_IP" --secure-port "$FP_API_PORT" \
  --service-cluster-ip-range "$FP_SERVICE_CIDR" \
  --client-ca-file "$P/ca.crt" --tls-cert-file "$P/apiserver.crt" --tls-private-key-file "$P/apiserver.key" \
  --kubelet-client-certificate "$P/apiserver-kubelet-client.crt" --kubelet-client-key "$P/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$P/ca.crt" --kubelet-preferred-address-types InternalIP \
  --service-account-issuer "https://kubernetes.default.svc.$FP_DNS_DOMAIN" \
  --service-account-key-file "$P/sa.pub" --service-account-signing-key-file "$P/sa.key" \
  --authorization-mode Node,RBAC --anonymous-auth=false \
  --enable-admission-plugins NodeRestriction,PodSecurity,ValidatingAdmissionPolicy \
  --profiling=false
wait_until 90 "kube-apiserver" kubectl_admin get --raw /readyz

progress "kube-controller-manager and kube-scheduler"
daemon_start kube-controller-manager "$K/kube-controller-manager" \
  --kubeconfig "$P/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$P/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$P/controller-manager.kubeconfig" \
  --service-account-private-key-file "$P/sa.key" --root-ca-file "$P/ca.crt" \
  --use-service-account-credentials --service-cluster-ip-range "$FP_SERVICE_CIDR" \
  --leader-elect=false --bind-address 127.0.0.1 --profiling=false
daemon_start kube-scheduler "$K/kube-scheduler" \
  --kubeconfig "$P/scheduler.kubeconfig" \
  --authentication-kubeconfig "$P/scheduler.kubeconfig" --authorization-kubeconfig "$P/scheduler.kubeconfig" \
  --leader-elect=false --bind-address 127.0.0.1 --profiling=false

progress "containerd and the images"
daemon_start containerd containerd --config "$FP_STATE/containerd.toml"
wait_until 30 "containerd" ctr --address "$FP_STATE/run/containerd.sock" version
bash "$here/build-images.sh" import --address "$FP_STATE/run/containerd.sock" >"$FP_STATE/images"

progress "kubelet"
daemon_start kubelet "$K/kubelet" --config "$FP_STATE/kubelet.yaml" \
  --kubeconfig "$P/kubelet.kubeconfig" --root-dir "$FP_STATE/kubelet" --cert-dir "$FP_STATE/kubelet/pki" \
  --hostname-override "$FP_NODE_NAME" --node-ip "$FP_NODE_IP"
wait_until 120 "the node" kubectl_admin wait --for=condition=Ready "node/$FP_NODE_NAME" --timeout=1s

progress "kube-proxy and CoreDNS"
daemon_start kube-proxy "$K/kube-proxy" --config "$FP_STATE/kube-proxy.yaml"
kubectl_admin apply -f "$here/manifests/coredns-rbac.yaml" >/dev/null
daemon_start coredns "$COREDNS" -conf "$FP_STATE/Corefile"
dns_answers() { [[ -n "$(dig +short +time=1 +tries=1 "@$FP_NODE_IP" "kubernetes.default.svc.$FP_DNS_DOMAIN")" ]]; }
wait_until 60 "cluster DNS" dns_answers

ln -sf "$P/admin.kubeconfig" "$FP_STATE/kubeconfig"
progress "cluster up in $((SECONDS - started))s; admin: export KUBECONFIG=$FP_STATE/kubeconfig"
echo "export KUBECONFIG=$FP_STATE/kubeconfig"
