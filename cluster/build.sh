#!/usr/bin/env bash
# Builds the local real cluster's binaries from the Go modules pinned in cluster/go/, once per machine,
# into the cache (FLINK_PROFILING_CACHE, default ~/.cache/flink-profiling). A warm run takes seconds.
#
# usage: cluster/build.sh [kubectl|all]    kubectl: only the client the fast tests need; all (default)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib/common.sh"
source "$here/lib/build-go.sh"

command -v go >/dev/null || die "Go is missing: the cluster's binaries are built from Go modules; install Go 1.26+"

v=$FP_KUBERNETES_VERSION
minor=${v#v1.}
minor=${minor%%.*}
k8s_ldflags="-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1"
k8s_ldflags+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
k8s_ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$v"

build_kubectl() {
  build_go_commands "$here/go/kubernetes" "$(fp_go_bin kubernetes)" "$k8s_ldflags" k8s.io/kubernetes/cmd/kubectl
}

build_all() {
  build_kubectl
  build_go_commands "$here/go/kubernetes" "$(fp_go_bin kubernetes)" "$k8s_ldflags" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy
  build_go_commands "$here/go/etcd" "$(fp_go_bin etcd)" "" etcd=go.etcd.io/etcd/server/v3
  build_go_commands "$here/go/coredns" "$(fp_go_bin coredns)" "" github.com/coredns/coredns
  build_go_commands "$here/go/cri-tools" "$(fp_go_bin cri-tools)" "" sigs.k8s.io/cri-tools/cmd/crictl
}

case "${1:-all}" in
  kubectl) build_kubectl ;;
  all) build_all ;;
  *) die "unknown target '$1' (kubectl or all)" ;;
esac
