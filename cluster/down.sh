#!/usr/bin/env bash
# Stops the local real cluster and removes what cluster/up.sh made: pods (through the CRI), daemons (by
# pid), mounts, network namespaces, cgroups, iptables chains, bridges and routes, the sysctls it changed.
# Safe to run at any time, also after a crash or twice. Kept: containerd's image store and the PKI, so the
# next cluster/up.sh needs no import; `--purge` removes the whole state folder too.
#
# usage: cluster/down.sh [--quiet] [--purge]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib/common.sh"
source "$here/lib/processes.sh"
source "$here/lib/network.sh"
source "$here/lib/cgroups.sh"
source "$here/lib/containers.sh"

quiet=false purge=false
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=true ;;
    --purge) purge=true ;;
    *) die "unknown argument '$arg' (--quiet, --purge)" ;;
  esac
done
[[ $EUID -eq 0 ]] || die "run as root: the cluster's processes, mounts and bridges belong to root"
[[ -d "$FP_STATE" ]] || exit 0
$quiet || progress "stopping the local cluster ($FP_STATE)"

# The kubelet first, or it would start the pods again; then the pods, while containerd still runs.
daemon_stop kubelet 15
containers_remove
for name in coredns kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd; do
  daemon_stop "$name"
done
daemon_stop containerd 15
containers_kill_leftovers
netns_remove
mounts_remove
cgroups_down
# kube-proxy's own cleanup knows its rules best; the generic sweep below catches the rest.
kube_proxy="$(fp_go_bin kubernetes)/kube-proxy"
if [[ -x "$kube_proxy" ]]; then "$kube_proxy" --cleanup >/dev/null 2>&1 || true; fi
net_down
find /var/log/containers -maxdepth 1 -lname "$FP_STATE/*" -delete 2>/dev/null || true

if $purge; then
  rm -rf "$FP_STATE"
else
  # Everything but the image store and the certificates: the next cluster starts from an empty etcd.
  find "$FP_STATE" -mindepth 1 -maxdepth 1 ! -name containerd ! -name pki -exec rm -rf {} +
  find "$FP_STATE/containerd" -mindepth 1 -maxdepth 1 ! -name root -exec rm -rf {} + 2>/dev/null || true
fi
$quiet || progress "local cluster stopped and cleaned up"
