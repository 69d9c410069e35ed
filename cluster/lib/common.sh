# shellcheck shell=bash disable=SC2034 # settings here are read by the scripts that source this file
# Sourced by the cluster/ scripts: shared settings and messages. No side effects when sourced.

# Where binaries and images built once per machine are kept, outside the repository.
FP_CACHE="${FLINK_PROFILING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flink-profiling}"
# The repository's cluster/ folder.
FP_CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

progress() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

# The running cluster's files: certificates, configs, logs, pids, containerd's and the kubelet's state.
# All of it belongs to this tier; cluster/down.sh removes what is running from it (images stay cached).
FP_STATE="${FLINK_PROFILING_CLUSTER_STATE:-/var/lib/flink-profiling-cluster}"
# runc's state for containerd's runc runtime (default /run/containerd/runc), under ours so that
# down.sh finds what a crashed run left.
FP_RUNC_ROOT="$FP_STATE/containerd/runc"

# Addresses. The node's address sits on a bridge of its own (no dummy devices in this kernel), so the
# cluster never depends on, or sends anything through, the machine's own interfaces.
FP_NODE_NAME=fp-node
FP_NODE_IP=10.250.0.1
FP_NODE_LINK=fpnode0
FP_POD_CIDR=10.244.0.0/24
FP_POD_BRIDGE=fpcni0
FP_SERVICE_CIDR=10.96.0.0/16
FP_API_SERVICE_IP=10.96.0.1
FP_API_PORT=6443
FP_ETCD_PORT=23790
FP_DNS_DOMAIN=cluster.local

FP_KUBERNETES_VERSION=v1.36.3

# fp_go_bin NAME: the cache folder of the commands built from cluster/go/NAME, keyed by its pins.
fp_go_bin() {
  printf '%s/go-%s-%s' "$FP_CACHE" "$1" \
    "$(cat "$FP_CLUSTER_DIR/go/$1/go.mod" "$FP_CLUSTER_DIR/go/$1/go.sum" | sha256sum | cut -c1-12)"
}
