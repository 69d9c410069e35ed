#!/usr/bin/env bash
# Installs the Debian packages the local real cluster runs on: containerd and runc (the container
# runtime), the CNI plugins, iptables and conntrack (kube-proxy), dig (the DNS check), debootstrap (the
# base image's root file system). Quick when they are already there.
set -euo pipefail
packages=(containerd runc containernetworking-plugins iptables conntrack bind9-dnsutils debootstrap busybox-static)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "cluster: installing ${missing[*]}" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
